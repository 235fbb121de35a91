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
