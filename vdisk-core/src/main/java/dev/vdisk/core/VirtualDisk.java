package dev.vdisk.core;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An opened disk image: the virtual disk it presents, read (and for a differencing disk, read
 * through its parent chain) as a {@link BlockDevice}.
 *
 * <p>Obtain one from {@link VirtualDisks#open(Path)}. Closing a disk closes its parents too.
 */
public interface VirtualDisk extends BlockDevice {

  /**
   * The format that opened this image.
   *
   * @return the format
   */
  DiskFormat format();

  /**
   * The image file (for multi-file formats, the descriptor or first file).
   *
   * @return the path
   */
  Path path();

  /**
   * What the image says about itself.
   *
   * @return the facts
   */
  DiskInfo info();

  /**
   * The parent of a differencing disk.
   *
   * @return the opened parent, or empty for a disk with no parent
   */
  default Optional<VirtualDisk> parent() {
    return Optional.empty();
  }
}
