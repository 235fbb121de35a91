package dev.vdisk.trust;

import java.time.Instant;

/**
 * How verification judges time.
 *
 * @param now the time to judge expiry and {@code Valid-Until} against
 * @param allowExpired accept an index past its {@code Valid-Until} (signatures and keys must still
 *     be valid at their signing time)
 */
public record VerifyOptions(Instant now, boolean allowExpired) {
  /**
   * Now, expiry enforced.
   *
   * @return the options
   */
  public static VerifyOptions defaults() {
    return new VerifyOptions(Instant.now(), false);
  }
}
