package dev.vdisk.ntfs;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.FileSystemDriver;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.ntfs.internal.BootSector;
import dev.vdisk.ntfs.internal.NtfsVolume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Optional;

/**
 * The NTFS file-system driver (read-only), registered as a {@link FileSystemDriver}.
 *
 * <p>What it reads: NTFS 1.2 to 3.1 with clusters of 512 bytes to 2 MiB and MFT entries of 1 or 4
 * KiB (update sequence arrays checked on every entry and index record); the MFT through its own
 * runlist, with {@code $MFTMirr} compared (a damaged first entry is read from the mirror, a
 * destroyed boot sector from its backup at the end of the volume);
 * files whose attributes span extension entries through {@code $ATTRIBUTE_LIST}; resident,
 * non-resident and sparse values with their initialised size; directory B+ trees looked up with
 * the volume's {@code $UpCase} table (case-insensitive, an exact-case match preferred) and listed
 * in collation order, DOS 8.3 aliases hidden; named {@code $DATA} streams as {@code name:stream}
 * paths and as {@code user.stream} extended attributes; symbolic links and junctions (reparse
 * points) and Interix symbolic links. Encrypted (EFS) and deduplicated files are refused when
 * read, with the reason.
 *
 * <pre>{@code
 * try (FileSystem fs = VdiskFileSystems.open(Path.of("windows.vhdx"))) {
 *   byte[] hive = Files.readAllBytes(fs.getPath("/Windows/System32/config/SOFTWARE"));
 *   byte[] zone = Files.readAllBytes(fs.getPath("/Users/me/Downloads/x.exe:Zone.Identifier"));
 * }
 * }</pre>
 */
public final class NtfsDriver implements FileSystemDriver {

  /** Creates the driver (as {@link java.util.ServiceLoader} does). */
  public NtfsDriver() {}

  @Override
  public String name() {
    return "ntfs";
  }

  @Override
  public int probe(BlockDevice device) throws IOException {
    if (device.size() < BootSector.SIZE) {
      return NO;
    }
    ByteBuffer b = BlockDevices.read(device, 0, BootSector.SIZE);
    if (b.get(3) != 'N' || b.get(4) != 'T' || b.get(5) != 'F' || b.get(6) != 'S') {
      // a destroyed boot sector: the backup in the device's last sector
      long backup = (device.size() / BootSector.SIZE - 1) * BootSector.SIZE;
      if (backup <= 0) {
        return NO;
      }
      try {
        BootSector.parse(BlockDevices.read(device, backup, BootSector.SIZE),
            device.description(), backup);
        return LIKELY;
      } catch (VdiskException e) {
        return NO;
      }
    }
    try {
      BootSector.parse(b, device.description(), 0);
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
    try (NtfsVolume v = NtfsVolume.mount(device, MountOptions.defaults())) {
      return Optional.of(v.identity());
    } catch (VdiskException e) {
      BootSector boot = NtfsVolume.readBootSector(device);
      return Optional.of(new FileSystemIdentity("ntfs", "",
          String.format("%016X", boot.serialNumber())));
    }
  }

  @Override
  public Volume mount(BlockDevice device, MountOptions options) throws IOException {
    if (!options.readOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    return NtfsVolume.mount(device, options);
  }
}
