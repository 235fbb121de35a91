package dev.vdisk.ext4.internal;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Edits what an inode's {@code i_block} maps: extent trees (insert, merge, split, grow depth,
 * free), indirect block maps, and the file data behind them. Every method that changes the inode
 * stores it with {@link Ext4Writer#putInode(MutableInode)} before returning.
 *
 * <p>First version: only what directories need (a block appended to a depth-0 extent root or to
 * the direct block pointers). The full editor replaces it.
 */
public final class FileData {
  private final Ext4Writer w;

  FileData(Ext4Writer w) {
    this.w = w;
  }

  /**
   * Prepares a new inode's {@code i_block}: an empty extent root when the file system has
   * extents, else zeroed block pointers.
   *
   * @param inode a new inode
   */
  public void initEmpty(MutableInode inode) {
    if (w.superblock().hasIncompat(Superblock.INCOMPAT_EXTENTS)) {
      ByteBuffer b = inode.buffer();
      inode.setFlags(inode.flags() | Inode.FL_EXTENTS);
      b.putShort(MutableInode.I_BLOCK, (short) ExtentHeader.MAGIC);
      b.putShort(MutableInode.I_BLOCK + 2, (short) 0);
      b.putShort(MutableInode.I_BLOCK + 4, (short) 4);
      b.putShort(MutableInode.I_BLOCK + 6, (short) 0);
    }
  }

  /**
   * The physical block holding a logical block.
   *
   * @param inode the inode
   * @param logical the logical block
   * @return the physical block, or -1 for a hole (or an unwritten extent)
   * @throws IOException on a corrupt map or an I/O error
   */
  public long map(MutableInode inode, long logical) throws IOException {
    FileMap m = mapOf(inode);
    int r = m.find(logical);
    if (r < 0 || m.logical(r) > logical || m.uninitialized(r)) {
      return -1;
    }
    return m.physical(r) + (logical - m.logical(r));
  }

  private FileMap mapOf(MutableInode inode) throws IOException {
    Inode p = inode.parsed();
    FileMap.Blocks io = w.blocksView();
    return p.hasFlag(Inode.FL_EXTENTS) ? FileMap.ofExtents(p, io) : FileMap.ofBlockMap(p, io);
  }

  /**
   * Allocates one block and maps it at a logical block that is a hole (for directory growth);
   * adds it to {@code i_blocks}. The caller fills the block and sets {@code i_size}.
   *
   * @param inode the inode
   * @param logical the logical block
   * @param goal the preferred physical block
   * @return the physical block
   * @throws IOException when the map cannot take it, no space is left, or on I/O errors
   */
  public long allocateBlockAt(MutableInode inode, long logical, long goal) throws IOException {
    ByteBuffer b = inode.buffer();
    if (inode.hasFlag(Inode.FL_EXTENTS)) {
      int entries = b.getShort(MutableInode.I_BLOCK + 2) & 0xFFFF;
      int depth = b.getShort(MutableInode.I_BLOCK + 6) & 0xFFFF;
      if (depth != 0) {
        throw notYet(inode, "extent trees deeper than the inode");
      }
      if (entries > 0) {
        int last = MutableInode.I_BLOCK + 12 * entries;
        long l0 = b.getInt(last) & 0xFFFFFFFFL;
        int len = b.getShort(last + 4) & 0xFFFF;
        long p0 = ((long) (b.getShort(last + 6) & 0xFFFF) << 32) | (b.getInt(last + 8) & 0xFFFFFFFFL);
        goal = p0 + len;
        if (logical < l0 + len) {
          throw new IllegalArgumentException("logical block " + logical + " is mapped");
        }
      }
      Ext4Writer.Extent e = w.allocateBlocks(goal, 1);
      int last = MutableInode.I_BLOCK + 12 * entries;
      if (entries > 0) {
        long l0 = b.getInt(last) & 0xFFFFFFFFL;
        int len = b.getShort(last + 4) & 0xFFFF;
        long p0 = ((long) (b.getShort(last + 6) & 0xFFFF) << 32) | (b.getInt(last + 8) & 0xFFFFFFFFL);
        if (l0 + len == logical && p0 + len == e.start() && len < 32768) {
          b.putShort(last + 4, (short) (len + 1));
          inode.addBlocks(1);
          return e.start();
        }
      }
      if (entries >= 4) {
        w.freeBlocks(e.start(), 1);
        throw notYet(inode, "a fifth extent in the inode");
      }
      int at = MutableInode.I_BLOCK + 12 * (entries + 1);
      b.putInt(at, (int) logical);
      b.putShort(at + 4, (short) 1);
      b.putShort(at + 6, (short) (e.start() >>> 32));
      b.putInt(at + 8, (int) e.start());
      b.putShort(MutableInode.I_BLOCK + 2, (short) (entries + 1));
      inode.addBlocks(1);
      return e.start();
    }
    if (logical >= 12) {
      throw notYet(inode, "indirect blocks");
    }
    int at = MutableInode.I_BLOCK + 4 * (int) logical;
    if (b.getInt(at) != 0) {
      throw new IllegalArgumentException("logical block " + logical + " is mapped");
    }
    long start = w.allocateBlocks(goal, 1).start();
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) start);
    inode.addBlocks(1);
    return start;
  }

  /**
   * Writes bytes into a regular file at a position, allocating blocks (contiguous where
   * possible), growing {@code i_size}, and setting mtime and ctime. Converts an inline-data file
   * to blocks when it outgrows the inode.
   *
   * @param inode a regular file
   * @param position the byte offset
   * @param src the bytes (all of them are written)
   * @return the number of bytes written
   * @throws IOException when no space is left, or on I/O errors
   */
  public int write(MutableInode inode, long position, ByteBuffer src) throws IOException {
    throw notYet(inode, "file data writes");
  }

  /**
   * Sets a regular file's size: frees blocks past the new end (and tree blocks left empty), or
   * extends with a hole. Sets mtime and ctime.
   *
   * @param inode a regular file
   * @param size the new size
   * @throws IOException on I/O errors
   */
  public void truncate(MutableInode inode, long size) throws IOException {
    throw notYet(inode, "truncation");
  }

  /**
   * Frees every block the inode maps (data and extent-tree or indirect blocks) and empties its
   * map, for an inode being deleted. Inline data and fast symlinks free nothing.
   *
   * @param inode the inode
   * @throws IOException on I/O errors
   */
  public void freeAll(MutableInode inode) throws IOException {
    throw notYet(inode, "freeing blocks");
  }

  /**
   * Stores a new symbolic link's target: in {@code i_block} when shorter than 60 bytes (a fast
   * link), else in a data block; sets {@code i_size}.
   *
   * @param inode a new symbolic-link inode (mode already set)
   * @param target the target bytes
   * @throws IOException when no space is left, or on I/O errors
   */
  public void writeSymlink(MutableInode inode, byte[] target) throws IOException {
    throw notYet(inode, "symbolic links");
  }

  private UnsafeToWriteException notYet(MutableInode inode, String what) {
    return new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, w.source() + ": inode "
        + inode.ino() + " would need " + what + "; not written in this version");
  }
}
