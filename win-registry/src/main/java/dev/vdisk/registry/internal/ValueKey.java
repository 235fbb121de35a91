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
