package dev.vdisk.core;

import java.nio.file.Path;

/**
 * vdisk refuses to write because writing could lose or corrupt data. The {@link Reason} says why;
 * the message says what the user can do about it.
 */
public class UnsafeToWriteException extends VdiskException {
  private static final long serialVersionUID = 1L;

  /** Why a write was refused. */
  public enum Reason {
    /** The device or image was opened read-only. */
    READ_ONLY,
    /** The file system or image is marked dirty (not cleanly unmounted or closed). */
    DIRTY,
    /** The guest is hibernated or suspended with fast start-up; its memory holds unwritten state. */
    HIBERNATED,
    /** Another process, typically a running VM, holds a lock on the image. */
    LOCKED,
    /** A journal or log holds changes that have not been replayed. */
    LOG_NOT_REPLAYED,
    /** The structure uses a feature whose write rules vdisk does not implement. */
    UNSUPPORTED_FEATURE,
    /** Any other reason, explained in the message. */
    OTHER
  }

  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param file the image or file concerned, or {@code null}
   * @param reason why writing is refused
   * @param detail explanation for the user
   */
  public UnsafeToWriteException(Path file, Reason reason, String detail) {
    super(
        file,
        (file == null ? "<device>" : file.toString())
            + ": refusing to write ("
            + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
            + "): "
            + detail);
    this.reason = reason;
  }

  /**
   * Why the write was refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
