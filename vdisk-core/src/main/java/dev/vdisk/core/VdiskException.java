package dev.vdisk.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Root of every error vdisk raises on purpose.
 *
 * <p>It extends {@link IOException} so that callers of file-like APIs handle it where they already
 * handle I/O failures. Subclasses say what kind of failure it is: a corrupt structure, an
 * unsupported feature, an operation refused as unsafe, or a trust failure. The message is written
 * for a person and is complete on one line; {@link #file()} names the image or file concerned when
 * one is known.
 */
public class VdiskException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * Creates an exception about {@code file}.
   *
   * @param file the image or file concerned, or {@code null} when there is none
   * @param message what went wrong
   */
  public VdiskException(Path file, String message) {
    super(message);
    this.file = file;
  }

  /**
   * Creates an exception about {@code file} with a cause.
   *
   * @param file the image or file concerned, or {@code null} when there is none
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public VdiskException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /**
   * The image or file this error is about.
   *
   * @return the file, when known
   */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}
