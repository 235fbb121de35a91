package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * The update sequence array (fixups) of a multi-sector record (FILE, INDX): the last two bytes of
 * every 512-byte stride hold the update sequence number, and the array holds the bytes they
 * replaced.
 */
public final class Fixups {
  /** The stride protected by one update sequence array entry. */
  public static final int STRIDE = 512;

  private Fixups() {}

  /**
   * Validates the update sequence array of a record and restores the original bytes in place.
   *
   * @param record the whole record, from position 0 to its limit (its length is the record size);
   *     the update sequence array offset and count are read at 4 and 6
   * @param source the device or file, for error messages
   * @param offset byte offset of the record on {@code source}, for error messages
   * @param structure the record's name for error messages (such as {@code "MFT entry"})
   * @throws CorruptStructureException if the array lies outside the record, does not cover it
   *     exactly, or a stride does not end with the update sequence number (a torn write)
   */
  public static void apply(ByteBuffer record, String source, long offset, String structure)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(record);
    int size = b.limit();
    Bytes.require(b, 4, 4, source, offset, structure);
    int usaOffset = b.getShort(4) & 0xffff;
    int usaCount = b.getShort(6) & 0xffff;
    if (size % STRIDE != 0 || usaCount != size / STRIDE + 1) {
      throw new CorruptStructureException(source, offset, structure,
          "update sequence array count " + usaCount + " does not match the record size " + size);
    }
    if ((usaOffset & 1) != 0 || usaOffset < 8 || usaOffset > size - 2 * usaCount) {
      throw new CorruptStructureException(source, offset, structure,
          "update sequence array offset " + usaOffset + " with " + usaCount
              + " entries lies outside the record of " + size + " bytes");
    }
    short usn = b.getShort(usaOffset);
    for (int i = 1; i < usaCount; i++) {
      int end = i * STRIDE - 2;
      short found = b.getShort(end);
      if (found != usn) {
        throw new CorruptStructureException(source, offset, structure, String.format(
            "torn write: sector %d ends with 0x%04x, not the update sequence number 0x%04x",
            i - 1, found & 0xffff, usn & 0xffff));
      }
    }
    for (int i = 1; i < usaCount; i++) {
      b.putShort(i * STRIDE - 2, b.getShort(usaOffset + 2 * i));
    }
  }
}
