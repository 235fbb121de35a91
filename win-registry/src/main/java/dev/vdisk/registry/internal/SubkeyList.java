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

  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
    }
    return sb.toString();
  }
}
