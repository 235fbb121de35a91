package dev.vdisk.core.fs;

import dev.vdisk.core.BlockDevice;
import java.io.IOException;
import java.util.Optional;

/**
 * A file-system driver: the service-provider interface that file-system modules (ext2/3/4, NTFS)
 * implement.
 *
 * <p>Implementations are registered in {@code META-INF/services/dev.vdisk.core.fs.FileSystemDriver}
 * and found with {@link java.util.ServiceLoader}; they need a public no-argument constructor and
 * must be stateless. {@link FileSystemDrivers} finds the driver for a device; {@link
 * VdiskFileSystems} turns the mounted {@link Volume} into a {@link java.nio.file.FileSystem}.
 */
public interface FileSystemDriver {

  /** Probe score: signature and checksum matched. */
  int CERTAIN = 100;

  /** Probe score: a signature matched. */
  int LIKELY = 50;

  /** Probe score: not this file system. */
  int NO = 0;

  /**
   * The driver's name: {@code ext4}, {@code ntfs}.
   *
   * @return the name
   */
  String name();

  /**
   * Decides from content whether the device holds this file system. Reads only a few sectors and
   * never throws for foreign content.
   *
   * @param device a partition or whole disk
   * @return a score from {@link #NO} to {@link #CERTAIN}
   * @throws IOException only on an I/O error
   */
  int probe(BlockDevice device) throws IOException;

  /**
   * Reads the type, label and UUID without mounting (for {@code vdisk info}).
   *
   * @param device a partition or whole disk
   * @return the identity, or empty if this is not the driver's file system
   * @throws IOException only on an I/O error
   */
  Optional<FileSystemIdentity> identify(BlockDevice device) throws IOException;

  /**
   * Mounts the file system. The device stays owned by the caller: closing the volume does not
   * close it.
   *
   * @param device a partition or whole disk
   * @param options how to mount
   * @return the mounted volume
   * @throws dev.vdisk.core.CorruptStructureException if a structure is corrupt
   * @throws dev.vdisk.core.UnsupportedFeatureException for an incompatible feature the driver
   *     does not implement
   * @throws IOException on an I/O error
   */
  Volume mount(BlockDevice device, MountOptions options) throws IOException;
}
