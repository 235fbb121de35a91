package dev.vdisk.vhdx.internal;

/**
 * The geometry of a Block Allocation Table: payload block entries interleaved with a sector
 * bitmap entry after every chunk-ratio payload entries.
 *
 * @param blockSize the payload block size
 * @param logicalSectorSize the logical sector size
 * @param virtualSize the virtual disk size
 * @param differencing whether the disk has a parent
 */
public record Bat(long blockSize, int logicalSectorSize, long virtualSize, boolean differencing) {
  /** The bytes one sector bitmap block (1 MiB) has bits for: 2^23 sectors. */
  public static final long SECTORS_PER_BITMAP = 1L << 23;
  /** Size of a sector bitmap block. */
  public static final int BITMAP_BLOCK_SIZE = 1 << 20;

  /**
   * The chunk ratio: payload blocks per sector bitmap block, {@code 2^23 * logicalSectorSize /
   * blockSize}.
   *
   * @return the ratio, at least 1
   */
  public long chunkRatio() {
    return SECTORS_PER_BITMAP * logicalSectorSize / blockSize;
  }

  /**
   * The number of payload blocks, {@code ceil(virtualSize / blockSize)}.
   *
   * @return the count
   */
  public long dataBlocks() {
    return (virtualSize + blockSize - 1) / blockSize;
  }

  /**
   * The number of sector bitmap blocks, {@code ceil(dataBlocks / chunkRatio)}.
   *
   * @return the count
   */
  public long bitmapBlocks() {
    return (dataBlocks() + chunkRatio() - 1) / chunkRatio();
  }

  /**
   * The number of BAT entries the specification requires.
   *
   * @return the count
   */
  public long totalEntries() {
    long data = dataBlocks();
    if (differencing) {
      return bitmapBlocks() * (chunkRatio() + 1);
    }
    return data == 0 ? 0 : data + (data - 1) / chunkRatio();
  }

  /**
   * The BAT index of a payload block.
   *
   * @param block the payload block number
   * @return the entry index
   */
  public long payloadIndex(long block) {
    return block + block / chunkRatio();
  }

  /**
   * The BAT index of a sector bitmap block.
   *
   * @param chunk the chunk number
   * @return the entry index
   */
  public long bitmapIndex(long chunk) {
    return chunk * (chunkRatio() + 1) + chunkRatio();
  }

  /**
   * Sectors per payload block.
   *
   * @return {@code blockSize / logicalSectorSize}
   */
  public long sectorsPerBlock() {
    return blockSize / logicalSectorSize;
  }
}
