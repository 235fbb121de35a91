package dev.vdisk.ext4;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.FileSystemDriver;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The ext2/ext3/ext4 file-system driver (reads; writes through a writable mount), registered as a {@link FileSystemDriver}.
 *
 * <p>What it reads: 32- and 64-bit group descriptors, flex_bg, meta_bg, sparse_super and
 * sparse_super2, inodes of any size with nanosecond and 34-bit timestamps, huge_file, block maps
 * and extent trees of any depth (uninitialised extents and holes read as zeros), inline data,
 * fast and slow symbolic links, bigalloc, extended attributes in the inode, in a block and in an
 * EA inode (POSIX ACLs converted to the Linux xattr form), casefold directories, metadata_csum
 * (superblock, group descriptors, inodes, extent blocks, directory blocks, xattr blocks; a bad
 * checksum is a {@link dev.vdisk.core.CorruptStructureException} naming the structure), and a
 * jbd2 journal that needs recovery, replayed into memory so the image file stays unchanged.
 * Unknown INCOMPAT features are refused by name with {@link
 * dev.vdisk.core.UnsupportedFeatureException}; encrypted files and directories are refused when
 * read.
 *
 * <pre>{@code
 * try (FileSystem fs = FileSystems.newFileSystem(Path.of("disk.vhdx"), Map.of())) {
 *   String osRelease = Files.readString(fs.getPath("/etc/os-release"));
 * }
 * }</pre>
 */
public final class Ext4Driver implements FileSystemDriver {

  /** Creates the driver (as {@link java.util.ServiceLoader} does). */
  public Ext4Driver() {}

  @Override
  public String name() {
    return "ext4";
  }

  @Override
  public int probe(BlockDevice device) throws IOException {
    if (device.size() < Superblock.OFFSET + Superblock.SIZE) {
      return NO;
    }
    ByteBuffer b = BlockDevices.read(device, Superblock.OFFSET, Superblock.SIZE);
    if (!Superblock.hasMagic(b)) {
      return NO;
    }
    try {
      Superblock.parse(b, device.description(), device.size());
      return CERTAIN;
    } catch (VdiskException e) {
      return LIKELY;
    }
  }

  @Override
  public Optional<FileSystemIdentity> identify(BlockDevice device) throws IOException {
    if (probe(device) == NO) {
      return Optional.empty();
    }
    try {
      return Optional.of(Ext4Volume.identity(Ext4Volume.readSuperblock(device)));
    } catch (VdiskException e) {
      return Optional.empty();
    }
  }

  @Override
  public Volume mount(BlockDevice device, MountOptions options) throws IOException {
    if (!options.readOnly()) {
      return dev.vdisk.ext4.internal.Ext4WritableVolume.mount(device, options);
    }
    return Ext4Volume.mount(device, options);
  }
}
