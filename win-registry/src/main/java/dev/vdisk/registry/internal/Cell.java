package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A cell inside a hive bin: a signed 32-bit size (negative when allocated, positive when free, a
 * multiple of 8 including the size field) followed by the cell's data.
 *
 * @param offset offset of the cell relative to the first hive bin
 * @param allocated whether the size was negative
 * @param size absolute size including the 4-byte size field
 * @param data the cell's data (size - 4 bytes), little-endian, positioned at 0
 */
public record Cell(int offset, boolean allocated, int size, ByteBuffer data) {

  /** Offset value meaning "no cell". */
  public static final int NONE = -1;

  /**
   * Parses the cell starting at {@code offset} in the hive bins data.
   *
   * @param bins the hive bins data (index 0 is the first hive bin)
   * @param offset the cell offset
   */
  public static Cell parse(ByteBuffer bins, int offset, String source)
      throws CorruptStructureException {
    long at = BaseBlock.SIZE + Integer.toUnsignedLong(offset);
    if (offset < HiveBinHeader.SIZE || (offset & 7) != 0 || offset > bins.limit() - 8) {
      throw new CorruptStructureException(source, at, "cell",
          "offset " + Integer.toUnsignedString(offset) + " is outside the hive bins data or unaligned");
    }
    ByteBuffer b = Bytes.le(bins);
    int raw = b.getInt(offset);
    boolean allocated = raw < 0;
    long size = Math.abs((long) raw);
    if (size < 8 || (size & 7) != 0 || offset + size > bins.limit()) {
      throw new CorruptStructureException(source, at, "cell",
          "size " + raw + " is not a multiple of 8 of at least 8 within the hive bins data");
    }
    ByteBuffer data = Bytes.le(b.slice(offset + 4, (int) size - 4));
    return new Cell(offset, allocated, (int) size, data);
  }

  /** The same as {@link #parse} but rejecting free cells, as a referenced cell must be allocated. */
  public static Cell allocated(ByteBuffer bins, int offset, String source, String what)
      throws CorruptStructureException {
    Cell c = parse(bins, offset, source);
    if (!c.allocated) {
      throw new CorruptStructureException(source, BaseBlock.SIZE + (long) offset, what,
          "refers to a free cell");
    }
    return c;
  }

  /** The two-byte signature at the start of the cell data, or "" when too short. */
  public String signature() {
    if (data.limit() < 2) {
      return "";
    }
    return "" + (char) (data.get(0) & 0xff) + (char) (data.get(1) & 0xff);
  }

  /** File offset of the cell data for messages. */
  public long fileOffset() {
    return BaseBlock.SIZE + (long) offset + 4;
  }
}
