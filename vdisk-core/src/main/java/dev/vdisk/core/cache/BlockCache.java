package dev.vdisk.core.cache;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used cache of fixed-size blocks, shared by any number of {@link
 * CachedBlockDevice}s. Memory use never exceeds {@link #capacityBytes()} plus the blocks being
 * loaded at that moment.
 *
 * <p>Thread-safe. A cached block's buffer is never handed out; readers get copies.
 */
public final class BlockCache {
  /** The default block size: 64 KiB. */
  public static final int DEFAULT_BLOCK_SIZE = 64 * 1024;

  private final int blockSize;
  private final long capacityBytes;
  private final int maxBlocks;
  private final LinkedHashMap<Key, byte[]> blocks;
  private long hits;
  private long misses;

  /**
   * Creates a cache.
   *
   * @param capacityBytes the most bytes of blocks to keep; at least one block
   * @param blockSize the block size, a power of two from 512 to 16 MiB
   */
  public BlockCache(long capacityBytes, int blockSize) {
    if (blockSize < 512 || blockSize > (16 << 20) || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException("block size must be a power of two in [512, 16 MiB]: "
          + blockSize);
    }
    if (capacityBytes < blockSize) {
      throw new IllegalArgumentException("capacity " + capacityBytes + " is below one block");
    }
    this.blockSize = blockSize;
    this.capacityBytes = capacityBytes;
    this.maxBlocks = (int) Math.min(Integer.MAX_VALUE - 8, capacityBytes / blockSize);
    this.blocks =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, byte[]> eldest) {
            return size() > maxBlocks;
          }
        };
  }

  /**
   * A cache of {@code capacityBytes} with {@link #DEFAULT_BLOCK_SIZE} blocks.
   *
   * @param capacityBytes the most bytes to keep
   */
  public BlockCache(long capacityBytes) {
    this(capacityBytes, DEFAULT_BLOCK_SIZE);
  }

  /**
   * The block size.
   *
   * @return bytes per block
   */
  public int blockSize() {
    return blockSize;
  }

  /**
   * The bound on cached bytes.
   *
   * @return the capacity in bytes
   */
  public long capacityBytes() {
    return capacityBytes;
  }

  /**
   * Bytes held now.
   *
   * @return the sum of the cached blocks' lengths
   */
  public synchronized long usedBytes() {
    long used = 0;
    for (byte[] block : blocks.values()) {
      used += block.length;
    }
    return used;
  }

  /**
   * Lookups that found their block.
   *
   * @return the hit count
   */
  public synchronized long hits() {
    return hits;
  }

  /**
   * Lookups that did not.
   *
   * @return the miss count
   */
  public synchronized long misses() {
    return misses;
  }

  synchronized byte[] get(Object owner, long index) {
    byte[] block = blocks.get(new Key(owner, index));
    if (block == null) {
      misses++;
    } else {
      hits++;
    }
    return block;
  }

  synchronized void put(Object owner, long index, byte[] block) {
    blocks.put(new Key(owner, index), block);
  }

  synchronized void invalidate(Object owner, long firstIndex, long lastIndex) {
    if (lastIndex - firstIndex < blocks.size()) {
      for (long i = firstIndex; i <= lastIndex; i++) {
        blocks.remove(new Key(owner, i));
      }
    } else {
      blocks.keySet().removeIf(k -> k.owner == owner && k.index >= firstIndex && k.index <= lastIndex);
    }
  }

  synchronized void invalidateAll(Object owner) {
    blocks.keySet().removeIf(k -> k.owner == owner);
  }

  private record Key(Object owner, long index) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.owner == owner && k.index == index;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(owner) * 31 + Long.hashCode(index);
    }
  }
}
