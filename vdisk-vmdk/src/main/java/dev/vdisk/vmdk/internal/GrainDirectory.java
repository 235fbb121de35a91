package dev.vdisk.vmdk.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A grain directory (or the redundant grain directory) of a hosted sparse extent: an array of
 * little-endian 32-bit sector numbers, one per grain table; 0 means the table is not allocated.
 */
public final class GrainDirectory extends SectorArray {
  private GrainDirectory(int[] entries) {
    super(entries);
  }

  /**
   * Parses {@code count} entries from the buffer's position (the position is unchanged).
   *
   * @param file for messages
   * @param fileOffset where the directory is, for messages
   * @param buffer the bytes
   * @param count the number of entries (from the header's geometry)
   * @return the directory
   * @throws CorruptStructureException if the buffer is too short
   */
  public static GrainDirectory parse(Path file, long fileOffset, ByteBuffer buffer, int count)
      throws CorruptStructureException {
    return new GrainDirectory(parseEntries(file, fileOffset, buffer, count, "grain directory"));
  }

  /**
   * An empty directory (every table unallocated).
   *
   * @param count the number of entries
   * @return the directory
   */
  public static GrainDirectory empty(int count) {
    return new GrainDirectory(new int[count]);
  }

  /**
   * The first entry whose table (of {@code tableBytes}) would not lie inside a file of
   * {@code fileSize} bytes, or -1.
   *
   * @param fileSize the file size
   * @param tableBytes the size of one grain table
   * @return the index, or -1 when all are inside
   */
  public int firstBadEntry(long fileSize, long tableBytes) {
    for (int i = 0; i < entries.length; i++) {
      long s = entry(i);
      if (s != 0 && s * 512 + tableBytes > fileSize) {
        return i;
      }
    }
    return -1;
  }
}
