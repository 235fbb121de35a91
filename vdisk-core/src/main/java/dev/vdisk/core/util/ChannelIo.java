package dev.vdisk.core.util;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Positional reads and writes on a {@link FileChannel} that loop until every byte is transferred,
 * shared by the format drivers: a read that meets the end of the file either fails with a {@link
 * CorruptStructureException} naming the structure, or (where the format allows short files) pads
 * with zeros.
 */
public final class ChannelIo {
  private static final byte[] ZEROS = new byte[64 * 1024];

  private ChannelIo() {}

  /**
   * Reads {@code dst.remaining()} bytes at {@code position}.
   *
   * @param channel the file
   * @param file the file's path, for errors
   * @param position where to read
   * @param dst the buffer to fill
   * @param structure the structure being read, for errors
   * @throws CorruptStructureException if the file ends first
   * @throws IOException on an I/O error
   */
  public static void readFully(FileChannel channel, Path file, long position, ByteBuffer dst,
      String structure) throws IOException {
    long at = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, at);
      if (n < 0) {
        throw new CorruptStructureException(file, position, structure,
            "the file ends at " + at + " inside it");
      }
      at += n;
    }
  }

  /**
   * Reads {@code length} bytes at {@code position} into a new (big-endian) buffer.
   *
   * @param channel the file
   * @param file the file's path, for errors
   * @param position where to read
   * @param length how many bytes
   * @param structure the structure being read, for errors
   * @return the bytes, positioned at 0
   * @throws CorruptStructureException if the file ends first
   * @throws IOException on an I/O error
   */
  public static ByteBuffer read(FileChannel channel, Path file, long position, int length,
      String structure) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    readFully(channel, file, position, buffer, structure);
    return buffer.flip();
  }

  /**
   * Reads until {@code dst} is full or the file ends; bytes past the end are filled with zeros.
   *
   * @param channel the file
   * @param position where to read
   * @param dst the buffer; its position ends at its limit
   * @return the number of bytes that came from the file
   * @throws IOException on a read error
   */
  public static int readZeroPadded(FileChannel channel, long position, ByteBuffer dst)
      throws IOException {
    int got = 0;
    long at = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, at);
      if (n < 0) {
        break;
      }
      at += n;
      got += n;
    }
    fillZero(dst);
    return got;
  }

  /**
   * Writes all of {@code src} at {@code position}.
   *
   * @param channel the file
   * @param position where to write
   * @param src the bytes; its position ends at its limit
   * @throws IOException on an I/O error
   */
  public static void writeFully(FileChannel channel, long position, ByteBuffer src)
      throws IOException {
    long at = position;
    while (src.hasRemaining()) {
      at += channel.write(src, at);
    }
  }

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
