package dev.vdisk.core;

/**
 * How to open an image. Images open read-only unless {@link #writable()} is asked for.
 *
 * <pre>{@code
 * VirtualDisks.open(path, OpenOptions.readOnly());
 * VirtualDisks.open(path, OpenOptions.readWrite());
 * }</pre>
 */
public final class OpenOptions {
  private static final OpenOptions READ_ONLY = new OpenOptions(false, null);
  private static final OpenOptions READ_WRITE = new OpenOptions(true, null);

  private final boolean writable;
  private final String format;

  private OpenOptions(boolean writable, String format) {
    this.writable = writable;
    this.format = format;
  }

  /**
   * Read-only, format detected from content.
   *
   * @return the options
   */
  public static OpenOptions readOnly() {
    return READ_ONLY;
  }

  /**
   * Read-write, format detected from content.
   *
   * @return the options
   */
  public static OpenOptions readWrite() {
    return READ_WRITE;
  }

  /**
   * The same options, but forcing the named format instead of probing the content.
   *
   * @param formatName a registered format's {@link DiskFormat#name()}, or {@code null} to probe
   * @return new options
   */
  public OpenOptions withFormat(String formatName) {
    return new OpenOptions(writable, formatName);
  }

  /**
   * Whether the image is opened for writing.
   *
   * @return {@code true} for read-write
   */
  public boolean writable() {
    return writable;
  }

  /**
   * The forced format's name.
   *
   * @return the name, or {@code null} when the format is detected from content
   */
  public String format() {
    return format;
  }

  @Override
  public String toString() {
    return (writable ? "read-write" : "read-only") + (format == null ? "" : ", format " + format);
  }
}
