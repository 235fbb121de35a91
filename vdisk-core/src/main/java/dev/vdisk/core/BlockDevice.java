package dev.vdisk.core;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A fixed-size array of bytes addressed by offset: an image's virtual disk, a partition, a raw
 * file or a block device node.
 *
 * <p>Offsets and lengths are in bytes and need not be sector-aligned. Implementations are safe for
 * concurrent reads from several threads; writes must be serialised by the caller.
 */
public interface BlockDevice extends Closeable {

  /**
   * The size in bytes.
   *
   * @return the size, never negative
   */
  long size();

  /**
   * The logical sector size in bytes (512 unless the format or device says otherwise).
   *
   * @return the sector size, a power of two of at least 512
   */
  default int sectorSize() {
    return 512;
  }

  /**
   * Reads {@code dst.remaining()} bytes starting at {@code offset} and advances {@code dst}'s
   * position to its limit. Bytes the device does not store read as zeros (or as the parent's
   * bytes, for a differencing disk).
   *
   * @param offset the first byte to read
   * @param dst where to put the bytes; filled completely
   * @throws java.io.EOFException if the range extends past {@link #size()}
   * @throws IOException on an I/O error or a corrupt structure met while reading
   */
  void read(long offset, ByteBuffer dst) throws IOException;

  /**
   * Writes all of {@code src}'s remaining bytes at {@code offset}.
   *
   * @param offset the first byte to write
   * @param src the bytes; its position is advanced to its limit
   * @throws UnsafeToWriteException with {@link UnsafeToWriteException.Reason#READ_ONLY} if the
   *     device was not opened for writing
   * @throws java.io.EOFException if the range extends past {@link #size()}
   * @throws IOException on an I/O error
   */
  void write(long offset, ByteBuffer src) throws IOException;

  /**
   * Makes every completed write durable.
   *
   * @throws IOException on an I/O error
   */
  void flush() throws IOException;

  /**
   * Whether {@link #write} is allowed.
   *
   * @return {@code true} if the device was opened for writing
   */
  boolean isWritable();

  /**
   * Describes the run of bytes that starts at {@code offset} and is stored in one way, so that
   * copies and conversions can skip holes. The default answers that everything is data.
   *
   * @param offset a byte offset in {@code [0, size())}
   * @return the run that starts at {@code offset}
   * @throws IOException on an I/O error
   */
  default Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    return new Allocation(offset, size() - offset, Allocation.State.DATA);
  }

  /**
   * A short description for messages and logs, such as the image path or
   * {@code "disk.vhdx partition 2"}.
   *
   * @return the description
   */
  String description();

  /**
   * Releases the device's resources. Closing twice has no effect.
   *
   * @throws IOException on an I/O error while flushing
   */
  @Override
  void close() throws IOException;
}
