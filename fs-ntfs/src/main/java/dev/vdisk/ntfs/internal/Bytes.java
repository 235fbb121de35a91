package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian bounded reads that report a corrupt structure instead of an index error. */
final class Bytes {
  private Bytes() {}

  static ByteBuffer le(ByteBuffer buffer) {
    return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  static void require(
      ByteBuffer b, int pos, int length, String source, long offset, String structure)
      throws CorruptStructureException {
    if (pos < 0 || length < 0 || pos > b.limit() - length) {
      throw new CorruptStructureException(source, offset, structure,
          "field at " + pos + " of " + length + " bytes lies outside the " + b.limit()
              + " bytes available");
    }
  }
}
