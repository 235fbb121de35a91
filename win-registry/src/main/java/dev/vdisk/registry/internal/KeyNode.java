package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A key node ({@code nk}) cell.
 *
 * @param flags KEY_* flags (0x0001 volatile, 0x0004 hive entry (root), 0x0020 compressed name, ...)
 * @param lastWritten FILETIME of the last write
 * @param parent offset of the parent key node
 * @param subkeyCount number of stable subkeys
 * @param volatileSubkeyCount number of volatile subkeys (meaningless on disk)
 * @param subkeyList offset of the stable subkey list or -1
 * @param valueCount number of values
 * @param valueList offset of the value list cell or -1
 * @param security offset of the security (sk) cell
 * @param classNameOffset offset of the class name cell or -1
 * @param classNameLength length of the class name in bytes
 * @param name the key name
 */
public record KeyNode(int flags, long lastWritten, int parent, int subkeyCount,
    int volatileSubkeyCount, int subkeyList, int valueCount, int valueList, int security,
    int classNameOffset, int classNameLength, String name) {

  /** The key is volatile (only in memory). */
  public static final int KEY_VOLATILE = 0x0001;
  /** The key is the root of the hive. */
  public static final int KEY_HIVE_ENTRY = 0x0004;
  /** The name is stored one byte per character (Latin-1). */
  public static final int KEY_COMP_NAME = 0x0020;
  /** Fixed part of the structure before the name. */
  public static final int FIXED = 76;
  /** Offset of the flags (16 bits) in the cell data. */
  public static final int FLAGS = 2;
  /** Offset of the last-written FILETIME. */
  public static final int LAST_WRITTEN = 4;
  /** Offset of the parent key node's offset. */
  public static final int PARENT = 16;
  /** Offset of the stable subkey count. */
  public static final int SUBKEY_COUNT = 20;
  /** Offset of the stable subkey list's offset. */
  public static final int SUBKEY_LIST = 28;
  /** Offset of the volatile subkey list's offset. */
  public static final int VOLATILE_SUBKEY_LIST = 32;
  /** Offset of the value count. */
  public static final int VALUE_COUNT = 36;
  /** Offset of the value list's offset. */
  public static final int VALUE_LIST = 40;
  /** Offset of the security cell's offset. */
  public static final int SECURITY = 44;
  /** Offset of the class name cell's offset. */
  public static final int CLASS_NAME = 48;
  /**
   * Offset of the largest subkey name length (low 16 bits, bytes of UTF-16; the high bits hold
   * virtualization, user and debug flags since Windows Vista).
   */
  public static final int MAX_SUBKEY_NAME = 52;
  /** Offset of the largest subkey class name length in bytes. */
  public static final int MAX_SUBKEY_CLASS = 56;
  /** Offset of the largest value name length in bytes (UTF-16). */
  public static final int MAX_VALUE_NAME = 60;
  /** Offset of the largest value data size in bytes. */
  public static final int MAX_VALUE_DATA = 64;
  /** Offset of the key name length (16 bits) in bytes as stored. */
  public static final int NAME_LENGTH = 72;

  /**
   * Writes a new key node without subkeys, values or class name: every list offset -1, every
   * count and maximum 0.
   *
   * @param b the hive bins data (little-endian)
   * @param at where the cell data starts (cell offset + 4); {@code FIXED + name.length} bytes
   * @param flags KEY_* flags ({@link #KEY_COMP_NAME} must match how {@code name} is encoded)
   * @param name the stored name bytes (Latin-1 or UTF-16LE)
   */
  public static void writeNew(ByteBuffer b, int at, int flags, long lastWritten, int parent,
      int security, byte[] name) {
    for (int i = 0; i < FIXED; i++) {
      b.put(at + i, (byte) 0);
    }
    b.put(at, (byte) 'n').put(at + 1, (byte) 'k').putShort(at + FLAGS, (short) flags)
        .putLong(at + LAST_WRITTEN, lastWritten).putInt(at + PARENT, parent)
        .putInt(at + SUBKEY_LIST, -1).putInt(at + VOLATILE_SUBKEY_LIST, -1)
        .putInt(at + VALUE_LIST, -1).putInt(at + SECURITY, security).putInt(at + CLASS_NAME, -1)
        .putShort(at + NAME_LENGTH, (short) name.length);
    b.put(at + FIXED, name);
  }

  /** Parses and validates a key node from a cell's data. */
  public static KeyNode parse(ByteBuffer data, String source, long at)
      throws CorruptStructureException {
    Bytes.need(data, FIXED, source, at, "nk");
    ByteBuffer b = Bytes.le(data);
    if (b.get(0) != 'n' || b.get(1) != 'k') {
      throw new CorruptStructureException(source, at, "nk", "signature is not nk");
    }
    int flags = b.getShort(2) & 0xffff;
    int subkeys = b.getInt(20);
    int values = b.getInt(36);
    if (subkeys < 0 || values < 0) {
      throw new CorruptStructureException(source, at, "nk", "negative subkey or value count");
    }
    int nameLength = b.getShort(72) & 0xffff;
    String name = Bytes.name(b, FIXED, nameLength, (flags & KEY_COMP_NAME) != 0, source, at, "nk");
    return new KeyNode(flags, b.getLong(4), b.getInt(16), subkeys, b.getInt(24), b.getInt(28),
        values, b.getInt(40), b.getInt(44), b.getInt(48), b.getShort(74) & 0xffff, name);
  }

  /** Whether this key node is marked as the hive's root. */
  public boolean isRoot() {
    return (flags & KEY_HIVE_ENTRY) != 0;
  }

  /** Whether this key node is marked volatile. */
  public boolean isVolatile() {
    return (flags & KEY_VOLATILE) != 0;
  }
}
