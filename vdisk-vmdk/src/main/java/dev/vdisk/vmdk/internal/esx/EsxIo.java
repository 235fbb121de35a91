package dev.vdisk.vmdk.internal.esx;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Positional reads of whole structures, failing with the structure's name when the file ends. */
final class EsxIo {
  private EsxIo() {}

  /**
   * Reads {@code length} bytes at {@code position} into a new little-endian buffer.
   *
   * @param channel the file
   * @param file its path, for errors
   * @param position where the structure starts
   * @param length its length
   * @param fileSize the file's size, checked first so no buffer is allocated for a structure that
   *     cannot be there
   * @param structure the structure's name
   * @return the bytes, positioned at 0
   * @throws CorruptStructureException if the structure does not lie inside the file
   * @throws IOException on an I/O error
   */
  static ByteBuffer read(FileChannel channel, Path file, long position, int length, long fileSize,
      String structure) throws IOException {
    if (position < 0 || length < 0 || position > fileSize || length > fileSize - position) {
      throw new CorruptStructureException(file, position, structure,
          length + " bytes at " + position + " do not lie inside the file of " + fileSize
              + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    ChannelIo.readFully(channel, file, position, buffer, structure);
    return buffer.flip();
  }
}
