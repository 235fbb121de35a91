package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An MFT entry ("FILE" record): its header and its attributes, after the update sequence array has
 * been applied.
 *
 * @param sequence the sequence number
 * @param linkCount the number of hard links
 * @param firstAttributeOffset offset of the first attribute
 * @param flags the entry flags ({@link #FLAG_IN_USE}, {@link #FLAG_DIRECTORY})
 * @param usedSize bytes in use
 * @param allocatedSize the entry's size
 * @param baseRecordReference the base entry's file reference (0 for a base entry)
 * @param attributes the attribute headers in order, up to the end marker
 * @param data the entry's bytes after fixups (a read-only view)
 */
public record MftRecord(
    int sequence,
    int linkCount,
    int firstAttributeOffset,
    int flags,
    int usedSize,
    int allocatedSize,
    long baseRecordReference,
    List<AttributeHeader> attributes,
    ByteBuffer data) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "MFT entry";

  /** Entry flag: in use. */
  public static final int FLAG_IN_USE = 0x0001;

  /** Entry flag: has a directory index ($I30). */
  public static final int FLAG_DIRECTORY = 0x0002;

  /**
   * Parses an MFT entry: checks the signature, applies and validates the fixups (on a copy),
   * checks the header sizes and walks the attributes up to the end marker.
   *
   * @param buffer exactly one MFT entry, from its position to its limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the entry on {@code source}, for error messages
   * @return the entry
   * @throws CorruptStructureException on any inconsistency
   */
  public static MftRecord parse(ByteBuffer buffer, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
    copy.put(buffer.duplicate()).flip();
    ByteBuffer b = Bytes.le(copy);
    int size = b.limit();
    Bytes.require(b, 0, 0x30, source, offset, STRUCTURE);
    if (b.get(0) != 'F' || b.get(1) != 'I' || b.get(2) != 'L' || b.get(3) != 'E') {
      throw corrupt(source, offset, "no \"FILE\" signature");
    }
    Fixups.apply(b, source, offset, STRUCTURE);
    int sequence = b.getShort(0x10) & 0xffff;
    int linkCount = b.getShort(0x12) & 0xffff;
    int firstAttr = b.getShort(0x14) & 0xffff;
    int flags = b.getShort(0x16) & 0xffff;
    long used = b.getInt(0x18) & 0xffffffffL;
    long allocated = b.getInt(0x1c) & 0xffffffffL;
    long base = b.getLong(0x20);
    if (allocated != size) {
      throw corrupt(source, offset, "allocated size " + allocated + " is not the entry size "
          + size);
    }
    if (used > allocated || used < 0x30) {
      throw corrupt(source, offset, "used size " + used + " is outside 48.." + allocated);
    }
    if ((firstAttr & 7) != 0 || firstAttr < 0x28 || firstAttr > used - 4) {
      throw corrupt(source, offset, "first attribute offset " + firstAttr
          + " is not aligned or lies outside the used size " + used);
    }
    ByteBuffer usedPart = Bytes.le(b.slice(0, (int) used));
    List<AttributeHeader> attributes = new ArrayList<>();
    int pos = firstAttr;
    while (true) {
      Bytes.require(usedPart, pos, 4, source, offset, STRUCTURE);
      if (usedPart.getInt(pos) == AttributeHeader.END_MARKER) {
        break;
      }
      AttributeHeader attribute = AttributeHeader.parse(usedPart, pos, source, offset);
      attributes.add(attribute);
      pos += attribute.length(); // length >= 16, so this loop ends within the used size
    }
    return new MftRecord(sequence, linkCount, firstAttr, flags, (int) used, (int) allocated, base,
        List.copyOf(attributes), b.asReadOnlyBuffer());
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }

  /**
   * Whether the entry is in use.
   *
   * @return the in-use flag
   */
  public boolean isInUse() {
    return (flags & FLAG_IN_USE) != 0;
  }

  /**
   * Whether the entry is a directory.
   *
   * @return the directory flag
   */
  public boolean isDirectory() {
    return (flags & FLAG_DIRECTORY) != 0;
  }

  /**
   * The resident value of an attribute of this entry.
   *
   * @param attribute a resident attribute of this entry
   * @return its value (a read-only little-endian view)
   */
  public ByteBuffer residentValue(AttributeHeader attribute) {
    int start = attribute.recordOffset() + attribute.valueOffset();
    return Bytes.le(data.slice(start, attribute.valueLength()));
  }

  /**
   * Decodes the runlist of a non-resident attribute of this entry.
   *
   * @param attribute a non-resident attribute of this entry
   * @param clusterCount the number of clusters in the volume
   * @param source the device or file, for error messages
   * @param offset byte offset of this entry on {@code source}, for error messages
   * @return the runs
   * @throws CorruptStructureException if the runlist is corrupt
   */
  public List<DataRuns.Run> dataRuns(
      AttributeHeader attribute, long clusterCount, String source, long offset)
      throws CorruptStructureException {
    int start = attribute.recordOffset() + attribute.dataRunsOffset();
    int end = attribute.recordOffset() + attribute.length();
    return DataRuns.decode(Bytes.le(data.slice(start, end - start)), attribute.firstVcn(),
        attribute.lastVcn(), clusterCount, source, offset < 0 ? -1 : offset + start);
  }
}
