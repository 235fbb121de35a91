package dev.vdisk.vhd.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The VHD "Block Allocation Table" (BAT): one big-endian 32-bit entry per block giving the
 * absolute sector (512-byte unit) of the block's sector bitmap, or {@link #UNUSED} for a block that
 * is not allocated. The table on disk is padded to a 512-byte boundary.
 *
 * <p>Not thread-safe; the disk guards it with its lock.
 */
public final class BlockAllocationTable {
  /** The entry of an unallocated block. */
  public static final int UNUSED = 0xFFFF_FFFF;

  private final int[] entries;

  private BlockAllocationTable(int[] entries) {
    this.entries = entries;
  }

  /**
   * A table of unallocated entries.
   *
   * @param count the number of entries
   * @return the table
   */
  public static BlockAllocationTable empty(int count) {
    int[] entries = new int[count];
    Arrays.fill(entries, UNUSED);
    return new BlockAllocationTable(entries);
  }

  /**
   * Reads {@code count} entries. Entry values are not validated here; the disk validates each
   * against the file's layout.
   *
   * @param buffer at least {@code count * 4} bytes from its position; the position is not moved
   * @param count the number of entries to read
   * @return the table
   * @throws IllegalArgumentException if the buffer is too short
   */
  public static BlockAllocationTable parse(ByteBuffer buffer, int count) {
    if (count < 0 || buffer.remaining() / 4 < count) {
      throw new IllegalArgumentException("buffer too short for " + count + " entries");
    }
    ByteBuffer b = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
    int[] entries = new int[count];
    for (int i = 0; i < count; i++) {
      entries[i] = b.getInt();
    }
    return new BlockAllocationTable(entries);
  }

  /**
   * Writes every entry, then pads with {@link #UNUSED} to a 512-byte boundary.
   *
   * @param buffer at least {@link #sizeOnDisk(long)} bytes remaining; the position advances
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer b = buffer.order(ByteOrder.BIG_ENDIAN);
    for (int entry : entries) {
      b.putInt(entry);
    }
    for (long i = entries.length; i < sizeOnDisk(entries.length) / 4; i++) {
      b.putInt(UNUSED);
    }
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
   * An entry as an unsigned sector number.
   *
   * @param index the block index
   * @return the sector of the block's bitmap, or -1 when the block is not allocated
   */
  public long sector(int index) {
    int entry = entries[index];
    return entry == UNUSED ? -1 : entry & 0xFFFF_FFFFL;
  }

  /**
   * Sets an entry.
   *
   * @param index the block index
   * @param sector the sector of the block's bitmap, below {@code 0xFFFFFFFF}
   */
  public void set(int index, long sector) {
    if (sector < 0 || sector >= 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("sector out of range: " + sector);
    }
    entries[index] = (int) sector;
  }

  /**
   * The table's size on disk for a number of entries: 4 bytes each, padded to 512.
   *
   * @param count the number of entries
   * @return the size in bytes
   */
  public static long sizeOnDisk(long count) {
    return (count * 4 + 511) / 512 * 512;
  }
}
