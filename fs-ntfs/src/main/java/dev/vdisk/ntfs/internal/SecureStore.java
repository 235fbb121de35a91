package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The security descriptor store of an NTFS 3.x volume, {@code $Secure} (MFT entry 9): the {@code
 * $SDS} stream of descriptor entries (each a 20-byte header and a self-relative descriptor,
 * 16-byte aligned, in 256 KiB blocks each followed by its mirror copy), and the {@code $SII}
 * (security id to entry) and {@code $SDH} (hash to entry) view indexes. This class decodes bytes
 * only; reading is the caller's, through {@link SdsReader}.
 */
public final class SecureStore {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "$Secure";

  /** The size of an $SDS block; each is followed by a mirror of itself. */
  public static final int BLOCK_SIZE = 256 * 1024;

  /** The size of an $SDS entry header (and of the data of an $SII or $SDH entry). */
  public static final int ENTRY_HEADER_SIZE = 20;

  /** The first security id NTFS assigns. */
  public static final int FIRST_SECURITY_ID = 0x100;

  /** Index entry flag: the entry has a sub-node (its VCN in the entry's last 8 bytes). */
  public static final int INDEX_ENTRY_NODE = 1;

  /** Index entry flag: the last entry of the node (it has no key). */
  public static final int INDEX_ENTRY_END = 2;

  private SecureStore() {}

  /** Reads bytes of the {@code $SDS} stream for {@link #lookup}. */
  @FunctionalInterface
  public interface SdsReader {
    /**
     * Reads {@code length} bytes of {@code $SDS} at {@code offset}.
     *
     * @param offset where to read in the stream
     * @param length how much to read (at most 64 KiB plus a header)
     * @return exactly the bytes asked for, or fewer at the end of the stream
     * @throws IOException on a read error
     */
    ByteBuffer read(long offset, int length) throws IOException;
  }

  /**
   * The header of an {@code $SDS} entry, which is also the data of its {@code $SII} and {@code
   * $SDH} index entries.
   *
   * @param hash the descriptor's hash ({@link #hash})
   * @param securityId the security id ($STANDARD_INFORMATION refers to it)
   * @param offset the entry's offset in {@code $SDS}
   * @param length the entry's length, header included
   */
  public record SdsHeader(int hash, int securityId, long offset, int length) {
    static SdsHeader read(ByteBuffer le, int pos) {
      return new SdsHeader(le.getInt(pos), le.getInt(pos + 4), le.getLong(pos + 8),
          le.getInt(pos + 16));
    }
  }

  /**
   * An {@code $SDS} entry with its descriptor.
   *
   * @param header the entry header
   * @param descriptor the parsed descriptor
   * @param raw the descriptor's bytes (a read-only view)
   */
  public record SdsEntry(SdsHeader header, SecurityDescriptor descriptor, ByteBuffer raw) {}

  /**
   * An entry of an {@code $SII} or {@code $SDH} index node.
   *
   * @param securityId the key's security id
   * @param hash the key's hash ({@code $SDH} only; the data's hash for {@code $SII})
   * @param data where the descriptor lies in {@code $SDS}
   * @param childVcn the sub-node's VCN, or -1
   */
  public record IndexEntry(int securityId, int hash, SdsHeader data, long childVcn) {}

  /**
   * The entries of one index node, and the sub-node of its end entry.
   *
   * @param entries the entries with keys, in order
   * @param endChildVcn the VCN of the end entry's sub-node, or -1
   */
  public record IndexNode(List<IndexEntry> entries, long endChildVcn) {}

  /**
   * Where an {@code $SII} search goes next.
   *
   * @param found the entry with the security id, if this node holds it
   * @param childVcn the VCN of the sub-node to search next, or -1 when the search ends here
   */
  public record Search(Optional<IndexEntry> found, long childVcn) {}

  /**
   * Searches one {@code $SII} node for a security id by the index's collation ({@code
   * COLLATION_NTOFS_ULONG}: keys compared as unsigned 32-bit numbers): the entry itself, or the
   * sub-node that would hold it.
   *
   * @param node the node ({@link #parseIndexRoot} or {@link #parseIndexBlock} of {@code $SII})
   * @param securityId the id from {@code $STANDARD_INFORMATION}
   * @return the entry, or the sub-node to read next (-1: not in the index)
   */
  public static Search searchSii(IndexNode node, int securityId) {
    for (IndexEntry e : node.entries()) {
      int c = Integer.compareUnsigned(securityId, e.securityId());
      if (c == 0) {
        return new Search(Optional.of(e), -1);
      }
      if (c < 0) {
        return new Search(Optional.empty(), e.childVcn());
      }
    }
    return new Search(Optional.empty(), node.endChildVcn());
  }

  /**
   * The hash NTFS keeps for a descriptor: over each little-endian 32-bit word, {@code hash =
   * rotl(hash, 3) + word}.
   *
   * @param descriptor the descriptor's bytes, position to limit
   * @return the hash
   */
  public static int hash(ByteBuffer descriptor) {
    ByteBuffer b = Bytes.le(descriptor.slice());
    int h = 0;
    for (int i = 0; i + 4 <= b.limit(); i += 4) {
      h = Integer.rotateLeft(h, 3) + b.getInt(i);
    }
    return h;
  }

  /**
   * Parses every entry of a whole {@code $SDS} stream in the primary blocks, skipping the mirror
   * blocks and the zero padding at the end of each block.
   *
   * @param sds the stream, position to limit
   * @param source the device or file, for error messages
   * @return the entries in stream order
   * @throws CorruptStructureException if an entry's header does not match its place, its hash
   *     does not match its descriptor, or the descriptor is corrupt
   */
  public static List<SdsEntry> parseSds(ByteBuffer sds, String source)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(sds.slice());
    List<SdsEntry> out = new ArrayList<>();
    long pos = 0;
    long size = b.limit();
    while (pos + ENTRY_HEADER_SIZE <= size) {
      long blockEnd = (pos / BLOCK_SIZE + 1) * BLOCK_SIZE;
      if (pos + ENTRY_HEADER_SIZE > blockEnd) {
        pos = blockEnd + BLOCK_SIZE; // no room for another entry in this block
        continue;
      }
      SdsHeader h = SdsHeader.read(b, (int) pos);
      if (h.length() == 0 && h.offset() == 0 && h.securityId() == 0) {
        pos = blockEnd + BLOCK_SIZE; // the rest of this block is unused; skip its mirror
        continue;
      }
      SdsEntry e = entry(b, pos, h, source);
      if (pos + h.length() > blockEnd) {
        throw corrupt(source, pos, "entry of " + h.length() + " bytes crosses the block end");
      }
      out.add(e);
      pos = (pos + h.length() + 15) & ~15L;
      if (pos >= blockEnd) {
        pos = blockEnd + BLOCK_SIZE;
      }
    }
    return out;
  }

  /**
   * Compares each entry with its mirror copy one block further on.
   *
   * @param sds the whole stream, position to limit
   * @param entries the entries {@link #parseSds} found in it
   * @return the offsets of the entries whose mirror copy lies in the stream and differs (the
   *     stream may end before the mirror block ends: the copies beyond are not compared)
   */
  public static List<Long> mirrorMismatches(ByteBuffer sds, List<SdsEntry> entries) {
    ByteBuffer b = sds.slice();
    List<Long> out = new ArrayList<>();
    for (SdsEntry e : entries) {
      long at = e.header().offset();
      long mirror = at + BLOCK_SIZE;
      int length = e.header().length();
      if (at < 0 || length < 0 || mirror + length > b.limit()) {
        continue;
      }
      if (!b.slice((int) at, length).equals(b.slice((int) mirror, length))) {
        out.add(at);
      }
    }
    return out;
  }

  private static SdsEntry entry(ByteBuffer b, long pos, SdsHeader h, String source)
      throws CorruptStructureException {
    if (h.offset() != pos) {
      throw corrupt(source, pos, "entry says it lies at " + h.offset());
    }
    if (h.length() < ENTRY_HEADER_SIZE + SecurityDescriptor.HEADER_SIZE
        || h.length() > b.limit() - pos) {
      throw corrupt(source, pos, "entry length " + Integer.toUnsignedString(h.length())
          + " is too small or runs past the stream end");
    }
    ByteBuffer raw = b.slice((int) pos + ENTRY_HEADER_SIZE, h.length() - ENTRY_HEADER_SIZE);
    if (hash(raw) != h.hash()) {
      throw corrupt(source, pos, String.format("hash 0x%08x does not match the descriptor's 0x%08x",
          h.hash(), hash(raw)));
    }
    SecurityDescriptor sd = SecurityDescriptor.parse(raw, source, pos + ENTRY_HEADER_SIZE);
    return new SdsEntry(h, sd, raw.asReadOnlyBuffer());
  }

  /**
   * Reads the descriptor an {@code $SII} or {@code $SDH} entry points to, through {@code reader},
   * and checks that the {@code $SDS} header agrees with the index entry.
   *
   * @param where the index entry's data
   * @param reader reads {@code $SDS}
   * @param source the device or file, for error messages
   * @return the entry
   * @throws CorruptStructureException if the entry is not where the index says or is corrupt
   * @throws IOException on a read error
   */
  public static SdsEntry lookup(SdsHeader where, SdsReader reader, String source)
      throws CorruptStructureException, IOException {
    long pos = where.offset();
    int length = where.length();
    if (pos < 0 || (pos & 15) != 0 || length < ENTRY_HEADER_SIZE + SecurityDescriptor.HEADER_SIZE
        || length > 0x10000 + ENTRY_HEADER_SIZE
        || pos % BLOCK_SIZE + length > BLOCK_SIZE) {
      throw corrupt(source, pos, "index points to " + Integer.toUnsignedString(length)
          + " bytes at " + pos + ", not a place for an $SDS entry");
    }
    ByteBuffer got = reader.read(pos, length);
    if (got == null || got.remaining() != length) {
      throw corrupt(source, pos, "$SDS ends before the entry the index points to");
    }
    ByteBuffer le = Bytes.le(got.slice());
    SdsHeader h = SdsHeader.read(le, 0);
    if (!h.equals(where)) {
      throw corrupt(source, pos, "$SDS header " + h + " does not match the index's " + where);
    }
    ByteBuffer raw = le.slice(ENTRY_HEADER_SIZE, length - ENTRY_HEADER_SIZE);
    if (hash(raw) != h.hash()) {
      throw corrupt(source, pos, "hash does not match the descriptor");
    }
    return new SdsEntry(h, SecurityDescriptor.parse(raw, source, pos + ENTRY_HEADER_SIZE),
        raw.asReadOnlyBuffer());
  }

  /**
   * Parses the value of an {@code $SII} or {@code $SDH} {@code $INDEX_ROOT} attribute: the
   * 16-byte root header (attribute type 0, collation rule, index block size) and the root node.
   *
   * @param value the attribute value
   * @param source the device or file, for error messages
   * @param offset byte offset of the value on {@code source}, for error messages
   * @return the root node's entries
   * @throws CorruptStructureException on any inconsistency
   */
  public static IndexNode parseIndexRoot(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    Bytes.require(b, 0, 16, source, offset, STRUCTURE);
    if (b.getInt(0) != 0) {
      throw corrupt(source, offset, "index root of a view index indexes attribute type "
          + b.getInt(0) + ", not 0");
    }
    return parseNode(b, 16, b.limit(), source, offset);
  }

  /**
   * Parses an {@code INDX} block of {@code $SII} or {@code $SDH} (its {@code $INDEX_ALLOCATION}),
   * applying its fixups on a copy.
   *
   * @param block the whole block (the index block size)
   * @param source the device or file, for error messages
   * @param offset byte offset of the block on {@code source}, for error messages
   * @return the block's entries
   * @throws CorruptStructureException on any inconsistency, a torn write included
   */
  public static IndexNode parseIndexBlock(ByteBuffer block, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer copy = ByteBuffer.allocate(block.remaining());
    copy.put(block.duplicate()).flip();
    ByteBuffer b = Bytes.le(copy);
    Bytes.require(b, 0, 0x28, source, offset, STRUCTURE);
    if (b.getInt(0) != 0x58444e49) { // "INDX"
      throw corrupt(source, offset, "no \"INDX\" signature");
    }
    Fixups.apply(b, source, offset, STRUCTURE);
    return parseNode(b, 0x18, b.limit(), source, offset);
  }

  /** Parses the node header at {@code at} and its entries, all within {@code [at, end)}. */
  private static IndexNode parseNode(ByteBuffer b, int at, int end, String source, long offset)
      throws CorruptStructureException {
    Bytes.require(b, at, 16, source, offset, STRUCTURE);
    long first = b.getInt(at) & 0xffffffffL;
    long used = b.getInt(at + 4) & 0xffffffffL;
    if (first < 16 || (first & 7) != 0 || used < first || used > end - at) {
      throw corrupt(source, offset + at, "index node header (entries at " + first + ", "
          + used + " bytes used) does not fit the " + (end - at) + " bytes");
    }
    List<IndexEntry> entries = new ArrayList<>();
    int pos = at + (int) first;
    int limit = at + (int) used;
    while (true) {
      if (pos > limit - 16) {
        throw corrupt(source, offset + pos, "index node has no end entry");
      }
      int dataOffset = b.getShort(pos) & 0xffff;
      int dataLength = b.getShort(pos + 2) & 0xffff;
      int length = b.getShort(pos + 8) & 0xffff;
      int keyLength = b.getShort(pos + 10) & 0xffff;
      int flags = b.getShort(pos + 12) & 0xffff;
      boolean node = (flags & INDEX_ENTRY_NODE) != 0;
      if (length < 16 + (node ? 8 : 0) || (length & 7) != 0 || length > limit - pos) {
        throw corrupt(source, offset + pos, "index entry length " + length + " is invalid");
      }
      long child = node ? b.getLong(pos + length - 8) : -1;
      if (node && child < 0) {
        throw corrupt(source, offset + pos, "negative sub-node VCN " + child);
      }
      if ((flags & INDEX_ENTRY_END) != 0) {
        return new IndexNode(entries, child);
      }
      if (keyLength != 4 && keyLength != 8) {
        throw corrupt(source, offset + pos, "key of " + keyLength
            + " bytes is neither an $SII (4) nor an $SDH (8) key");
      }
      if (dataLength != ENTRY_HEADER_SIZE || dataOffset < 16 + keyLength
          || dataOffset + dataLength > length - (node ? 8 : 0)) {
        throw corrupt(source, offset + pos, "index entry data (" + dataLength + " bytes at "
            + dataOffset + ") is invalid");
      }
      if (16 + keyLength > length) {
        throw corrupt(source, offset + pos, "key runs past the entry");
      }
      SdsHeader data = SdsHeader.read(b, pos + dataOffset);
      int id = keyLength == 4 ? b.getInt(pos + 16) : b.getInt(pos + 20);
      int hash = keyLength == 4 ? data.hash() : b.getInt(pos + 16);
      if (id != data.securityId() || hash != data.hash()) {
        throw corrupt(source, offset + pos, "index key (id " + Integer.toUnsignedString(id)
            + ") does not match its data " + data);
      }
      entries.add(new IndexEntry(id, hash, data, child));
      pos += length;
    }
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }
}
