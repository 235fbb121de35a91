package dev.vdisk.ext4.internal;

import java.io.IOException;

/**
 * Storage primitives for inline data (the {@code inline_data} feature): the first 60 bytes in
 * {@code i_block}, the rest in the in-inode {@code system.data} attribute. The file and directory
 * editors use these and convert an inode to blocks themselves when its content outgrows
 * {@link #capacity(MutableInode)}.
 */
public final class InlineData {
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

  /**
   * The inline content ({@code i_size} bytes of a file; the entry area of a directory, starting
   * with the 4-byte parent inode number).
   *
   * @param inode an inline inode
   * @return the bytes
   * @throws IOException on a corrupt structure
   */
  public byte[] read(MutableInode inode) throws IOException {
    throw new UnsupportedOperationException("inline data editing is not written yet");
  }

  /**
   * The most bytes this inode can hold inline (60 plus the room {@code system.data} can take in
   * the in-inode xattr area).
   *
   * @param inode the inode
   * @return the capacity in bytes
   * @throws IOException on a corrupt structure
   */
  public int capacity(MutableInode inode) throws IOException {
    throw new UnsupportedOperationException("inline data editing is not written yet");
  }

  /**
   * Stores content inline (setting the flag and {@code system.data}) if it fits.
   *
   * @param inode the inode
   * @param content the bytes
   * @return {@code false} (and nothing changed) if it does not fit
   * @throws IOException on a corrupt structure
   */
  public boolean tryStore(MutableInode inode, byte[] content) throws IOException {
    throw new UnsupportedOperationException("inline data editing is not written yet");
  }

  /**
   * Removes the inline content ({@code system.data}, {@code i_block}, the flag), so the caller
   * can store the content in blocks instead.
   *
   * @param inode the inode
   * @throws IOException on a corrupt structure
   */
  public void clear(MutableInode inode) throws IOException {
    throw new UnsupportedOperationException("inline data editing is not written yet");
  }
}
