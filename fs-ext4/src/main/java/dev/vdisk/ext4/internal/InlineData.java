package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Storage primitives for inline data (the {@code inline_data} feature): the first 60 bytes in
 * {@code i_block}, the rest in the in-inode {@code system.data} attribute. The file and directory
 * editors use these and convert an inode to blocks themselves when its content outgrows
 * {@link #capacity(MutableInode)}.
 *
 * <p>The kernel's rules: an inline inode has {@code EXT4_INLINE_DATA_FL} and not
 * {@code EXT4_EXTENTS_FL}; its {@code system.data} entry (name index 7, name {@code data}) is
 * always present in the in-inode xattr area, empty while the content fits in {@code i_block}; the
 * inline size is 60 plus the length of that value. A file's {@code i_size} is its content length
 * (at most the inline size); a directory's content starts with the parent's inode number (4
 * bytes), then entries, and its {@code i_size} is the inline size.
 */
public final class InlineData {
  /** Bytes of content kept in {@code i_block}. */
  public static final int I_BLOCK_BYTES = MutableInode.I_BLOCK_SIZE;
  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);

  private final Ext4Writer w;

  InlineData(Ext4Writer w) {
    this.w = w;
  }

  /**
   * @param inode the inode
   * @return whether its content is inline ({@code EXT4_INLINE_DATA_FL})
   */
  public boolean isInline(MutableInode inode) {
    return inode.hasFlag(Inode.FL_INLINE_DATA);
  }

  private Xattrs.Entry systemData(Xattrs.State s) {
    for (Xattrs.Entry e : s.inInode) {
      if (e.sameName(Xattrs.INDEX_SYSTEM, DATA)) {
        return e;
      }
    }
    return null;
  }

  /**
   * The inline content ({@code i_size} bytes of a file; the entry area of a directory, starting
   * with the 4-byte parent inode number).
   *
   * @param inode an inline inode
   * @return the bytes
   * @throws IOException on a corrupt structure
   */
  public byte[] read(MutableInode inode) throws IOException {
    if (!isInline(inode)) {
      throw new IllegalArgumentException("inode " + inode.ino() + " has no inline data");
    }
    Xattrs.State s = w.xattrs().load(inode);
    Xattrs.Entry e = systemData(s);
    if (e == null || e.valueInum != 0) {
      throw new CorruptStructureException(w.source(), -1, "inode " + inode.ino(),
          "inline data without a system.data attribute in the inode");
    }
    byte[] all = Arrays.copyOf(inode.iBlock(), I_BLOCK_BYTES + e.value.length);
    System.arraycopy(e.value, 0, all, I_BLOCK_BYTES, e.value.length);
    if (inode.isDirectory()) {
      return all;
    }
    long size = inode.size();
    if (size < 0 || size > all.length) {
      throw new CorruptStructureException(w.source(), -1, "inode " + inode.ino(),
          "i_size " + size + " exceeds the inline data size " + all.length);
    }
    return Arrays.copyOf(all, (int) size);
  }

  /**
   * The most bytes this inode can hold inline (60 plus the room {@code system.data} can take in
   * the in-inode xattr area, with the other in-inode attributes where they are).
   *
   * @param inode the inode
   * @return the capacity in bytes; 0 when inline data is impossible (no {@code inline_data}
   *     feature, no in-inode xattr area, or no room there for the {@code system.data} entry)
   * @throws IOException on a corrupt structure
   */
  public int capacity(MutableInode inode) throws IOException {
    if (!w.superblock().hasIncompat(Superblock.INCOMPAT_INLINE_DATA)) {
      return 0;
    }
    Xattrs.State s = w.xattrs().load(inode);
    if (s.inodeRoom < 0) {
      return 0;
    }
    List<Xattrs.Entry> others = new java.util.ArrayList<>();
    for (Xattrs.Entry e : s.inInode) {
      if (!e.sameName(Xattrs.INDEX_SYSTEM, DATA)) {
        others.add(e);
      }
    }
    others.add(new Xattrs.Entry(Xattrs.INDEX_SYSTEM, DATA, new byte[0]));
    int free = s.inodeRoom - Xattrs.inodeUse(others);
    if (free < 0) {
      return 0;
    }
    return I_BLOCK_BYTES + (free & ~3);
  }

  /**
   * Stores content inline (setting the flag and {@code system.data}) if it fits: the first 60
   * bytes in {@code i_block}, the rest as the value of {@code system.data}. Sets
   * {@code EXT4_INLINE_DATA_FL}, clears {@code EXT4_EXTENTS_FL}, and sets {@code i_size}: the
   * content length for a file; for a directory the inline size (the content is padded with zeros
   * to 60 bytes; the caller's entries must cover the area). The inode must map no blocks (the
   * caller frees them first, after reading the content).
   *
   * @param inode the inode
   * @param content the bytes
   * @return {@code false} (and nothing changed) if it does not fit
   * @throws IOException on a corrupt structure
   * @throws IllegalStateException if the inode still maps data blocks
   */
  public boolean tryStore(MutableInode inode, byte[] content) throws IOException {
    if (content.length > capacity(inode)) {
      return false;
    }
    long eaSectors = inode.fileAcl() != 0 ? w.blockSize() / 512 : 0;
    if (!isInline(inode) && inode.sectors() > eaSectors) {
      throw new IllegalStateException("inode " + inode.ino() + " still maps data blocks ("
          + inode.sectors() + " sectors); free them before storing its content inline");
    }
    byte[] saved = inode.raw().clone();
    byte[] rest = content.length > I_BLOCK_BYTES
        ? Arrays.copyOfRange(content, I_BLOCK_BYTES, content.length) : new byte[0];
    inode.setIBlock(Arrays.copyOf(content, I_BLOCK_BYTES));
    inode.setFlags((inode.flags() | Inode.FL_INLINE_DATA) & ~Inode.FL_EXTENTS);
    inode.setSize(inode.isDirectory() ? I_BLOCK_BYTES + rest.length : content.length);
    if (!w.xattrs().setEntry(inode, Xattrs.INDEX_SYSTEM, DATA, rest, true)) {
      System.arraycopy(saved, 0, inode.raw(), 0, saved.length);
      return false;
    }
    return true;
  }

  /**
   * Removes the inline content ({@code system.data}, {@code i_block}, the flag), so the caller
   * can store the content in blocks instead. As the kernel does, a file system with extents gets
   * {@code EXT4_EXTENTS_FL} and an empty extent root in {@code i_block}. {@code i_size} is left
   * for the caller.
   *
   * @param inode the inode
   * @throws IOException on a corrupt structure
   */
  public void clear(MutableInode inode) throws IOException {
    w.xattrs().removeEntry(inode, Xattrs.INDEX_SYSTEM, DATA);
    inode.setIBlock(new byte[I_BLOCK_BYTES]);
    int flags = inode.flags() & ~Inode.FL_INLINE_DATA;
    inode.setFlags(flags);
    if (w.superblock().hasIncompat(Superblock.INCOMPAT_EXTENTS)) {
      java.nio.ByteBuffer b = inode.buffer();
      inode.setFlags(flags | Inode.FL_EXTENTS);
      b.putShort(MutableInode.I_BLOCK, (short) ExtentHeader.MAGIC);
      b.putShort(MutableInode.I_BLOCK + 4, (short) 4);
    }
    w.putInode(inode);
  }
}
