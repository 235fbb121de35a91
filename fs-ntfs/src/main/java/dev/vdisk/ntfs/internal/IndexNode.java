package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One node of an NTFS file-name index ({@code $I30}) B+ tree: the node header and its entries, as
 * found in an {@code $INDEX_ROOT} value or an {@code INDX} record of {@code $INDEX_ALLOCATION}.
 *
 * @param hasChildren whether entries point to child nodes
 * @param entries the entries in collation order; the last one ({@link Entry#isLast()}) has no key
 */
public record IndexNode(boolean hasChildren, List<Entry> entries) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "index node";

  /** Entry flag: has a child node. */
  public static final int ENTRY_HAS_CHILD = 0x1;

  /** Entry flag: the last entry of the node. */
  public static final int ENTRY_LAST = 0x2;

  /**
   * One index entry.
   *
   * @param reference the file reference (record number and sequence)
   * @param key the key (a {@code $FILE_NAME} value in {@code $I30}), empty in the last entry
   * @param flags the entry flags
   * @param childVcn the child node's VCN, or -1
   */
  public record Entry(long reference, ByteBuffer key, int flags, long childVcn) {
    /**
     * Whether this is the node's last (key-less) entry.
     *
     * @return the last-entry flag
     */
    public boolean isLast() {
      return (flags & ENTRY_LAST) != 0;
    }

    /**
     * The referenced MFT record number (file-name indexes).
     *
     * @return the low 48 bits of {@link #reference()}
     */
    public long record() {
      return reference & 0xffff_ffff_ffffL;
    }
  }

  /**
   * Parses a node from its node header.
   *
   * @param node the bytes from the node header to the end of the containing value or record
   * @param source the device or file, for error messages
   * @param offset byte offset of the node header on {@code source} (or -1)
   * @return the node
   * @throws CorruptStructureException if the header or an entry is malformed
   */
  public static IndexNode parse(ByteBuffer node, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(node.slice());
    Bytes.require(b, 0, 16, source, offset, STRUCTURE);
    long entriesOffset = b.getInt(0) & 0xffffffffL;
    long used = b.getInt(4) & 0xffffffffL;
    int flags = b.get(12) & 0xff;
    if (used > b.limit() || entriesOffset < 16 || entriesOffset > used) {
      throw new CorruptStructureException(source, offset, STRUCTURE, "entries at "
          + entriesOffset + " with " + used + " bytes in use do not fit the " + b.limit()
          + " bytes of the node");
    }
    boolean hasChildren = (flags & 1) != 0;
    List<Entry> entries = new ArrayList<>();
    int pos = (int) entriesOffset;
    while (true) {
      long at = offset < 0 ? -1 : offset + pos;
      if (pos + 16 > used) {
        throw new CorruptStructureException(source, at, STRUCTURE,
            "the entries end without a last entry");
      }
      long reference = b.getLong(pos);
      int length = b.getShort(pos + 8) & 0xffff;
      int keyLength = b.getShort(pos + 10) & 0xffff;
      int entryFlags = b.getShort(pos + 12) & 0xffff;
      boolean child = (entryFlags & ENTRY_HAS_CHILD) != 0;
      int minimum = 16 + ((entryFlags & ENTRY_LAST) != 0 ? 0 : keyLength) + (child ? 8 : 0);
      if (length < minimum || (length & 7) != 0 || length > used - pos) {
        throw new CorruptStructureException(source, at, STRUCTURE, "entry length " + length
            + " is not a multiple of 8 from " + minimum + " to the " + (used - pos)
            + " bytes left");
      }
      if (child != hasChildren) {
        throw new CorruptStructureException(source, at, STRUCTURE, "an entry "
            + (child ? "has" : "lacks") + " a child in a node whose header says it "
            + (hasChildren ? "has" : "has no") + " children");
      }
      long childVcn = child ? b.getLong(pos + length - 8) : -1;
      if (child && childVcn < 0) {
        throw new CorruptStructureException(source, at, STRUCTURE,
            "negative child VCN " + childVcn);
      }
      ByteBuffer key = (entryFlags & ENTRY_LAST) != 0
          ? ByteBuffer.allocate(0) : Bytes.le(b.slice(pos + 16, keyLength));
      entries.add(new Entry(reference, key, entryFlags, childVcn));
      if ((entryFlags & ENTRY_LAST) != 0) {
        break;
      }
      pos += length;
    }
    return new IndexNode(hasChildren, List.copyOf(entries));
  }

  /**
   * Parses an {@code $INDEX_ROOT} value.
   *
   * @param value the value
   * @param source the device or file, for error messages
   * @param offset byte offset of the value (or -1)
   * @return the root: its header fields and node
   * @throws CorruptStructureException if malformed
   */
  public static Root parseRoot(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    Bytes.require(b, 0, 0x20, source, offset, "$INDEX_ROOT");
    int attributeType = b.getInt(0);
    int collation = b.getInt(4);
    long recordSize = b.getInt(8) & 0xffffffffL;
    if (recordSize < 512 || recordSize > 65536 || Long.bitCount(recordSize) != 1) {
      throw new CorruptStructureException(source, offset, "$INDEX_ROOT",
          "index record size " + recordSize + " is not a power of two from 512 to 65536");
    }
    IndexNode node = parse(b.slice(0x10, b.limit() - 0x10), source,
        offset < 0 ? -1 : offset + 0x10);
    return new Root(attributeType, collation, (int) recordSize, node);
  }

  /**
   * The header of an {@code $INDEX_ROOT} and its node.
   *
   * @param attributeType the indexed attribute type (0x30 for {@code $I30}, 0 for view indexes)
   * @param collationRule the collation rule (1 = file name)
   * @param indexRecordSize the size of each {@code INDX} record
   * @param node the root node
   */
  public record Root(int attributeType, int collationRule, int indexRecordSize, IndexNode node) {}

  /**
   * Parses an {@code INDX} record of {@code $INDEX_ALLOCATION}: checks the signature, applies the
   * fixups (on a copy) and parses the node.
   *
   * @param record exactly one index record
   * @param expectedVcn the VCN it was read from
   * @param source the device or file, for error messages
   * @param offset byte offset of the record (or -1)
   * @return the node
   * @throws CorruptStructureException if malformed
   */
  public static IndexNode parseRecord(ByteBuffer record, long expectedVcn, String source,
      long offset) throws CorruptStructureException {
    ByteBuffer copy = ByteBuffer.allocate(record.remaining());
    copy.put(record.duplicate()).flip();
    ByteBuffer b = Bytes.le(copy);
    Bytes.require(b, 0, 0x28, source, offset, "INDX record");
    if (b.get(0) != 'I' || b.get(1) != 'N' || b.get(2) != 'D' || b.get(3) != 'X') {
      throw new CorruptStructureException(source, offset, "INDX record",
          "no \"INDX\" signature");
    }
    Fixups.apply(b, source, offset, "INDX record");
    long vcn = b.getLong(0x10);
    if (vcn != expectedVcn) {
      throw new CorruptStructureException(source, offset, "INDX record",
          "records VCN " + vcn + " but was read at VCN " + expectedVcn);
    }
    return parse(b.slice(0x18, b.limit() - 0x18), source,
        offset < 0 ? -1 : offset + 0x18);
  }
}
