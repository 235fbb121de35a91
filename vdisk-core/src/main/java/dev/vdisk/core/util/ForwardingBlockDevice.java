package dev.vdisk.core.util;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A block device that forwards every call to another one: extend it and override what is to be
 * intercepted (counting or failing writes, overlaying reads, logging). {@link #close()} closes the
 * wrapped device unless overridden.
 */
public abstract class ForwardingBlockDevice implements BlockDevice {
  /** The wrapped device. */
  protected final BlockDevice delegate;

  /**
   * Wraps a device.
   *
   * @param delegate the device every call goes to
   */
  protected ForwardingBlockDevice(BlockDevice delegate) {
    this.delegate = delegate;
  }

  @Override
  public long size() {
    return delegate.size();
  }

  @Override
  public int sectorSize() {
    return delegate.sectorSize();
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    delegate.read(offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    delegate.write(offset, src);
  }

  @Override
  public void flush() throws IOException {
    delegate.flush();
  }

  @Override
  public boolean isWritable() {
    return delegate.isWritable();
  }

  @Override
  public Allocation allocation(long offset) throws IOException {
    return delegate.allocation(offset);
  }

  @Override
  public String description() {
    return delegate.description();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
