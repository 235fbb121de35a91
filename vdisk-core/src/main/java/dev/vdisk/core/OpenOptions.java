package dev.vdisk.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to open an image. Images open read-only unless {@link #writable()} is asked for.
 *
 * <pre>{@code
 * VirtualDisks.open(path, OpenOptions.readOnly());
 * VirtualDisks.open(path, OpenOptions.readWrite());
 * }</pre>
 */
public final class OpenOptions {
  private static final OpenOptions READ_ONLY = new OpenOptions(false, null, List.of(), false);
  private static final OpenOptions READ_WRITE = new OpenOptions(true, null, List.of(), false);

  private final boolean writable;
  private final String format;
  private final List<Path> children;
  private final boolean ignoreParentMismatch;

  private OpenOptions(boolean writable, String format, List<Path> children,
      boolean ignoreParentMismatch) {
    this.writable = writable;
    this.format = format;
    this.children = children;
    this.ignoreParentMismatch = ignoreParentMismatch;
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
    return new OpenOptions(writable, formatName, children, ignoreParentMismatch);
  }

  /**
   * Options for opening the parent of {@code child}: read-only, format detected from content, and
   * remembering the chain of children opened so far so that loops and absurd depths are caught
   * (see {@link dev.vdisk.core.chain.Parents}).
   *
   * @param child the real path of the differencing disk whose parent is being opened
   * @return new options
   */
  public OpenOptions forParentOf(Path child) {
    List<Path> chain = new ArrayList<>(children);
    chain.add(child);
    return new OpenOptions(false, null, List.copyOf(chain), ignoreParentMismatch);
  }

  /**
   * These options, but opening a differencing disk even when the identity its parent link records
   * (a VMDK {@code parentCID}, for example) does not match the parent found; formats that check
   * such links then log the mismatch instead of refusing. Applies to the whole chain.
   *
   * @return the new options
   */
  public OpenOptions ignoringParentMismatch() {
    return new OpenOptions(writable, format, children, true);
  }

  /**
   * Whether a mismatched parent link is tolerated (see {@link #ignoringParentMismatch()}).
   *
   * @return whether to ignore mismatches
   */
  public boolean ignoreParentMismatch() {
    return ignoreParentMismatch;
  }

  /**
   * The differencing disks already being opened above this one, the top child first; empty when
   * opening a disk directly.
   *
   * @return the real paths of the children
   */
  public List<Path> children() {
    return children;
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
    return (writable ? "read-write" : "read-only") + (format == null ? "" : ", format " + format)
        + (children.isEmpty() ? "" : ", parent of " + children.get(children.size() - 1));
  }
}
