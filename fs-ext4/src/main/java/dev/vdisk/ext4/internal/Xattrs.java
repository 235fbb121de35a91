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
}
