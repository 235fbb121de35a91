package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edits extended attributes: the in-inode area after the extra fields and the shared xattr block
 * ({@code i_file_acl}, reference-counted), with their hashes and checksums. Every method that
 * changes an inode stores it with {@link Ext4Writer#putInode(MutableInode)} before returning.
 *
 * <p>Layout, as the kernel and e2fsprogs keep it:
 *
 * <ul>
 *   <li>In the inode, from {@code 128 + i_extra_isize}: the magic {@code 0xEA020000}, then the
 *       entries ({@code struct ext4_xattr_entry}: name length, name index, value offset counted
 *       from the first entry, value inode, value size, hash, name) growing up and the values
 *       (4-byte aligned, zero padded) growing down from the end of the inode; a zero word ends
 *       the entries. No checksum of its own: the inode checksum covers it. The magic is zero when
 *       no entry is left.
 *   <li>In the block: a 32-byte header (magic, {@code h_refcount}, {@code h_blocks} = 1,
 *       {@code h_hash}, {@code h_checksum} = CRC32C over the 64-bit block number and the block
 *       with the checksum field zeroed, seeded with the file system's checksum seed), entries
 *       sorted by name index, name length and name, values packed from the end of the block,
 *       offsets counted from the block start; {@code h_hash} combines the entry hashes.
 * </ul>
 *
 * <p>Setting prefers the inode and spills to the block (an attribute lives in only one of them);
 * a block shared by several inodes ({@code h_refcount > 1}) is copied before it changes. Values
 * stored in separate inodes ({@code ea_inode}) are kept as they are but not created, replaced or
 * removed: a value larger than a block's room is refused.
 */
public final class Xattrs {
  private static final Logger LOG = LoggerFactory.getLogger(Xattrs.class);

  /** Name index of {@code user.}. */
  static final int INDEX_USER = 1;
  /** Name index of {@code system.posix_acl_access}. */
  static final int INDEX_POSIX_ACL_ACCESS = 2;
  /** Name index of {@code system.posix_acl_default}. */
  static final int INDEX_POSIX_ACL_DEFAULT = 3;
  /** Name index of {@code trusted.}. */
  static final int INDEX_TRUSTED = 4;
  /** Name index of {@code security.}. */
  static final int INDEX_SECURITY = 6;
  /** Name index of {@code system.} (ext4 uses it for {@code system.data} only). */
  static final int INDEX_SYSTEM = 7;
  /** Name index of {@code system.richacl}. */
  static final int INDEX_RICHACL = 8;

  private static final int BLOCK_HEADER = 32;
  private static final int ENTRY_HEADER = 16;
  private static final int MAX_NAME = 255;

  private final Ext4Writer w;

  Xattrs(Ext4Writer w) {
    this.w = w;
  }

  /** One entry as stored: the name index and suffix, the value (or its inode) and hash. */
  static final class Entry {
    final int index;
    final byte[] suffix;
    final byte[] value;
    final long valueInum;
    final long valueSize;
    final int hash;

    Entry(int index, byte[] suffix, byte[] value) {
      this.index = index;
      this.suffix = suffix;
      this.value = value;
      this.valueInum = 0;
      this.valueSize = value.length;
      this.hash = entryHash(suffix, value);
    }

    Entry(int index, byte[] suffix, byte[] value, long valueInum, long valueSize, int hash) {
      this.index = index;
      this.suffix = suffix;
      this.value = value;
      this.valueInum = valueInum;
      this.valueSize = valueSize;
      this.hash = hash;
    }

    boolean sameName(int idx, byte[] sfx) {
      return index == idx && Arrays.equals(suffix, sfx);
    }

    int entryLen() {
      return (ENTRY_HEADER + suffix.length + 3) & ~3;
    }

    int valueLen() {
      return valueInum != 0 ? 0 : (value.length + 3) & ~3;
    }

    String name() {
      String p = ExtendedAttributes.prefix(index);
      return (p == null ? "unknown" + index + "." : p)
          + new String(suffix, StandardCharsets.UTF_8);
    }
  }

  /** The current attributes of one inode: in-inode entries, block entries, and the block. */
  final class State {
    final MutableInode inode;
    final List<Entry> inInode;
    final List<Entry> inBlock;
    final long block;
    final int refcount;
    /** Bytes available for entries, the terminator and values in the inode (-1: no area). */
    final int inodeRoom;

    State(MutableInode inode, List<Entry> inInode, List<Entry> inBlock, long block, int refcount,
        int inodeRoom) {
      this.inode = inode;
      this.inInode = inInode;
      this.inBlock = inBlock;
      this.block = block;
      this.refcount = refcount;
      this.inodeRoom = inodeRoom;
    }
  }

  // ---- hashes ----

  /**
   * The entry hash ({@code ext4_xattr_hash_entry}): the name's bytes (unsigned) rotated in 5
   * bits at a time, then the value's little-endian 32-bit words (zero padded) 16 bits at a time.
   *
   * @param suffix the name without its prefix
   * @param value the value
   * @return the hash
   */
  static int entryHash(byte[] suffix, byte[] value) {
    int hash = 0;
    for (byte c : suffix) {
      hash = (hash << 5) ^ (hash >>> 27) ^ (c & 0xFF);
    }
    int words = (value.length + 3) >>> 2;
    for (int n = 0; n < words; n++) {
      int word = 0;
      for (int k = 0; k < 4; k++) {
        int i = n * 4 + k;
        if (i < value.length) {
          word |= (value[i] & 0xFF) << (8 * k);
        }
      }
      hash = (hash << 16) ^ (hash >>> 16) ^ word;
    }
    return hash;
  }

  /**
   * The block hash ({@code ext4_xattr_rehash}): the entry hashes rotated in 16 bits at a time;
   * zero when an entry has no hash.
   */
  static int blockHash(List<Entry> entries) {
    int hash = 0;
    for (Entry e : entries) {
      if (e.hash == 0) {
        return 0;
      }
      hash = (hash << 16) ^ (hash >>> 16) ^ e.hash;
    }
    return hash;
  }

  // ---- names ----

  /** A full name split into its index and suffix. */
  record Name(int index, byte[] suffix) {}

  /**
   * Splits a full attribute name into the stored name index and suffix.
   *
   * @param name a full name ({@code user.x}, {@code trusted.x}, {@code security.x},
   *     {@code system.posix_acl_access}, {@code system.posix_acl_default})
   * @return the index and suffix
   * @throws IllegalArgumentException for another namespace, an empty suffix or a name too long
   */
  static Name split(String name) {
    int index;
    String suffix;
    if (name.equals("system.posix_acl_access")) {
      index = INDEX_POSIX_ACL_ACCESS;
      suffix = "";
    } else if (name.equals("system.posix_acl_default")) {
      index = INDEX_POSIX_ACL_DEFAULT;
      suffix = "";
    } else if (name.startsWith("user.")) {
      index = INDEX_USER;
      suffix = name.substring(5);
    } else if (name.startsWith("trusted.")) {
      index = INDEX_TRUSTED;
      suffix = name.substring(8);
    } else if (name.startsWith("security.")) {
      index = INDEX_SECURITY;
      suffix = name.substring(9);
    } else {
      throw new IllegalArgumentException("extended attribute " + name + ": only the user.,"
          + " trusted. and security. namespaces and the POSIX ACLs can be written");
    }
    byte[] s = suffix.getBytes(StandardCharsets.UTF_8);
    if ((s.length == 0) != (index == INDEX_POSIX_ACL_ACCESS || index == INDEX_POSIX_ACL_DEFAULT)
        || s.length > MAX_NAME || suffix.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("extended attribute name " + name
          + " is empty after its prefix, longer than 255 bytes or holds a NUL");
    }
    return new Name(index, s);
  }

  // ---- reading ----

  /**
   * Reads the inode's attributes as stored.
   *
   * @param inode the inode
   * @return the state
   * @throws IOException on a corrupt structure
   */
  State load(MutableInode inode) throws IOException {
    byte[] raw = inode.raw();
    int off = inode.inlineXattrOffset();
    List<Entry> inInode = new ArrayList<>();
    int room = -1;
    // like the kernel, no in-inode attributes while i_extra_isize is 0
    if (off >= 0 && inode.extraIsize() > 0) {
      room = raw.length - off - 4;
      if (ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt(off) == ExtendedAttributes.MAGIC) {
        inInode = parse(raw, off + 4, raw.length, off + 4, "inode " + inode.ino());
      }
    }
    long block = inode.fileAcl();
    List<Entry> inBlock = new ArrayList<>();
    int refcount = 0;
    if (block != 0) {
      Superblock sb = w.superblock();
      if (block < sb.firstDataBlock || block >= sb.blocksCount) {
        throw new CorruptStructureException(w.source(), -1, "inode " + inode.ino(),
            "i_file_acl " + block + " is outside the volume");
      }
      byte[] b = w.metaBlock(block);
      // validates the magic, the checksum and every entry
      ExtendedAttributes.inBlock(b, block, inode.parsed(), sb, w.source());
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      refcount = bb.getInt(4);
      int blocks = bb.getInt(8);
      if (blocks != 1 || refcount < 1) {
        throw new CorruptStructureException(w.source(), block * w.blockSize(), "xattr block",
            "block " + block + ": h_blocks " + blocks + ", h_refcount " + refcount);
      }
      inBlock = parse(b, BLOCK_HEADER, b.length, 0, "xattr block " + block);
    }
    return new State(inode, inInode, inBlock, block, refcount, room);
  }

  private List<Entry> parse(byte[] b, int first, int end, int valueBase, String where)
      throws CorruptStructureException {
    List<ExtendedAttributes.Attribute> attrs = ExtendedAttributes.parseEntries(b, first, end,
        valueBase, end, w.source(), where);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    List<Entry> out = new ArrayList<>(attrs.size());
    int pos = first;
    for (ExtendedAttributes.Attribute a : attrs) {
      int hash = bb.getInt(pos + 12);
      out.add(new Entry(a.index, a.suffix, a.value, a.valueInode, a.valueSize, hash));
      pos += (ENTRY_HEADER + a.suffix.length + 3) & ~3;
    }
    return out;
  }

  /**
   * The inode's extended attributes by full name ({@code user.x}, {@code security.selinux}).
   * POSIX ACLs come in the form {@code getfattr} shows (version 2); {@code system.data} (the
   * inline-data store) is not listed, as the kernel does not list it.
   *
   * @param inode the inode
   * @return name to value, in-inode first, then the block's
   * @throws java.io.IOException on a corrupt structure or an I/O error
   * @throws UnsupportedFeatureException for a value stored in its own inode (ea_inode)
   */
  public java.util.Map<String, byte[]> list(MutableInode inode) throws java.io.IOException {
    State s = load(inode);
    Map<String, byte[]> out = new LinkedHashMap<>();
    List<Entry> all = new ArrayList<>(s.inInode);
    all.addAll(s.inBlock);
    for (Entry e : all) {
      if (e.index == INDEX_SYSTEM) {
        continue;
      }
      if (e.valueInum != 0) {
        throw new UnsupportedFeatureException(null, "ea_inode", w.source() + ": inode "
            + inode.ino() + ": the value of " + e.name() + " is stored in inode " + e.valueInum
            + "; reading such values is not implemented here");
      }
      byte[] v = e.value;
      if (e.index == INDEX_POSIX_ACL_ACCESS || e.index == INDEX_POSIX_ACL_DEFAULT) {
        v = ExtendedAttributes.aclToXattr(v);
      }
      out.put(e.name(), v);
    }
    return out;
  }

  /**
   * Sets an attribute (creating or replacing it): in the inode when it fits, else in the xattr
   * block (copied first when shared). POSIX ACL values are taken in the {@code setfattr} form
   * (version 2) and stored in ext4's form.
   *
   * @param inode the inode
   * @param name the full name
   * @param value the value
   * @throws java.io.IOException when it fits nowhere, or on I/O errors
   * @throws IllegalArgumentException for a name that cannot be written
   * @throws UnsupportedFeatureException without the ext_attr feature
   */
  public void set(MutableInode inode, String name, byte[] value) throws java.io.IOException {
    Name n = split(name);
    if (!w.superblock().hasCompat(Superblock.COMPAT_EXT_ATTR)) {
      throw new UnsupportedFeatureException(null, "ext_attr", w.source() + ": the file system"
          + " was made without extended attributes (ext_attr); enable them with tune2fs -O"
          + " ext_attr first");
    }
    byte[] v = value;
    if (n.index() == INDEX_POSIX_ACL_ACCESS || n.index() == INDEX_POSIX_ACL_DEFAULT) {
      v = xattrToAcl(value);
    }
    setEntry(inode, n.index(), n.suffix(), v, false);
    LOG.debug("{}: inode {}: set {} ({} bytes)", w.source(), inode.ino(), name, value.length);
  }

  /**
   * Sets an entry, in the inode only when {@code inodeOnly} (for {@code system.data}).
   *
   * @return whether it was stored (always, or an exception, unless {@code inodeOnly})
   */
  boolean setEntry(MutableInode inode, int index, byte[] suffix, byte[] value, boolean inodeOnly)
      throws IOException {
    State s = load(inode);
    refuseEaInode(s, index, suffix);
    Entry e = new Entry(index, suffix, value);
    List<Entry> ii = without(s.inInode, index, suffix);
    List<Entry> bb = without(s.inBlock, index, suffix);
    boolean inodeChanged = ii.size() != s.inInode.size();
    boolean blockChanged = bb.size() != s.inBlock.size();
    List<Entry> ii2 = new ArrayList<>(ii);
    ii2.add(e);
    if (s.inodeRoom >= 0 && inodeUse(ii2) <= s.inodeRoom) {
      ii = ii2;
      inodeChanged = true;
    } else if (inodeOnly) {
      return false;
    } else {
      List<Entry> bb2 = new ArrayList<>(bb);
      bb2.add(e);
      if (blockUse(bb2) > w.blockSize()) {
        if (blockUse(List.of(e)) > w.blockSize()) {
          throw new FileSystemException(null, null, w.source() + ": inode " + inode.ino()
              + ": the value of " + e.name() + " (" + value.length + " bytes) is larger than an"
              + " xattr block holds; values in their own inodes (ea_inode) are not written");
        }
        throw new FileSystemException(null, null, w.source() + ": inode " + inode.ino()
            + ": no room for extended attribute " + e.name() + " (" + value.length
            + " bytes): the in-inode area and the xattr block are full");
      }
      bb = bb2;
      blockChanged = true;
    }
    store(s, ii, inodeChanged, bb, blockChanged);
    return true;
  }

  /**
   * Removes an attribute.
   *
   * @param inode the inode
   * @param name the full name
   * @return whether it existed
   * @throws java.io.IOException on I/O errors
   */
  public boolean remove(MutableInode inode, String name) throws java.io.IOException {
    Name n = split(name);
    boolean found = removeEntry(inode, n.index(), n.suffix());
    LOG.debug("{}: inode {}: remove {}: {}", w.source(), inode.ino(), name,
        found ? "removed" : "absent");
    return found;
  }

  boolean removeEntry(MutableInode inode, int index, byte[] suffix) throws IOException {
    State s = load(inode);
    List<Entry> ii = without(s.inInode, index, suffix);
    List<Entry> bb = without(s.inBlock, index, suffix);
    boolean inodeChanged = ii.size() != s.inInode.size();
    boolean blockChanged = bb.size() != s.inBlock.size();
    if (!inodeChanged && !blockChanged) {
      return false;
    }
    refuseEaInode(s, index, suffix);
    store(s, ii, inodeChanged, bb, blockChanged);
    return true;
  }

  /**
   * Drops the inode's xattr block reference (freeing the block when no other inode shares it),
   * for an inode being deleted. The in-inode area goes with the inode.
   *
   * @param inode the inode
   * @throws java.io.IOException on I/O errors
   * @throws UnsupportedFeatureException if a value lives in its own inode (ea_inode)
   */
  public void freeAll(MutableInode inode) throws java.io.IOException {
    State s = load(inode);
    for (Entry e : s.inInode) {
      refuseEaInode(s, e.index, e.suffix);
    }
    for (Entry e : s.inBlock) {
      refuseEaInode(s, e.index, e.suffix);
    }
    if (s.block == 0) {
      return;
    }
    releaseBlock(s);
    inode.setFileAcl(0);
    inode.addBlocks(-w.clusterRatio());
    w.putInode(inode);
  }

  // ---- storing ----

  private void refuseEaInode(State s, int index, byte[] suffix)
      throws UnsupportedFeatureException {
    for (List<Entry> l : List.of(s.inInode, s.inBlock)) {
      for (Entry e : l) {
        if (e.sameName(index, suffix) && e.valueInum != 0) {
          throw new UnsupportedFeatureException(null, "ea_inode", w.source() + ": inode "
              + s.inode.ino() + ": " + e.name() + " is stored in inode " + e.valueInum
              + "; changing such values is not implemented");
        }
      }
    }
  }

  private static List<Entry> without(List<Entry> l, int index, byte[] suffix) {
    List<Entry> out = new ArrayList<>(l.size());
    for (Entry e : l) {
      if (!e.sameName(index, suffix)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Bytes the entries use in the inode area after the magic (entries, terminator, values). */
  static int inodeUse(List<Entry> entries) {
    int n = 4;
    for (Entry e : entries) {
      n += e.entryLen() + e.valueLen();
    }
    return n;
  }

  /** Bytes the entries use in a block (header, entries, terminator, values). */
  static int blockUse(List<Entry> entries) {
    return BLOCK_HEADER + inodeUse(entries);
  }

  private static final Comparator<Entry> BLOCK_ORDER = (a, b) -> {
    int c = Integer.compare(a.index, b.index);
    if (c == 0) {
      c = Integer.compare(a.suffix.length, b.suffix.length);
    }
    if (c == 0) {
      c = Arrays.compareUnsigned(a.suffix, b.suffix);
    }
    return c;
  };

  private void store(State s, List<Entry> inInode, boolean inodeChanged, List<Entry> inBlock,
      boolean blockChanged) throws IOException {
    MutableInode inode = s.inode;
    // the block first: allocating it is the step that may fail, before anything changed
    if (blockChanged) {
      writeBlock(s, inBlock);
    }
    if (inodeChanged) {
      writeInodeArea(inode, inInode);
    }
    w.putInode(inode);
  }

  private static void writeInodeArea(MutableInode inode, List<Entry> entries) {
    byte[] raw = inode.raw();
    int off = inode.inlineXattrOffset();
    Arrays.fill(raw, off, raw.length, (byte) 0);
    if (entries.isEmpty()) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(off, ExtendedAttributes.MAGIC);
    writeEntries(b, off + 4, off + 4, raw.length, entries);
  }

  /** Lays out entries from {@code first} up and values from {@code end} down. */
  private static void writeEntries(ByteBuffer b, int first, int valueBase, int end,
      List<Entry> entries) {
    int pos = first;
    int valueEnd = end;
    for (Entry e : entries) {
      int offs = 0;
      if (e.valueInum == 0 && e.value.length > 0) {
        valueEnd -= e.valueLen();
        b.put(valueEnd, e.value);
        offs = valueEnd - valueBase;
      }
      b.put(pos, (byte) e.suffix.length);
      b.put(pos + 1, (byte) e.index);
      b.putShort(pos + 2, (short) offs);
      b.putInt(pos + 4, (int) e.valueInum);
      b.putInt(pos + 8, (int) e.valueSize);
      b.putInt(pos + 12, e.hash);
      b.put(pos + ENTRY_HEADER, e.suffix);
      pos += e.entryLen();
    }
    if (pos + 4 > valueEnd) {
      throw new IllegalStateException("xattr entries overlap their values");
    }
  }

  private void writeBlock(State s, List<Entry> entries) throws IOException {
    MutableInode inode = s.inode;
    if (entries.isEmpty()) {
      if (s.block != 0) {
        releaseBlock(s);
        inode.setFileAcl(0);
        inode.addBlocks(-w.clusterRatio());
      }
      return;
    }
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(BLOCK_ORDER);
    long target;
    byte[] b;
    if (s.block != 0 && s.refcount == 1) {
      target = s.block;
      b = w.metaBlock(target);
      Arrays.fill(b, (byte) 0);
    } else {
      Superblock sb = w.superblock();
      long group = (inode.ino() - 1) / sb.inodesPerGroup;
      target = w.allocateBlocks(sb.firstDataBlock + group * sb.blocksPerGroup, 1).start();
      if (s.block != 0) {
        releaseBlock(s);
        LOG.debug("{}: inode {}: shared xattr block {} copied to {}", w.source(), inode.ino(),
            s.block, target);
      } else {
        inode.addBlocks(w.clusterRatio());
      }
      inode.setFileAcl(target);
      b = w.newMetaBlock(target);
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(0, ExtendedAttributes.MAGIC);
    bb.putInt(4, 1);
    bb.putInt(8, 1);
    bb.putInt(0xC, blockHash(sorted));
    writeEntries(bb, BLOCK_HEADER, 0, b.length, sorted);
    blockChecksum(target, b);
    w.markDirty(target, b);
  }

  /** Drops one reference to the inode's block: frees it, or lowers a shared block's count. */
  private void releaseBlock(State s) throws IOException {
    if (s.refcount <= 1) {
      w.freeBlocks(s.block, 1);
      return;
    }
    byte[] b = w.metaBlock(s.block);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, s.refcount - 1);
    blockChecksum(s.block, b);
    w.markDirty(s.block, b);
  }

  private void blockChecksum(long block, byte[] b) {
    Superblock sb = w.superblock();
    if (!sb.metadataCsum()) {
      return;
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(0x10, 0);
    int crc = Crc32c.updateLe32(sb.checksumSeed(), (int) block);
    crc = Crc32c.updateLe32(crc, (int) (block >>> 32));
    crc = Crc32c.update(crc, b, 0, b.length);
    bb.putInt(0x10, crc);
  }

  // ---- POSIX ACLs ----

  /**
   * Converts a POSIX ACL from the Linux xattr form ({@code posix_acl_xattr}, version 2, 8-byte
   * entries) to ext4's on-disk form (version 1; 8-byte entries for named users and groups,
   * 4-byte ones for the others).
   *
   * @param x the xattr form
   * @return the disk form
   * @throws IllegalArgumentException if it is not a version-2 ACL
   */
  static byte[] xattrToAcl(byte[] x) {
    ByteBuffer in = ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN);
    if (x.length < 4 || (x.length - 4) % 8 != 0 || in.getInt(0) != 2) {
      throw new IllegalArgumentException("a POSIX ACL value must be a version-2 posix_acl_xattr"
          + " (4-byte header and 8-byte entries), not " + x.length + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate(x.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(1);
    for (int p = 4; p < x.length; p += 8) {
      int tag = in.getShort(p) & 0xFFFF;
      out.putShort((short) tag).putShort(in.getShort(p + 2));
      if (tag == 0x02 || tag == 0x08) {
        out.putInt(in.getInt(p + 4));
      }
    }
    return Arrays.copyOf(out.array(), out.position());
  }
}
