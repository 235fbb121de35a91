package dev.vdisk.vmdk.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A grain directory (or the redundant grain directory) of a hosted sparse extent: an array of
 * little-endian 32-bit sector numbers, one per grain table; 0 means the table is not allocated.
 */
public final class GrainDirectory {
  private final int[] entries;

  private GrainDirectory(int[] entries) {
    this.entries = entries;
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
    if (count < 0 || (long) count * 4 > buffer.remaining()) {
      throw new CorruptStructureException(file, fileOffset, "grain directory",
          count + " entries do not fit in " + buffer.remaining() + " bytes");
    }
    ByteBuffer b = buffer.slice(buffer.position(), count * 4).order(ByteOrder.LITTLE_ENDIAN);
    int[] entries = new int[count];
    b.asIntBuffer().get(entries);
    return new GrainDirectory(entries);
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
   * The number of entries.
   *
   * @return the count
   */
  public int size() {
    return entries.length;
  }

  /**
   * The sector of grain table {@code index}, or 0 when unallocated.
   *
   * @param index the table's index
   * @return the sector, unsigned
   */
  public long entry(int index) {
    return Integer.toUnsignedLong(entries[index]);
  }

  /**
   * Sets an entry.
   *
   * @param index the table's index
   * @param sector its sector
   */
  public void set(int index, long sector) {
    entries[index] = (int) sector;
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

  /**
   * Writes the entries at the buffer's position and advances it.
   *
   * @param buffer at least 4 × size() bytes remaining
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(entries);
    buffer.position(buffer.position() + entries.length * 4);
  }
}
