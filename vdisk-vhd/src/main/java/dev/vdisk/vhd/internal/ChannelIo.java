package dev.vdisk.vhd.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Positional reads and writes that transfer every byte or fail. */
public final class ChannelIo {
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
   * Reads {@code length} bytes at {@code position} into a new buffer.
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
   * Writes all of {@code src} at {@code position}.
   *
   * @param channel the file
   * @param position where to write
   * @param src the bytes
   * @throws IOException on an I/O error
   */
  public static void writeFully(FileChannel channel, long position, ByteBuffer src)
      throws IOException {
    long at = position;
    while (src.hasRemaining()) {
      at += channel.write(src, at);
    }
  }
}
