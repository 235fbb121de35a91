package dev.vdisk.core.fs;

/**
 * One file, directory or other object of a mounted {@link Volume}: a handle the driver hands out
 * and takes back. The provider never looks inside; a driver may keep parsed metadata in it (an
 * ext4 inode, an NTFS MFT record).
 *
 * <p>Two handles for the same object have the same {@link #id()}.
 */
public interface Node {

  /**
   * The object's number within the volume: an inode number, an MFT reference.
   *
   * @return the id
   */
  long id();

  /**
   * The object's type.
   *
   * @return the type
   */
  NodeType type();
}
