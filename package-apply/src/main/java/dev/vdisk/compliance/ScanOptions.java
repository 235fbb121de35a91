package dev.vdisk.compliance;

import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.VerifyOptions;
import java.nio.file.Path;

/**
 * How {@link Scanner} loads sources and scans.
 *
 * @param verify the time to judge signatures and {@code Valid-Until} by, and whether expired
 *     indexes are allowed
 * @param cache where downloaded indexes and packages are kept by SHA-256
 * @param trust keys for sources that name no {@code trust:} keyring of their own, or null
 * @param parallelism how many targets are scanned at once (at least 1)
 */
public record ScanOptions(VerifyOptions verify, Path cache, TrustStore trust, int parallelism) {
  /** Checks the values. */
  public ScanOptions {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
  }
}
