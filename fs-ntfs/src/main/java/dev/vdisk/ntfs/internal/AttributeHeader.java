package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An MFT attribute header (resident or non-resident), as it appears in an MFT entry.
 *
 * @param recordOffset offset of the attribute within its MFT entry
 * @param type the attribute type ({@code 0x80} for $DATA)
 * @param length the attribute's size in bytes, header and value
 * @param nonResident whether the value lives in clusters described by a runlist
 * @param name the attribute name (UTF-16LE on disk), empty when unnamed
 * @param flags the data flags ({@link #FLAG_COMPRESSED_MASK}, {@link #FLAG_ENCRYPTED}, {@link
 *     #FLAG_SPARSE})
 * @param id the attribute identifier
 * @param valueOffset resident: the value's offset within the attribute; otherwise 0
 * @param valueLength resident: the value's length; otherwise 0
 * @param firstVcn non-resident: the first VCN of this extent
 * @param lastVcn non-resident: the last VCN of this extent (first - 1 when empty)
 * @param dataRunsOffset non-resident: offset of the runlist within the attribute
 * @param compressionUnit non-resident: log2 of the compression unit size in clusters
 * @param allocatedSize non-resident: allocated bytes
 * @param dataSize non-resident: the value's size in bytes
 * @param initializedSize non-resident: bytes initialised (the rest reads as zeros)
 */
public record AttributeHeader(
    int recordOffset,
    int type,
    int length,
    boolean nonResident,
    String name,
    int flags,
    int id,
    int valueOffset,
    int valueLength,
    long firstVcn,
    long lastVcn,
    int dataRunsOffset,
    int compressionUnit,
    long allocatedSize,
    long dataSize,
    long initializedSize) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "MFT attribute";

  /** The type that ends the attribute list in an MFT entry. */
  public static final int END_MARKER = 0xffffffff;

  /** Data flags: compression method (LZNT1 is 1). */
  public static final int FLAG_COMPRESSED_MASK = 0x00ff;

  /** Data flags: encrypted. */
  public static final int FLAG_ENCRYPTED = 0x4000;

  /** Data flags: sparse. */
  public static final int FLAG_SPARSE = 0x8000;

  /**
   * Parses the attribute header at {@code pos} of an MFT entry.
   *
   * @param entry the MFT entry (after fixups), from 0 to its used size
   * @param pos offset of the attribute within the entry
   * @param source the device or file, for error messages
   * @param entryOffset byte offset of the entry on {@code source}, for error messages
   * @return the header
   * @throws CorruptStructureException if a field or the value lies outside the attribute or the
   *     attribute outside the entry
   */
  public static AttributeHeader parse(ByteBuffer entry, int pos, String source, long entryOffset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(entry);
    long at = entryOffset < 0 ? -1 : entryOffset + pos;
    Bytes.require(b, pos, 16, source, at, STRUCTURE);
    int type = b.getInt(pos);
    long length = b.getInt(pos + 4) & 0xffffffffL;
    if (length < 16 || (length & 7) != 0 || length > b.limit() - pos) {
      throw corrupt(source, at, String.format("type 0x%x: length %d is not a multiple of 8 from"
          + " 16 to the %d bytes left in the MFT entry", type, length, b.limit() - pos));
    }
    ByteBuffer a = Bytes.le(b.slice(pos, (int) length));
    int nonResidentFlag = a.get(8) & 0xff;
    if (nonResidentFlag > 1) {
      throw corrupt(source, at, "non-resident flag " + nonResidentFlag + " is not 0 or 1");
    }
    boolean nonResident = nonResidentFlag == 1;
    int nameLength = a.get(9) & 0xff;
    int nameOffset = a.getShort(10) & 0xffff;
    int flags = a.getShort(12) & 0xffff;
    int id = a.getShort(14) & 0xffff;
    int headerSize = nonResident ? 0x40 : 0x18;
    if (length < headerSize) {
      throw corrupt(source, at, "length " + length + " is shorter than the "
          + (nonResident ? "non-resident" : "resident") + " header of " + headerSize + " bytes");
    }
    String name = "";
    if (nameLength > 0) {
      if (nameOffset > length - 2L * nameLength) {
        throw corrupt(source, at, "name of " + nameLength + " characters at " + nameOffset
            + " lies outside the attribute of " + length + " bytes");
      }
      byte[] raw = new byte[2 * nameLength];
      a.get(nameOffset, raw);
      name = new String(raw, StandardCharsets.UTF_16LE);
    }
    if (!nonResident) {
      long valueLength = a.getInt(0x10) & 0xffffffffL;
      int valueOffset = a.getShort(0x14) & 0xffff;
      if (valueOffset > length || valueLength > length - valueOffset) {
        throw corrupt(source, at, "resident value of " + valueLength + " bytes at "
            + valueOffset + " lies outside the attribute of " + length + " bytes");
      }
      return new AttributeHeader(pos, type, (int) length, false, name, flags, id, valueOffset,
          (int) valueLength, 0, -1, 0, 0, 0, 0, 0);
    }
    long firstVcn = a.getLong(0x10);
    long lastVcn = a.getLong(0x18);
    int runsOffset = a.getShort(0x20) & 0xffff;
    int compressionUnit = a.getShort(0x22) & 0xffff;
    long allocated = a.getLong(0x28);
    long dataSize = a.getLong(0x30);
    long initialized = a.getLong(0x38);
    if (firstVcn < 0 || lastVcn < firstVcn - 1) {
      throw corrupt(source, at, "VCN range " + firstVcn + ".." + lastVcn + " is invalid");
    }
    if (runsOffset < headerSize || runsOffset > length) {
      throw corrupt(source, at, "data runs offset " + runsOffset
          + " lies outside the attribute of " + length + " bytes");
    }
    if (compressionUnit > 16) {
      throw corrupt(source, at, "compression unit 2^" + compressionUnit + " is too large");
    }
    if (firstVcn == 0 && (allocated < 0 || dataSize < 0 || initialized < 0
        || dataSize > allocated || initialized > dataSize)) {
      throw corrupt(source, at, "sizes are inconsistent: allocated " + allocated + ", data "
          + dataSize + ", initialized " + initialized);
    }
    return new AttributeHeader(pos, type, (int) length, true, name, flags, id, 0, 0, firstVcn,
        lastVcn, runsOffset, compressionUnit, allocated, dataSize, initialized);
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }

  /**
   * Whether the compressed flag is set.
   *
   * @return {@code true} if compressed
   */
  public boolean isCompressed() {
    return (flags & FLAG_COMPRESSED_MASK) != 0;
  }

  /**
   * Whether the sparse flag is set.
   *
   * @return {@code true} if sparse
   */
  public boolean isSparse() {
    return (flags & FLAG_SPARSE) != 0;
  }

  /**
   * Whether the encrypted flag is set.
   *
   * @return {@code true} if encrypted
   */
  public boolean isEncrypted() {
    return (flags & FLAG_ENCRYPTED) != 0;
  }
}
