package dev.vdisk.ext4.internal;

/**
 * Edits directories: entries in linear and hashed (htree) directories and in inline-data
 * directories, {@code .} and {@code ..}, and link counts. Every method that changes an inode
 * stores it with {@link Ext4Writer#putInode(MutableInode)} before returning.
 */
public final class Directories {
  private final Ext4Writer w;

  Directories(Ext4Writer w) {
    this.w = w;
  }
}
