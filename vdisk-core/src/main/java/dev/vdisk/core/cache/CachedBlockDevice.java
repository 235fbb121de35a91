package dev.vdisk.core.cache;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.util.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link BlockDevice} that keeps recently read blocks of another device in a shared {@link
 * BlockCache}. Writes go through to the device at once and drop the blocks they touch; the cache
 * never holds data newer than the device.
 *
 * <p>Closing this device closes the wrapped one and drops its blocks from the cache.
 */
public final class CachedBlockDevice extends ForwardingBlockDevice {
  private final BlockDevice device;
  private final BlockCache cache;
  private final Object owner = new Object();
  private final AtomicLong generation = new AtomicLong();

  /**
   * Wraps {@code device}.
   *
   * @param device the device to cache; this wrapper owns it from now on
   * @param cache the cache, possibly shared with other devices
   */
  public CachedBlockDevice(BlockDevice device, BlockCache cache) {
    super(device);
    this.device = device;
    this.cache = cache;
  }

  /**
   * The wrapped device.
   *
   * @return the device
   */
  public BlockDevice device() {
    return device;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BlockDevices.checkRange(this, offset, dst.remaining());
    int blockSize = cache.blockSize();
    long position = offset;
    while (dst.hasRemaining()) {
      long index = position / blockSize;
      int within = (int) (position - index * blockSize);
      byte[] block = block(index);
      int n = Math.min(dst.remaining(), block.length - within);
      dst.put(block, within, n);
      position += n;
    }
  }

  private byte[] block(long index) throws IOException {
    byte[] block = cache.get(owner, index);
    if (block != null) {
      return block;
    }
    long before = generation.get();
    long start = index * cache.blockSize();
    int length = (int) Math.min(cache.blockSize(), device.size() - start);
    byte[] loaded = new byte[length];
    device.read(start, ByteBuffer.wrap(loaded));
    synchronized (generation) {
      // A write that ran while we were loading may have made what we read stale: keep it out.
      if (generation.get() == before) {
        cache.put(owner, index, loaded);
      }
    }
    return loaded;
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    int length = src.remaining();
    if (length == 0) {
      return;
    }
    try {
      device.write(offset, src);
    } finally {
      synchronized (generation) {
        generation.incrementAndGet();
        cache.invalidate(owner, offset / cache.blockSize(), (offset + length - 1) / cache.blockSize());
      }
    }
  }

  @Override
  public void close() throws IOException {
    cache.invalidateAll(owner);
    device.close();
  }
}
