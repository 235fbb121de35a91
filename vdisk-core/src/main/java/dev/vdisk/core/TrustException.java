package dev.vdisk.core;

import java.nio.file.Path;

/** A signature or integrity check failed, or the signer is not trusted. */
public class TrustException extends VdiskException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the package, index or file that failed the check, or {@code null}
   * @param message why it is not trusted
   */
  public TrustException(Path file, String message) {
    super(file, (file == null ? "" : file + ": ") + message);
  }
}
