package dev.vdisk.vmdk.internal;

import java.nio.file.Path;

/**
 * The part every file-backed extent shares: the file (for messages), the capacity, and the range
 * check of a request.
 */
public abstract class FileExtent implements Extent {
  /** The file holding the extent's data. */
  protected final Path file;
  /** The extent's capacity in bytes. */
  protected final long size;

  /**
   * Sets the file and capacity.
   *
   * @param file the file holding the extent's data
   * @param size the capacity in bytes
   */
  protected FileExtent(Path file, long size) {
    this.file = file;
    this.size = size;
  }

  @Override
  public final Path file() {
    return file;
  }

  @Override
  public final long size() {
    return size;
  }

  /**
   * Fails unless {@code [offset, offset + length)} lies inside the extent.
   *
   * @param offset the range's start
   * @param length its length
   * @throws IllegalArgumentException if it does not (a caller's bug, not bad input)
   */
  protected final void checkRange(long offset, long length) {
    GrainRuns.checkRange(offset, length, size);
  }
}
