package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edits directories: entries ({@code struct ext4_dir_entry_2}) in linear directories, in hashed
 * (htree, {@code dir_index}) directories and in inline-data directories, {@code .} and
 * {@code ..}. Leaf blocks carry the {@code ext4_dir_entry_tail} checksum under metadata_csum. A
 * linear directory that outgrows its one block on a {@code dir_index} file system becomes an
 * htree (see {@link HtreeEditor}); an inline directory that outgrows its inode moves to a block.
 * Link counts and times are the caller's ({@link Namespace}). Every method that changes an inode
 * stores it with {@link Ext4Writer#putInode(MutableInode)} before returning.
 */
public final class Directories {
  private static final Logger LOG = LoggerFactory.getLogger(Directories.class);

  /** {@code EXT4_FT_UNKNOWN}. */
  public static final int FT_UNKNOWN = 0;
  /** {@code EXT4_FT_REG_FILE}. */
  public static final int FT_REG_FILE = 1;
  /** {@code EXT4_FT_DIR}. */
  public static final int FT_DIR = 2;
  /** {@code EXT4_FT_CHRDEV}. */
  public static final int FT_CHRDEV = 3;
  /** {@code EXT4_FT_BLKDEV}. */
  public static final int FT_BLKDEV = 4;
  /** {@code EXT4_FT_FIFO}. */
  public static final int FT_FIFO = 5;
  /** {@code EXT4_FT_SOCK}. */
  public static final int FT_SOCK = 6;
  /** {@code EXT4_FT_SYMLINK}. */
  public static final int FT_SYMLINK = 7;

  /** Size of {@code struct ext4_dir_entry_tail}. */
  static final int TAIL = 12;
  /** Size of the parent inode number that starts an inline directory. */
  static final int INLINE_DOTDOT = 4;

  private final Ext4Writer w;
  private final Superblock sb;
  private final int bs;
  private final HtreeEditor htree;

  Directories(Ext4Writer w) {
    this.w = w;
    this.sb = w.superblock();
    this.bs = w.blockSize();
    this.htree = new HtreeEditor(w, this);
  }

  /**
   * The directory-entry file type of an inode mode.
   *
   * @param mode an {@code i_mode}
   * @return the {@code EXT4_FT_*} value
   */
  public static int fileType(int mode) {
    switch (mode & MutableInode.S_IFMT) {
      case 0x8000:
        return FT_REG_FILE;
      case 0x4000:
        return FT_DIR;
      case 0x2000:
        return FT_CHRDEV;
      case 0x6000:
        return FT_BLKDEV;
      case 0x1000:
        return FT_FIFO;
      case 0xC000:
        return FT_SOCK;
      case 0xA000:
        return FT_SYMLINK;
      default:
        return FT_UNKNOWN;
    }
  }

  /**
   * The bytes of a name that may be stored in a directory.
   *
   * @param name the name
   * @return its UTF-8 bytes
   * @throws IllegalArgumentException if empty, longer than 255 bytes, {@code .}, {@code ..}, or
   *     holding {@code /} or NUL
   */
  public static byte[] nameBytes(String name) {
    byte[] nb = name.getBytes(StandardCharsets.UTF_8);
    if (nb.length == 0 || nb.length > 255 || name.equals(".") || name.equals("..")
        || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid file name: " + name);
    }
    return nb;
  }

  // ---- public operations ----

  /**
   * Looks a name up.
   *
   * @param dir the directory
   * @param name the name
   * @return its inode number, or 0 when absent
   * @throws IOException on a corrupt directory or an I/O error
   */
  public long find(MutableInode dir, String name) throws IOException {
    byte[] nb = nameBytes(name);
    checkEditable(dir);
    if (isInline(dir)) {
      byte[] c = w.inline().read(dir);
      for (int[] seg : inlineSegments(c)) {
        int pos = findIn(c, seg[0], seg[1], nb, null, dir, -1);
        if (pos >= 0) {
          return le(c).getInt(pos) & 0xFFFFFFFFL;
        }
      }
      return 0;
    }
    DirBlocks d = new DirBlocks(dir);
    if (isHashed(dir)) {
      HtreeEditor.Hit hit = htree.find(d, nb);
      return hit == null ? 0 : le(hit.bytes()).getInt(hit.pos()) & 0xFFFFFFFFL;
    }
    for (long l = 0; l < d.count(); l++) {
      byte[] b = d.block(l);
      int pos = findIn(b, 0, end(b), nb, null, dir, l);
      if (pos >= 0) {
        return le(b).getInt(pos) & 0xFFFFFFFFL;
      }
    }
    return 0;
  }

  /**
   * Adds an entry. Reuses room in existing blocks; grows the directory by a block when none has
   * room; converts a one-block directory to an htree on a {@code dir_index} file system when it
   * outgrows the block; moves an inline directory to a block when it outgrows the inode.
   *
   * @param dir the directory
   * @param name the name
   * @param ino the inode the entry names
   * @param fileType the {@code EXT4_FT_*} type (stored only with the {@code filetype} feature)
   * @throws FileAlreadyExistsException if the name exists
   * @throws IOException when no space is left, the index is full, or on a corrupt directory
   */
  public void add(MutableInode dir, String name, long ino, int fileType) throws IOException {
    byte[] nb = nameBytes(name);
    checkEditable(dir);
    if (ino < 1 || ino > sb.inodesCount) {
      throw new IllegalArgumentException("inode " + ino + " is out of range");
    }
    if (isInline(dir)) {
      if (addInline(dir, nb, ino, fileType)) {
        return;
      }
      convertInlineToBlock(dir);
    }
    DirBlocks d = new DirBlocks(dir);
    if (isHashed(dir)) {
      htree.add(d, nb, ino, fileType);
      return;
    }
    int need = recSize(nb.length);
    long slotBlock = -1;
    int slotPos = -1;
    for (long l = 0; l < d.count(); l++) {
      byte[] b = d.block(l);
      int[] slot = new int[] {-1};
      if (findIn(b, 0, end(b), nb, slotBlock < 0 ? slot : null, dir, l) >= 0) {
        throw new FileAlreadyExistsException(name);
      }
      if (slotBlock < 0 && slot[0] >= 0) {
        slotBlock = l;
        slotPos = slot[0];
      }
    }
    if (slotBlock >= 0) {
      byte[] b = d.blockForWrite(slotBlock);
      insertAt(b, slotPos, nb, ino, fileType);
      seal(dir, b);
      return;
    }
    if (d.count() == 1 && sb.hasCompat(Superblock.COMPAT_DIR_INDEX)) {
      htree.convertAndAdd(d, nb, ino, fileType);
      return;
    }
    long l = d.count();
    byte[] b = d.append();
    int end = leafEnd();
    putEntry(b, 0, ino, end, nb, fileType);
    initTail(b);
    seal(dir, b);
    LOG.debug("{}: directory {} grew to {} blocks", w.source(), dir.ino(), l + 1);
  }

  /**
   * Removes an entry: its record merges into the previous one in the block (or, as the first
   * record of a block, keeps its length with inode 0). htree directories keep their index and
   * leaf blocks.
   *
   * @param dir the directory
   * @param name the name
   * @return the inode number the entry named
   * @throws NoSuchFileException if absent
   * @throws IOException on a corrupt directory or an I/O error
   */
  public long remove(MutableInode dir, String name) throws IOException {
    byte[] nb = nameBytes(name);
    checkEditable(dir);
    if (isInline(dir)) {
      byte[] c = w.inline().read(dir);
      for (int[] seg : inlineSegments(c)) {
        int[] prev = {-1};
        int pos = findIn(c, seg[0], seg[1], nb, null, dir, -1, prev);
        if (pos >= 0) {
          long ino = le(c).getInt(pos) & 0xFFFFFFFFL;
          deleteAt(c, pos, prev[0]);
          storeInline(dir, c);
          return ino;
        }
      }
      throw new NoSuchFileException(name);
    }
    DirBlocks d = new DirBlocks(dir);
    if (isHashed(dir)) {
      HtreeEditor.Hit hit = htree.find(d, nb);
      if (hit == null) {
        throw new NoSuchFileException(name);
      }
      byte[] b = d.blockForWrite(hit.logical());
      long ino = le(b).getInt(hit.pos()) & 0xFFFFFFFFL;
      deleteAt(b, hit.pos(), hit.prev());
      seal(dir, b);
      return ino;
    }
    for (long l = 0; l < d.count(); l++) {
      byte[] b = d.block(l);
      int[] prev = {-1};
      int pos = findIn(b, 0, end(b), nb, null, dir, l, prev);
      if (pos >= 0) {
        b = d.blockForWrite(l);
        long ino = le(b).getInt(pos) & 0xFFFFFFFFL;
        deleteAt(b, pos, prev[0]);
        seal(dir, b);
        return ino;
      }
    }
    throw new NoSuchFileException(name);
  }

  /**
   * Points an existing entry at another inode (rename over an existing name).
   *
   * @param dir the directory
   * @param name the name
   * @param ino the new inode number
   * @param fileType its {@code EXT4_FT_*} type
   * @return the inode number the entry named before
   * @throws NoSuchFileException if absent
   * @throws IOException on a corrupt directory or an I/O error
   */
  public long replace(MutableInode dir, String name, long ino, int fileType) throws IOException {
    byte[] nb = nameBytes(name);
    checkEditable(dir);
    if (isInline(dir)) {
      byte[] c = w.inline().read(dir);
      for (int[] seg : inlineSegments(c)) {
        int pos = findIn(c, seg[0], seg[1], nb, null, dir, -1);
        if (pos >= 0) {
          long old = le(c).getInt(pos) & 0xFFFFFFFFL;
          setEntryInode(c, pos, ino, fileType);
          storeInline(dir, c);
          return old;
        }
      }
      throw new NoSuchFileException(name);
    }
    DirBlocks d = new DirBlocks(dir);
    long l;
    int pos;
    if (isHashed(dir)) {
      HtreeEditor.Hit hit = htree.find(d, nb);
      if (hit == null) {
        throw new NoSuchFileException(name);
      }
      l = hit.logical();
      pos = hit.pos();
    } else {
      l = -1;
      pos = -1;
      for (long x = 0; x < d.count() && pos < 0; x++) {
        byte[] b = d.block(x);
        pos = findIn(b, 0, end(b), nb, null, dir, x);
        l = x;
      }
      if (pos < 0) {
        throw new NoSuchFileException(name);
      }
    }
    byte[] b = d.blockForWrite(l);
    long old = le(b).getInt(pos) & 0xFFFFFFFFL;
    setEntryInode(b, pos, ino, fileType);
    seal(dir, b);
    return old;
  }

  /**
   * Whether a directory holds nothing but {@code .} and {@code ..}.
   *
   * @param dir the directory
   * @return {@code true} if empty
   * @throws IOException on a corrupt directory or an I/O error
   */
  public boolean isEmpty(MutableInode dir) throws IOException {
    checkDirectory(dir);
    if (isInline(dir)) {
      byte[] c = w.inline().read(dir);
      for (int[] seg : inlineSegments(c)) {
        if (firstLive(c, seg[0], seg[1], dir, -1) >= 0) {
          return false;
        }
      }
      return true;
    }
    DirBlocks d = new DirBlocks(dir);
    boolean hashed = isHashed(dir);
    for (long l = 0; l < d.count(); l++) {
      byte[] b = d.block(l);
      if (l == 0) {
        int dot = dotDotPos(b, dir);
        if (hashed) {
          continue;
        }
        int next = dot + recLen(b, dot);
        if (next < end(b) && firstLive(b, next, end(b), dir, l) >= 0) {
          return false;
        }
        continue;
      }
      if (hashed && isIndexNode(b)) {
        continue;
      }
      if (firstLive(b, 0, end(b), dir, l) >= 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes a new directory's first content: inline ({@code ..} and one empty entry) on an
   * {@code inline_data} file system, else one block with {@code .} and {@code ..} (and its tail).
   * Sets {@code i_size}. The inode's map must be empty ({@link FileData#initEmpty}).
   *
   * @param newDir the new directory inode (mode set)
   * @param parentIno the parent directory
   * @throws IOException when no space is left, or on I/O errors
   */
  public void init(MutableInode newDir, long parentIno) throws IOException {
    if (sb.hasIncompat(Superblock.INCOMPAT_INLINE_DATA)) {
      byte[] c = new byte[MutableInode.I_BLOCK_SIZE];
      ByteBuffer cb = le(c);
      cb.putInt(0, (int) parentIno);
      cb.putInt(INLINE_DOTDOT, 0);
      putRecLen(c, INLINE_DOTDOT, c.length - INLINE_DOTDOT);
      if (w.inline().tryStore(newDir, c)) {
        newDir.setSize(c.length);
        w.putInode(newDir);
        return;
      }
    }
    long group = (newDir.ino() - 1) / sb.inodesPerGroup;
    long goal = sb.firstDataBlock + group * sb.blocksPerGroup;
    long pb = w.files().allocateBlockAt(newDir, 0, goal);
    byte[] b = w.newMetaBlock(pb);
    int end = leafEnd();
    putEntry(b, 0, newDir.ino(), 12, new byte[] {'.'}, FT_DIR);
    putEntry(b, 12, parentIno, end - 12, new byte[] {'.', '.'}, FT_DIR);
    initTail(b);
    seal(newDir, b);
    newDir.setSize(bs);
    w.putInode(newDir);
  }

  /**
   * The parent a directory's {@code ..} names.
   *
   * @param dir the directory
   * @return the parent's inode number
   * @throws IOException on a corrupt directory or an I/O error
   */
  public long parent(MutableInode dir) throws IOException {
    checkDirectory(dir);
    if (isInline(dir)) {
      return le(w.inline().read(dir)).getInt(0) & 0xFFFFFFFFL;
    }
    DirBlocks d = new DirBlocks(dir);
    byte[] b = d.block(0);
    return le(b).getInt(dotDotPos(b, dir)) & 0xFFFFFFFFL;
  }

  /**
   * Points a directory's {@code ..} at a new parent (after a move).
   *
   * @param dir the directory
   * @param newParent the new parent's inode number
   * @throws IOException on a corrupt directory or an I/O error
   */
  public void setParent(MutableInode dir, long newParent) throws IOException {
    checkDirectory(dir);
    if (isInline(dir)) {
      byte[] c = w.inline().read(dir);
      le(c).putInt(0, (int) newParent);
      storeInline(dir, c);
      return;
    }
    DirBlocks d = new DirBlocks(dir);
    byte[] b = d.block(0);
    int pos = dotDotPos(b, dir);
    b = d.blockForWrite(0);
    le(b).putInt(pos, (int) newParent);
    if (isHashed(dir)) {
      htree.sealRoot(dir, b);
    } else {
      seal(dir, b);
    }
  }

  // ---- checks ----

  private void checkDirectory(MutableInode dir) throws IOException {
    if (!dir.isDirectory() || dir.links() == 0) {
      throw new java.nio.file.NotDirectoryException("inode " + dir.ino());
    }
  }

  private void checkEditable(MutableInode dir) throws IOException {
    checkDirectory(dir);
    if (dir.hasFlag(Inode.FL_ENCRYPT) || dir.hasFlag(Inode.FL_CASEFOLD)) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, w.source()
          + ": directory " + dir.ino() + " is encrypted or casefolded (flags 0x"
          + Integer.toHexString(dir.flags()) + "); not written in this version");
    }
    if (dir.hasFlag(Inode.FL_INDEX) && !dir.hasFlag(Inode.FL_INLINE_DATA)
        && !sb.hasCompat(Superblock.COMPAT_DIR_INDEX)) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, w.source()
          + ": directory " + dir.ino() + " is indexed but the file system lacks dir_index");
    }
  }

  boolean isInline(MutableInode dir) {
    return dir.hasFlag(Inode.FL_INLINE_DATA);
  }

  private boolean isHashed(MutableInode dir) {
    return dir.hasFlag(Inode.FL_INDEX) && sb.hasCompat(Superblock.COMPAT_DIR_INDEX);
  }

  // ---- block access ----

  /** The blocks of one directory, with the map built once per operation. */
  final class DirBlocks {
    final MutableInode dir;
    private FileMap map;

    DirBlocks(MutableInode dir) throws IOException {
      this.dir = dir;
      if (dir.size() % bs != 0 || dir.size() == 0) {
        throw new CorruptStructureException(w.source(), -1, "directory " + dir.ino(),
            "i_size " + dir.size() + " is not a positive multiple of the block size");
      }
      if (dir.size() / bs > 0x0FFFFFFFL) {
        throw new CorruptStructureException(w.source(), -1, "directory " + dir.ino(),
            "i_size " + dir.size() + " is too large");
      }
      remap();
    }

    private void remap() throws IOException {
      Inode p = dir.parsed();
      map = p.hasFlag(Inode.FL_EXTENTS) ? FileMap.ofExtents(p, w.blocksView())
          : FileMap.ofBlockMap(p, w.blocksView());
    }

    long count() {
      return dir.size() / bs;
    }

    long physical(long l) throws IOException {
      int r = l < 0 || l >= count() ? -1 : map.find(l);
      if (r < 0 || map.uninitialized(r)) {
        throw new CorruptStructureException(w.source(), -1, "directory " + dir.ino(),
            "logical block " + l + " is a hole or outside the directory");
      }
      return map.physical(r) + (l - map.logical(r));
    }

    byte[] block(long l) throws IOException {
      return w.metaBlock(physical(l));
    }

    /** The block, already in the running transaction (change it, then {@link #seal}). */
    byte[] blockForWrite(long l) throws IOException {
      long pb = physical(l);
      byte[] b = w.metaBlock(pb);
      w.markDirty(pb, b);
      return b;
    }

    /** Maps a new zeroed block at the end and grows {@code i_size}; returns its bytes. */
    byte[] append() throws IOException {
      long l = count();
      long goal = l > 0 ? physical(l - 1) + 1
          : sb.firstDataBlock + ((dir.ino() - 1) / sb.inodesPerGroup) * sb.blocksPerGroup;
      long pb = w.files().allocateBlockAt(dir, l, goal);
      byte[] b = w.newMetaBlock(pb);
      dir.setSize((l + 1) * bs);
      w.putInode(dir);
      remap();
      return b;
    }
  }

  // ---- entry records ----

  static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static int recSize(int nameLen) {
    return (8 + nameLen + 3) & ~3;
  }

  int recLen(byte[] b, int pos) {
    int r = le(b).getShort(pos + 4) & 0xFFFF;
    if (bs >= 65536 && (r == 65535 || r == 0)) {
      return 65536;
    }
    return r;
  }

  void putRecLen(byte[] b, int pos, int len) {
    le(b).putShort(pos + 4, (short) (len >= 65536 ? 65535 : len));
  }

  /** Where a leaf block's entries end (before the checksum tail, when it has one). */
  int end(byte[] b) {
    return sb.metadataCsum() && DirectoryBlock.hasTail(b) ? b.length - TAIL : b.length;
  }

  /** Where a new leaf block's entries end. */
  int leafEnd() {
    return sb.metadataCsum() ? bs - TAIL : bs;
  }

  void initTail(byte[] b) {
    if (sb.metadataCsum()) {
      int t = b.length - TAIL;
      Arrays.fill(b, t, b.length, (byte) 0);
      le(b).putShort(t + 4, (short) TAIL);
      b[t + 7] = (byte) DirectoryBlock.TAIL_FT;
    }
  }

  /** Refreshes a leaf block's tail checksum (when it has a tail). */
  void seal(MutableInode dir, byte[] b) {
    if (sb.metadataCsum() && DirectoryBlock.hasTail(b)) {
      int t = b.length - TAIL;
      le(b).putInt(t + 8, Crc32c.update(dir.checksumSeed(), b, 0, t));
    }
  }

  void putEntry(byte[] b, int pos, long ino, int rec, byte[] name, int type) {
    ByteBuffer d = le(b);
    d.putInt(pos, (int) ino);
    putRecLen(b, pos, rec);
    b[pos + 6] = (byte) name.length;
    b[pos + 7] = sb.hasIncompat(Superblock.INCOMPAT_FILETYPE) ? (byte) type : 0;
    System.arraycopy(name, 0, b, pos + 8, name.length);
    Arrays.fill(b, pos + 8 + name.length, pos + recSize(name.length), (byte) 0);
  }

  private void setEntryInode(byte[] b, int pos, long ino, int type) {
    le(b).putInt(pos, (int) ino);
    b[pos + 7] = sb.hasIncompat(Superblock.INCOMPAT_FILETYPE) ? (byte) type : 0;
  }

  int nameLen(byte[] b, int pos) {
    return b[pos + 6] & 0xFF;
  }

  /** Checks one record's header against the area it lies in. */
  void checkRecord(byte[] b, int pos, int end, MutableInode dir, long l)
      throws CorruptStructureException {
    if (pos + 8 > end) {
      throw corrupt(dir, l, pos, "a record header runs past the end");
    }
    int rec = recLen(b, pos);
    int nl = nameLen(b, pos);
    if (rec < 8 || (rec & 3) != 0 || pos + rec > end || 8 + nl > rec
        || (rec < 12 && (le(b).getInt(pos) != 0))) {
      throw corrupt(dir, l, pos, "rec_len " + rec + " / name_len " + nl + " do not fit");
    }
  }

  CorruptStructureException corrupt(MutableInode dir, long l, int pos, String what) {
    return new CorruptStructureException(w.source(), -1, "directory entry",
        "directory " + dir.ino() + (l >= 0 ? " block " + l : " inline area") + " byte " + pos
            + ": " + what);
  }

  int findIn(byte[] b, int start, int end, byte[] name, int[] slot, MutableInode dir, long l)
      throws CorruptStructureException {
    return findIn(b, start, end, name, slot, dir, l, null);
  }

  /**
   * Scans the records in {@code [start, end)}: returns the position of the live entry with the
   * name (or -1); records the first record with room for the name in {@code slot[0]} and the
   * record before the match in {@code prev[0]}.
   */
  int findIn(byte[] b, int start, int end, byte[] name, int[] slot, MutableInode dir, long l,
      int[] prev) throws CorruptStructureException {
    int need = recSize(name.length);
    int pos = start;
    int before = -1;
    int guard = 0;
    while (pos < end && guard++ < 65536) {
      checkRecord(b, pos, end, dir, l);
      int rec = recLen(b, pos);
      int nl = nameLen(b, pos);
      long ino = le(b).getInt(pos) & 0xFFFFFFFFL;
      if (ino != 0 && nl == name.length
          && Arrays.equals(b, pos + 8, pos + 8 + nl, name, 0, nl)) {
        if (prev != null) {
          prev[0] = before;
        }
        return pos;
      }
      if (slot != null && slot[0] < 0) {
        int used = ino == 0 ? 0 : recSize(nl);
        if (rec - used >= need) {
          slot[0] = pos;
        }
      }
      before = pos;
      pos += rec;
    }
    return -1;
  }

  /** The first live record in {@code [start, end)}, or -1. */
  int firstLive(byte[] b, int start, int end, MutableInode dir, long l)
      throws CorruptStructureException {
    int pos = start;
    int guard = 0;
    while (pos < end && guard++ < 65536) {
      checkRecord(b, pos, end, dir, l);
      if (le(b).getInt(pos) != 0) {
        return pos;
      }
      pos += recLen(b, pos);
    }
    return -1;
  }

  /** Puts a new entry into the record at {@code pos} (which has room for it). */
  void insertAt(byte[] b, int pos, byte[] name, long ino, int type) {
    int rec = recLen(b, pos);
    long cur = le(b).getInt(pos) & 0xFFFFFFFFL;
    if (cur != 0) {
      int used = recSize(nameLen(b, pos));
      putRecLen(b, pos, used);
      pos += used;
      rec -= used;
    }
    putEntry(b, pos, ino, rec, name, type);
  }

  /** Removes the record at {@code pos}: merged into {@code prev}, or emptied when first. */
  void deleteAt(byte[] b, int pos, int prev) {
    int rec = recLen(b, pos);
    if (prev >= 0) {
      putRecLen(b, prev, recLen(b, prev) + rec);
      Arrays.fill(b, pos, pos + Math.min(rec, 8 + nameLen(b, pos)), (byte) 0);
    } else {
      le(b).putInt(pos, 0);
    }
  }

  /** Where {@code ..} lies in block 0 (after a {@code .} record). */
  int dotDotPos(byte[] b, MutableInode dir) throws CorruptStructureException {
    int endB = b.length;
    checkRecord(b, 0, endB, dir, 0);
    if (nameLen(b, 0) != 1 || b[8] != '.') {
      throw corrupt(dir, 0, 0, "the first entry is not '.'");
    }
    int pos = recLen(b, 0);
    checkRecord(b, pos, endB, dir, 0);
    if (nameLen(b, pos) != 2 || b[pos + 8] != '.' || b[pos + 9] != '.') {
      throw corrupt(dir, 0, pos, "the second entry is not '..'");
    }
    return pos;
  }

  /** Whether a block is an htree index node (one empty record covering the block). */
  boolean isIndexNode(byte[] b) {
    return le(b).getInt(0) == 0 && recLen(b, 0) == b.length && b[6] == 0;
  }

  // ---- inline directories ----

  /** The entry segments of an inline directory: [4, 60) and, if present, [60, size). */
  private int[][] inlineSegments(byte[] c) throws CorruptStructureException {
    if (c.length < MutableInode.I_BLOCK_SIZE) {
      throw new CorruptStructureException(w.source(), -1, "inline directory",
          "the inline area holds " + c.length + " bytes, fewer than 60");
    }
    if (c.length == MutableInode.I_BLOCK_SIZE) {
      return new int[][] {{INLINE_DOTDOT, MutableInode.I_BLOCK_SIZE}};
    }
    return new int[][] {{INLINE_DOTDOT, MutableInode.I_BLOCK_SIZE},
        {MutableInode.I_BLOCK_SIZE, c.length}};
  }

  private void storeInline(MutableInode dir, byte[] c) throws IOException {
    if (!w.inline().tryStore(dir, c)) {
      throw new IOException(w.source() + ": inline directory " + dir.ino()
          + " could not be stored back in its inode");
    }
    dir.setSize(c.length);
    w.putInode(dir);
  }

  private boolean addInline(MutableInode dir, byte[] nb, long ino, int type) throws IOException {
    byte[] c = w.inline().read(dir);
    int[] slot = {-1};
    int slotSeg = -1;
    int[][] segs = inlineSegments(c);
    for (int s = 0; s < segs.length; s++) {
      int[] sl = {-1};
      if (findIn(c, segs[s][0], segs[s][1], nb, slot[0] < 0 ? sl : null, dir, -1) >= 0) {
        throw new FileAlreadyExistsException(new String(nb, StandardCharsets.UTF_8));
      }
      if (slot[0] < 0 && sl[0] >= 0) {
        slot[0] = sl[0];
        slotSeg = s;
      }
    }
    if (slot[0] >= 0) {
      insertAt(c, slot[0], nb, ino, type);
      storeInline(dir, c);
      return true;
    }
    // grow the system.data part to all the room the inode has, as the kernel does
    int cap = w.inline().capacity(dir);
    int need = recSize(nb.length);
    if (cap - c.length <= 12) {
      return false;
    }
    byte[] grown = Arrays.copyOf(c, cap);
    int lastStart;
    if (c.length == MutableInode.I_BLOCK_SIZE) {
      lastStart = c.length;
      le(grown).putInt(lastStart, 0);
      putRecLen(grown, lastStart, cap - lastStart);
      grown[lastStart + 6] = 0;
      grown[lastStart + 7] = 0;
    } else {
      int pos = MutableInode.I_BLOCK_SIZE;
      int last = pos;
      int guard = 0;
      while (pos < c.length && guard++ < 65536) {
        checkRecord(c, pos, c.length, dir, -1);
        last = pos;
        pos += recLen(c, pos);
      }
      lastStart = last;
      putRecLen(grown, lastStart, cap - lastStart);
    }
    int[] sl = {-1};
    findIn(grown, MutableInode.I_BLOCK_SIZE, cap, nb, sl, dir, -1);
    if (sl[0] < 0 || recLen(grown, sl[0]) < need) {
      return false;
    }
    insertAt(grown, sl[0], nb, ino, type);
    if (!w.inline().tryStore(dir, grown)) {
      return false;
    }
    dir.setSize(grown.length);
    w.putInode(dir);
    return true;
  }

  /**
   * Moves an inline directory to one block as the kernel does: {@code .}, {@code ..}, then the
   * inline entries, the last record running to the end of the block.
   */
  private void convertInlineToBlock(MutableInode dir) throws IOException {
    byte[] c = w.inline().read(dir);
    inlineSegments(c);
    int end = leafEnd();
    int area = c.length - INLINE_DOTDOT;
    if (24 + area > end) {
      throw new IOException(w.source() + ": inline directory " + dir.ino()
          + " holds more than one block");
    }
    long parent = le(c).getInt(0) & 0xFFFFFFFFL;
    w.inline().clear(dir);
    w.files().initEmpty(dir);
    long group = (dir.ino() - 1) / sb.inodesPerGroup;
    long pb = w.files().allocateBlockAt(dir, 0,
        sb.firstDataBlock + group * sb.blocksPerGroup);
    byte[] b = w.newMetaBlock(pb);
    putEntry(b, 0, dir.ino(), 12, new byte[] {'.'}, FT_DIR);
    putEntry(b, 12, parent, 12, new byte[] {'.', '.'}, FT_DIR);
    System.arraycopy(c, INLINE_DOTDOT, b, 24, area);
    int pos = 24;
    int last = 12;
    int guard = 0;
    while (pos < 24 + area && guard++ < 65536) {
      checkRecord(b, pos, 24 + area, dir, 0);
      last = pos;
      pos += recLen(b, pos);
    }
    putRecLen(b, last, end - last);
    initTail(b);
    seal(dir, b);
    dir.setSize(bs);
    w.putInode(dir);
    LOG.debug("{}: inline directory {} moved to block {}", w.source(), dir.ino(), pb);
  }
}
