package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reads link targets out of {@code $REPARSE_POINT} values. */
final class Reparse {
  private static final String STRUCTURE = "$REPARSE_POINT";

  private Reparse() {}

  static String target(byte[] value, String source) throws CorruptStructureException {
    ByteBuffer b = Bytes.le(ByteBuffer.wrap(value));
    Bytes.require(b, 0, 8, source, -1, STRUCTURE);
    int tag = b.getInt(0);
    int length = b.getShort(4) & 0xffff;
    Bytes.require(b, 8, length, source, -1, STRUCTURE);
    ByteBuffer d = Bytes.le(b.slice(8, length));
    if (tag == NtfsVolume.TAG_LX_SYMLINK) {
      Bytes.require(d, 0, 4, source, -1, STRUCTURE);
      byte[] raw = new byte[d.limit() - 4];
      d.get(4, raw);
      return new String(raw, StandardCharsets.UTF_8);
    }
    boolean symlink = tag == NtfsVolume.TAG_SYMLINK;
    int header = symlink ? 12 : 8;
    Bytes.require(d, 0, header, source, -1, STRUCTURE);
    int subOffset = d.getShort(0) & 0xffff;
    int subLength = d.getShort(2) & 0xffff;
    int printOffset = d.getShort(4) & 0xffff;
    int printLength = d.getShort(6) & 0xffff;
    boolean relative = symlink && (d.getInt(8) & 1) != 0;
    String sub = name(d, header + subOffset, subLength, source);
    String print = name(d, header + printOffset, printLength, source);
    String target = print.isEmpty() ? sub : print;
    if (relative) {
      return target.replace('\\', '/');
    }
    String t = target;
    if (t.startsWith("\\??\\")) {
      t = t.substring(4);
    }
    if (t.length() >= 2 && t.charAt(1) == ':' && Character.isLetter(t.charAt(0))) {
      t = t.substring(2);
    }
    return t.replace('\\', '/');
  }

  private static String name(ByteBuffer d, int offset, int length, String source)
      throws CorruptStructureException {
    Bytes.require(d, offset, length, source, -1, STRUCTURE);
    byte[] raw = new byte[length];
    d.get(offset, raw);
    return new String(raw, StandardCharsets.UTF_16LE);
  }
}
