package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of an {@code $ATTRIBUTE_LIST}: where an attribute (or one extent of it) of a file
 * whose attributes span several MFT entries lives.
 *
 * @param type the attribute type
 * @param name the attribute name
 * @param firstVcn the first VCN of this extent (0 for resident attributes)
 * @param fileReference the MFT entry holding it (record number and sequence)
 * @param id the attribute id within that entry
 */
public record AttributeListEntry(int type, String name, long firstVcn, long fileReference,
    int id) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "$ATTRIBUTE_LIST entry";

  /**
   * Parses a whole attribute list value.
   *
   * @param value the value, from its position to its limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the value on {@code source} (or -1), for error messages
   * @return the entries in order
   * @throws CorruptStructureException if an entry is truncated or malformed
   */
  public static List<AttributeListEntry> parseAll(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    List<AttributeListEntry> entries = new ArrayList<>();
    int pos = 0;
    while (pos + 0x1a <= b.limit()) {
      long at = offset < 0 ? -1 : offset + pos;
      int type = b.getInt(pos);
      int length = b.getShort(pos + 4) & 0xffff;
      if (type == AttributeHeader.END_MARKER || type == 0) {
        break;
      }
      if (length < 0x1a || length > b.limit() - pos) {
        throw new CorruptStructureException(source, at, STRUCTURE, "length " + length
            + " is outside 26.." + (b.limit() - pos));
      }
      int nameLength = b.get(pos + 6) & 0xff;
      int nameOffset = b.get(pos + 7) & 0xff;
      if (nameLength > 0 && (nameOffset < 0x1a || nameOffset + 2 * nameLength > length)) {
        throw new CorruptStructureException(source, at, STRUCTURE, "name of " + nameLength
            + " characters at " + nameOffset + " lies outside the entry of " + length + " bytes");
      }
      String name = "";
      if (nameLength > 0) {
        byte[] raw = new byte[2 * nameLength];
        b.get(pos + nameOffset, raw);
        name = new String(raw, StandardCharsets.UTF_16LE);
      }
      long firstVcn = b.getLong(pos + 8);
      if (firstVcn < 0) {
        throw new CorruptStructureException(source, at, STRUCTURE, "negative first VCN");
      }
      entries.add(new AttributeListEntry(type, name, firstVcn, b.getLong(pos + 0x10),
          b.getShort(pos + 0x18) & 0xffff));
      pos += length;
    }
    return entries;
  }

  /**
   * The MFT record number of the entry holding the attribute.
   *
   * @return the low 48 bits of the file reference
   */
  public long record() {
    return fileReference & 0xffff_ffff_ffffL;
  }
}
