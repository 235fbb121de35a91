package dev.vdisk.vmdk.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A grain table of a hosted sparse extent: little-endian 32-bit sector numbers, one per grain; 0
 * means unallocated (the parent's data, or zeros) and, with the header's zeroed-grain flag, 1
 * means a grain of zeros.
 */
public final class GrainTable extends SectorArray {
  /** The entry of an unallocated grain. */
  public static final long UNALLOCATED = 0;
  /** The entry of a zeroed grain (with {@link SparseExtentHeader#FLAG_ZEROED_GRAIN_GTE}). */
  public static final long ZEROED = 1;

  private GrainTable(int[] entries) {
    super(entries);
  }

  /**
   * Parses {@code count} entries from the buffer's position (the position is unchanged).
   *
   * @param file for messages
   * @param fileOffset where the table is, for messages
   * @param buffer the bytes
   * @param count entries per table
   * @return the table
   * @throws CorruptStructureException if the buffer is too short
   */
  public static GrainTable parse(Path file, long fileOffset, ByteBuffer buffer, int count)
      throws CorruptStructureException {
    return new GrainTable(parseEntries(file, fileOffset, buffer, count, "grain table"));
  }

  /**
   * A table of unallocated entries.
   *
   * @param count entries per table
   * @return the table
   */
  public static GrainTable empty(int count) {
    return new GrainTable(new int[count]);
  }

  /**
   * The first entry whose grain is not inside the file or overlaps the metadata before
   * {@code overHeadSectors}, or -1. A {@link #ZEROED} entry counts as valid only with
   * {@code zeroedAllowed}.
   *
   * @param fileSize the file size in bytes
   * @param grainBytes the grain size in bytes
   * @param overHeadSectors the header's overHead
   * @param zeroedAllowed whether the zeroed-grain flag is set
   * @return the index, or -1
   */
  public int firstBadEntry(long fileSize, long grainBytes, long overHeadSectors,
      boolean zeroedAllowed) {
    for (int i = 0; i < entries.length; i++) {
      long s = entry(i);
      if (s == UNALLOCATED || (s == ZEROED && zeroedAllowed)) {
        continue;
      }
      // A short last grain is tolerated (qemu writes the final grain only up to the data's end).
      if (s < overHeadSectors || s * 512 >= fileSize) {
        return i;
      }
    }
    return -1;
  }

  /**
   * A copy of the entries.
   *
   * @return the entries
   */
  public int[] toArray() {
    return entries.clone();
  }
}
