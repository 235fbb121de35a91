package dev.vdisk.core.fs;

import dev.vdisk.core.VdiskException;
import java.nio.file.Path;

/**
 * No registered {@link FileSystemDriver} recognises the device or partition, or the partition to
 * open cannot be chosen.
 */
public class NoFileSystemException extends VdiskException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param file the image concerned, or {@code null}
   * @param message what was looked for and not found
   */
  public NoFileSystemException(Path file, String message) {
    super(file, message);
  }
}
