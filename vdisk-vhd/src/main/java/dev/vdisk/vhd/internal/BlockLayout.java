package dev.vdisk.vhd.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validates where a dynamic or differencing disk's blocks lie in the file: every allocated block
 * (its sector bitmap and the part of its data the disk uses) must lie between the metadata and
 * the trailing footer, must not overlap the footer copy, the dynamic disk header, the block
 * allocation table or the parent locator data, and must not overlap another block.
 *
 * <p>Used by the disk (a bad block is refused with a corrupt-structure error when it is read) and
 * by the checker (which reports each one).
 */
public final class BlockLayout {

  /**
   * A region of the file holding metadata.
   *
   * @param start its first byte
   * @param end the byte after its last
   * @param name the structure, for messages
   */
  public record Region(long start, long end, String name) {}

  private BlockLayout() {}

  /**
   * Finds the bad entries of a block allocation table.
   *
   * @param bat the table
   * @param blockSize the block size
   * @param bitmapSize the padded sector bitmap size
   * @param virtualSize the disk's current size (the last block may be used only partly)
   * @param dataEnd the offset of the trailing footer, where block space ends
   * @param metadata the metadata regions blocks must not overlap
   * @return block index to a description of what is wrong, in block order
   */
  public static Map<Integer, String> badBlocks(BlockAllocationTable bat, long blockSize,
      int bitmapSize, long virtualSize, long dataEnd, List<Region> metadata) {
    Map<Integer, String> bad = new TreeMap<>();
    List<long[]> blocks = new ArrayList<>();
    for (int i = 0; i < bat.size(); i++) {
      long sector = bat.sector(i);
      if (sector < 0) {
        continue;
      }
      long start = sector * 512;
      long end = start + bitmapSize + usedLength(i, blockSize, virtualSize);
      if (end > dataEnd) {
        bad.put(i, String.format("block at file offset %d (0x%x) extends past the end of the "
            + "block space at %d", start, start, dataEnd));
        continue;
      }
      String hit = null;
      for (Region region : metadata) {
        if (start < region.end() && region.start() < end) {
          hit = region.name();
          break;
        }
      }
      if (hit != null) {
        bad.put(i, String.format("block at file offset %d (0x%x) overlaps the %s", start, start,
            hit));
        continue;
      }
      blocks.add(new long[] {start, end, i});
    }
    long[][] sorted = blocks.toArray(new long[0][]);
    Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
    long maxEnd = -1;
    int maxIndex = -1;
    for (long[] block : sorted) {
      if (block[0] < maxEnd) {
        int index = (int) block[2];
        bad.put(index, String.format("block at file offset %d (0x%x) overlaps block %d",
            block[0], block[0], maxIndex));
        bad.putIfAbsent(maxIndex, String.format("block overlaps block %d", index));
      }
      if (block[1] > maxEnd) {
        maxEnd = block[1];
        maxIndex = (int) block[2];
      }
    }
    return bad;
  }

  /**
   * How many bytes of block {@code index} the disk uses: the block size, or less for the last
   * block of a disk whose size is not a multiple of it.
   *
   * @param index the block index
   * @param blockSize the block size
   * @param virtualSize the disk's size
   * @return the used length, rounded up to a whole sector
   */
  public static long usedLength(long index, long blockSize, long virtualSize) {
    long used = Math.min(blockSize, Math.max(0, virtualSize - index * blockSize));
    return (used + 511) / 512 * 512;
  }
}
