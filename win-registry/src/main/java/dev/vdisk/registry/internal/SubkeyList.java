package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A subkey list cell: {@code lf} and {@code lh} (offset and hash pairs), {@code li} (offsets) or
 * {@code ri} (offsets of other lists, themselves li, lf or lh).
 *
 * @param type "lf", "lh", "li" or "ri"
 * @param offsets the referenced cells (key nodes, or lists for ri)
 */
public record SubkeyList(String type, int[] offsets) {

  /** Parses and validates a subkey list from a cell's data. */
  public static SubkeyList parse(ByteBuffer data, String source, long at)
      throws CorruptStructureException {
    Bytes.need(data, 4, source, at, "subkey list");
    ByteBuffer b = Bytes.le(data);
    String type = "" + (char) (b.get(0) & 0xff) + (char) (b.get(1) & 0xff);
    int count = b.getShort(2) & 0xffff;
    int stride;
    switch (type) {
      case "lf", "lh" -> stride = 8;
      case "li", "ri" -> stride = 4;
      default -> throw new CorruptStructureException(source, at, "subkey list",
          "unknown signature " + printable(type));
    }
    if (4 + (long) count * stride > b.limit()) {
      throw new CorruptStructureException(source, at, type,
          count + " elements do not fit in the cell of " + b.limit() + " bytes");
    }
    int[] offsets = new int[count];
    for (int i = 0; i < count; i++) {
      offsets[i] = b.getInt(4 + i * stride);
    }
    return new SubkeyList(type, offsets);
  }

  /** Bytes of an lf or lh leaf of {@code n} entries. */
  public static int leafLength(int n) {
    return 4 + 8 * n;
  }

  /** Bytes of an ri index root (or li leaf) of {@code n} entries. */
  public static int indexLength(int n) {
    return 4 + 4 * n;
  }

  /**
   * Writes an lf or lh leaf: the key nodes' offsets, each with its hash (lh) or name hint (lf).
   *
   * @param at where the cell data starts; {@link #leafLength} bytes
   */
  public static void writeLeaf(ByteBuffer b, int at, String type, int[] keys, int[] hashes) {
    b.put(at, (byte) type.charAt(0)).put(at + 1, (byte) type.charAt(1))
        .putShort(at + 2, (short) keys.length);
    for (int i = 0; i < keys.length; i++) {
      b.putInt(at + 4 + i * 8, keys[i]).putInt(at + 8 + i * 8, hashes[i]);
    }
  }

  /**
   * Writes an ri index root listing leaf cells.
   *
   * @param at where the cell data starts; {@link #indexLength} bytes
   */
  public static void writeIndexRoot(ByteBuffer b, int at, int[] leaves) {
    b.put(at, (byte) 'r').put(at + 1, (byte) 'i').putShort(at + 2, (short) leaves.length);
    for (int i = 0; i < leaves.length; i++) {
      b.putInt(at + 4 + i * 4, leaves[i]);
    }
  }

  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
    }
    return sb.toString();
  }
}
