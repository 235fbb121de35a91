package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * The 32-byte header of a hive bin ({@code hbin}): its offset relative to the first hive bin, and
 * its size, a multiple of 4096.
 *
 * @param offset offset of this bin from the first hive bin
 * @param size size of this bin including the header
 */
public record HiveBinHeader(int offset, int size) {

  /** Header length. */
  public static final int SIZE = 32;

  /**
   * Writes this header at its offset in the hive bins data (the reserved fields and the
   * timestamp zero, except {@code timestamp} which Windows keeps in the first bin only).
   */
  public void writeTo(ByteBuffer bins, long timestamp) {
    bins.putInt(offset, 0x6e696268).putInt(offset + 4, offset).putInt(offset + 8, size)
        .putLong(offset + 12, 0).putLong(offset + 20, timestamp).putInt(offset + 28, 0);
  }

  /**
   * Parses and validates a hive bin header.
   *
   * @param buffer the header bytes
   * @param expectedOffset where this bin is, relative to the first hive bin
   * @param remaining bytes of hive bins data from this bin to the end
   */
  public static HiveBinHeader parse(ByteBuffer buffer, int expectedOffset, long remaining,
      String source) throws CorruptStructureException {
    long at = BaseBlock.SIZE + (long) expectedOffset;
    Bytes.need(buffer, SIZE, source, at, "hbin header");
    ByteBuffer b = Bytes.le(buffer);
    if (b.getInt(0) != 0x6e696268) {
      throw new CorruptStructureException(source, at, "hbin header", "signature is not hbin");
    }
    int offset = b.getInt(4);
    if (offset != expectedOffset) {
      throw new CorruptStructureException(source, at + 4, "hbin header",
          "records offset " + Integer.toUnsignedString(offset) + ", found at " + expectedOffset);
    }
    int size = b.getInt(8);
    if (size < BaseBlock.ALIGNMENT || size % BaseBlock.ALIGNMENT != 0 || size > remaining) {
      throw new CorruptStructureException(source, at + 8, "hbin header",
          "size " + Integer.toUnsignedString(size) + " is not a multiple of 4096 within the "
              + remaining + " bytes left");
    }
    return new HiveBinHeader(offset, size);
  }
}
