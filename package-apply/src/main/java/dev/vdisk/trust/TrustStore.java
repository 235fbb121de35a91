package dev.vdisk.trust;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The OpenPGP public keys a verification trusts, read from keyrings (binary or ASCII-armored, as
 * apt's {@code trusted.gpg.d} holds them) with their subkeys, expiry and revocations.
 */
public final class TrustStore {
  private TrustStore() {}

  /**
   * Loads keyrings.
   *
   * @param keyringsOrDirectories keyring files, or directories whose {@code *.gpg}, {@code *.asc}
   *     and {@code *.kbx}-free keyring files are all loaded (like apt's {@code trusted.gpg.d})
   * @return the store
   * @throws dev.vdisk.core.TrustException if a file is not a keyring (names it)
   * @throws IOException on an I/O error
   */
  public static TrustStore load(List<Path> keyringsOrDirectories) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }
}
