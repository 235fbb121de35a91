package dev.vdisk.core;

import java.nio.file.Path;

/** No registered {@link DiskFormat} recognises the file, or the named format is not registered. */
public class UnknownFormatException extends UnsupportedFeatureException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the file that was probed
   * @param detail what was looked for
   */
  public UnknownFormatException(Path file, String detail) {
    super(file, "image format", detail);
  }
}
