package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A value key ({@code vk}) cell.
 *
 * @param dataSize raw data size; the high bit set means the data is stored in {@link #dataOffset}
 * @param dataOffset offset of the data cell, or the data itself when inline
 * @param type the value type (REG_*)
 * @param flags 0x0001 when the name is compressed (Latin-1)
 * @param name the value name, "" for the default value
 */
public record ValueKey(int dataSize, int dataOffset, int type, int flags, String name) {

  /** Fixed part of the structure before the name. */
  public static final int FIXED = 20;
  /** The name is stored one byte per character. */
  public static final int VALUE_COMP_NAME = 0x0001;
  /** Offset of the data size field in the cell data. */
  public static final int DATA_SIZE = 4;
  /** Offset of the data offset field. */
  public static final int DATA_OFFSET = 8;
  /** Offset of the type field. */
  public static final int TYPE = 12;

  /**
   * Writes a value key.
   *
   * @param b the hive bins data (little-endian)
   * @param at where the cell data starts; {@code FIXED + name.length} bytes
   * @param name the stored name bytes, Latin-1 when {@code flags} has {@link #VALUE_COMP_NAME}
   */
  public static void writeTo(ByteBuffer b, int at, byte[] name, int flags, int dataSize,
      int dataOffset, int type) {
    b.put(at, (byte) 'v').put(at + 1, (byte) 'k').putShort(at + 2, (short) name.length)
        .putInt(at + DATA_SIZE, dataSize).putInt(at + DATA_OFFSET, dataOffset)
        .putInt(at + TYPE, type).putShort(at + 16, (short) flags).putShort(at + 18, (short) 0);
    b.put(at + FIXED, name);
  }

  /** Parses and validates a value key from a cell's data. */
  public static ValueKey parse(ByteBuffer data, String source, long at)
      throws CorruptStructureException {
    Bytes.need(data, FIXED, source, at, "vk");
    ByteBuffer b = Bytes.le(data);
    if (b.get(0) != 'v' || b.get(1) != 'k') {
      throw new CorruptStructureException(source, at, "vk", "signature is not vk");
    }
    int nameLength = b.getShort(2) & 0xffff;
    int flags = b.getShort(16) & 0xffff;
    String name = Bytes.name(b, FIXED, nameLength, (flags & VALUE_COMP_NAME) != 0, source, at,
        "vk");
    return new ValueKey(b.getInt(4), b.getInt(8), b.getInt(12), flags, name);
  }

  /** Whether the data lives in the data offset field itself. */
  public boolean inline() {
    return dataSize < 0;
  }

  /** Length of the value's data in bytes. */
  public int length() {
    return dataSize & 0x7fffffff;
  }
}
