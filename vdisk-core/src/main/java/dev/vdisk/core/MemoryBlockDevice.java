package dev.vdisk.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A block device held in a byte array: for tests, fuzzing, and small scratch devices. It is limited
 * to 2 GiB - 1 bytes and is always writable unless created read-only.
 */
public final class MemoryBlockDevice implements BlockDevice {
  private final byte[] data;
  private final boolean writable;
  private final String description;
  private final int sectorSize;

  /**
   * A writable device of {@code size} zero bytes.
   *
   * @param size the size in bytes
   */
  public MemoryBlockDevice(int size) {
    this(new byte[size], true, "memory", 512);
  }

  /**
   * A device over {@code data} (not copied).
   *
   * @param data the bytes
   * @param writable whether writes are allowed
   * @param description the description for messages
   * @param sectorSize the logical sector size to report
   */
  public MemoryBlockDevice(byte[] data, boolean writable, String description, int sectorSize) {
    this.data = data;
    this.writable = writable;
    this.description = description;
    this.sectorSize = sectorSize;
  }

  /**
   * A read-only device over a copy of {@code data}.
   *
   * @param data the bytes
   * @return the device
   */
  public static MemoryBlockDevice readOnlyCopyOf(byte[] data) {
    return new MemoryBlockDevice(data.clone(), false, "memory", 512);
  }

  /**
   * The backing array (not a copy).
   *
   * @return the bytes
   */
  public byte[] array() {
    return data;
  }

  @Override
  public long size() {
    return data.length;
  }

  @Override
  public int sectorSize() {
    return sectorSize;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BlockDevices.checkRange(this, offset, dst.remaining());
    dst.put(data, (int) offset, dst.remaining());
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    src.get(data, (int) offset, src.remaining());
  }

  @Override
  public void flush() {}

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "MemoryBlockDevice[" + description + ", " + data.length + " bytes]";
  }

  /**
   * Fills the device with zeros.
   */
  public void clear() {
    Arrays.fill(data, (byte) 0);
  }
}
