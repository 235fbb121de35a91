package dev.vdisk.core.chain;

import dev.vdisk.core.VirtualDisk;

/** Lets tests in other packages zero a sector of a {@link ChainTestFormat} disk. */
@FunctionalInterface
public interface ChainTestFormatAccess {
  /**
   * The disk.
   *
   * @return a disk opened by {@link ChainTestFormat}
   */
  VirtualDisk disk();

  /**
   * Marks a sector as explicitly zeroed in the child layer.
   *
   * @param sector the sector number
   */
  default void zero(long sector) {
    ((ChainTestFormat.Disk) disk()).zero(sector);
  }
}
