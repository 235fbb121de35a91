package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Bounds-checked little-endian reads shared by the regf structure parsers. */
final class Bytes {
  private Bytes() {}

  static ByteBuffer le(ByteBuffer b) {
    return b.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  static void need(ByteBuffer b, int length, String source, long offset, String structure)
      throws CorruptStructureException {
    if (b.remaining() < length) {
      throw new CorruptStructureException(source, offset, structure,
          "needs " + length + " bytes, only " + b.remaining() + " available");
    }
  }

  /** A name stored either compressed (one byte per character, Latin-1) or as UTF-16LE. */
  static String name(ByteBuffer b, int at, int length, boolean compressed, String source,
      long offset, String structure) throws CorruptStructureException {
    if (at < 0 || length < 0 || at + (long) length > b.limit()) {
      throw new CorruptStructureException(source, offset, structure,
          "name of " + length + " bytes at " + at + " runs past the cell of " + b.limit());
    }
    byte[] raw = new byte[length];
    b.get(at, raw);
    if (compressed) {
      return new String(raw, StandardCharsets.ISO_8859_1);
    }
    if ((length & 1) != 0) {
      throw new CorruptStructureException(source, offset, structure,
          "UTF-16 name has odd length " + length);
    }
    return new String(raw, StandardCharsets.UTF_16LE);
  }
}
