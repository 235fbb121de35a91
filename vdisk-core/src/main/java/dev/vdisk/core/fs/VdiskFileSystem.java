package dev.vdisk.core.fs;

import java.nio.file.FileSystem;
import java.util.OptionalInt;

/**
 * A {@link FileSystem} inside a disk image or on a block device, as {@link VdiskFileSystems} and
 * {@link VdiskFileSystemProvider} open it. Use it as any {@code FileSystem}; this type adds what
 * a caller may want to know about where it came from.
 */
public abstract class VdiskFileSystem extends FileSystem {

  /** For the implementation only. */
  protected VdiskFileSystem() {}

  /**
   * The file system's type, label and UUID.
   *
   * @return the identity
   */
  public abstract FileSystemIdentity identity();

  /**
   * The partition index the file system was opened from, as {@link
   * dev.vdisk.core.partition.Partition#index()} numbers it; empty for a whole disk or device.
   *
   * @return the index
   */
  public abstract OptionalInt partition();

  /**
   * The driver's volume behind this file system, for callers that want the node API directly. For
   * a writable file system it is wrapped so that its calls take the file system's lock (changes
   * one at a time, no read during a change), as the provider's own calls do.
   *
   * @return the volume
   */
  public abstract Volume volume();
}
