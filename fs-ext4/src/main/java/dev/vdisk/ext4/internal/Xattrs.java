package dev.vdisk.ext4.internal;

/**
 * Edits extended attributes: the in-inode area after the extra fields and the shared xattr block
 * ({@code i_file_acl}, reference-counted), with their hashes and checksums. Every method that
 * changes an inode stores it with {@link Ext4Writer#putInode(MutableInode)} before returning.
 */
public final class Xattrs {
  private final Ext4Writer w;

  Xattrs(Ext4Writer w) {
    this.w = w;
  }

  /**
   * The inode's extended attributes by full name ({@code user.x}, {@code security.selinux}).
   *
   * @param inode the inode
   * @return name to value, in-inode first, then the block's
   * @throws java.io.IOException on a corrupt structure or an I/O error
   */
  public java.util.Map<String, byte[]> list(MutableInode inode) throws java.io.IOException {
    throw new UnsupportedOperationException("xattr editing is not written yet");
  }

  /**
   * Sets an attribute (creating or replacing it): in the inode when it fits, else in the xattr
   * block (copied first when shared).
   *
   * @param inode the inode
   * @param name the full name
   * @param value the value
   * @throws java.io.IOException when it fits nowhere, or on I/O errors
   */
  public void set(MutableInode inode, String name, byte[] value) throws java.io.IOException {
    throw new UnsupportedOperationException("xattr editing is not written yet");
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
    throw new UnsupportedOperationException("xattr editing is not written yet");
  }

  /**
   * Drops the inode's xattr block reference (freeing the block when no other inode shares it),
   * for an inode being deleted.
   *
   * @param inode the inode
   * @throws java.io.IOException on I/O errors
   */
  public void freeAll(MutableInode inode) throws java.io.IOException {
    if (inode.fileAcl() != 0) {
      throw new UnsupportedOperationException("xattr block release is not written yet");
    }
  }
}
