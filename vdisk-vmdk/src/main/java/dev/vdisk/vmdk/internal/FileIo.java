package dev.vdisk.vmdk.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional reads and writes on a {@link FileChannel} that loop until done. */
public final class FileIo {
  private FileIo() {}

  /**
   * Reads until {@code dst} is full or the file ends; bytes past the end are filled with zeros.
   *
   * @param channel the channel
   * @param offset the file offset
   * @param dst the buffer; its position ends at its limit
   * @return the number of bytes that came from the file
   * @throws IOException on a read error
   */
  public static int readZeroPadded(FileChannel channel, long offset, ByteBuffer dst)
      throws IOException {
    int got = 0;
    long pos = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        break;
      }
      pos += n;
      got += n;
    }
    fillZero(dst);
    return got;
  }

  /**
   * Writes all of {@code src} at {@code offset}.
   *
   * @param channel the channel
   * @param offset the file offset
   * @param src the bytes; its position ends at its limit
   * @throws IOException on a write error
   */
  public static void writeFully(FileChannel channel, long offset, ByteBuffer src)
      throws IOException {
    long pos = offset;
    while (src.hasRemaining()) {
      pos += channel.write(src, pos);
    }
  }

  private static final byte[] ZEROS = new byte[64 * 1024];

  /**
   * Fills the rest of {@code dst} with zeros.
   *
   * @param dst the buffer; its position ends at its limit
   */
  public static void fillZero(ByteBuffer dst) {
    while (dst.hasRemaining()) {
      dst.put(ZEROS, 0, Math.min(ZEROS.length, dst.remaining()));
    }
  }
}
