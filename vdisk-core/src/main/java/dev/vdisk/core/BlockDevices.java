package dev.vdisk.core;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Static helpers for {@link BlockDevice} implementations and their callers. */
public final class BlockDevices {
  private BlockDevices() {}

  /**
   * Reads {@code length} bytes at {@code offset} into a new little-endian buffer.
   *
   * @param device the device
   * @param offset the first byte
   * @param length how many bytes, at most 64 MiB
   * @return a buffer positioned at 0 with limit {@code length}
   * @throws IOException if the read fails or the range is outside the device
   */
  public static ByteBuffer read(BlockDevice device, long offset, int length) throws IOException {
    if (length < 0 || length > (64 << 20)) {
      throw new IllegalArgumentException("read length out of range: " + length);
    }
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    device.read(offset, buffer);
    return buffer.flip();
  }

  /**
   * Throws if {@code [offset, offset + length)} is not inside the device.
   *
   * @param device the device
   * @param offset the first byte
   * @param length the number of bytes
   * @throws EOFException if the range is outside the device
   */
  public static void checkRange(BlockDevice device, long offset, long length) throws EOFException {
    long size = device.size();
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw new EOFException(
          device.description()
              + ": range ["
              + offset
              + ", "
              + (offset + length)
              + ") is outside the device of "
              + size
              + " bytes");
    }
  }

  /**
   * Throws unless {@code offset} addresses a byte of the device.
   *
   * @param device the device
   * @param offset the offset
   * @throws EOFException if the offset is outside {@code [0, size())}
   */
  public static void checkOffset(BlockDevice device, long offset) throws EOFException {
    if (offset < 0 || offset >= device.size()) {
      throw new EOFException(
          device.description() + ": offset " + offset + " is outside the device of "
              + device.size() + " bytes");
    }
  }

  /**
   * Throws the standard read-only error unless the device is writable.
   *
   * @param device the device
   * @throws UnsafeToWriteException if the device is read-only
   */
  public static void checkWritable(BlockDevice device) throws UnsafeToWriteException {
    if (!device.isWritable()) {
      throw new UnsafeToWriteException(
          null,
          UnsafeToWriteException.Reason.READ_ONLY,
          device.description() + " was opened read-only; open it for writing to change it");
    }
  }
}
