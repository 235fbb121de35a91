package dev.vdisk.core.fs;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.internal.NodeFileSystem;
import dev.vdisk.core.tx.RedoLogDevice;
import dev.vdisk.core.partition.Partition;
import dev.vdisk.core.partition.PartitionTable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the file system inside a disk image or on a block device as a {@link
 * java.nio.file.FileSystem}.
 *
 * <pre>{@code
 * try (FileSystem fs = VdiskFileSystems.open(Path.of("disk.vhdx"), OptionalInt.empty())) {
 *   String osRelease = Files.readString(fs.getPath("/etc/os-release"));
 * }
 * }</pre>
 *
 * <p>Which partition: the one asked for (its {@link Partition#index()}; 0 means the whole device,
 * for a file system without a partition table), else the only partition holding a file system a
 * driver recognises, else the one holding an operating system's root ({@code /etc/os-release} or
 * {@code /Windows/System32}). A device without a partition table is mounted whole.
 *
 * <p>The same is available through {@link java.nio.file.FileSystems#newFileSystem(Path,
 * java.util.Map)} with {@code Map.of("partition", 2)} (see {@link VdiskFileSystemProvider}).
 */
public final class VdiskFileSystems {
  private static final Logger LOG = LoggerFactory.getLogger(VdiskFileSystems.class);

  private VdiskFileSystems() {}

  /**
   * Opens an image read-only and mounts the chosen partition's file system. Closing the returned
   * file system closes the image.
   *
   * @param image the disk image (any registered format) or a raw file-system image
   * @param partition the partition index, or empty to choose as described above
   * @return the file system
   * @throws NoFileSystemException if no file system is found, or several and none is an OS root
   * @throws IOException on an I/O error or a corrupt or unsupported structure
   */
  public static VdiskFileSystem open(Path image, OptionalInt partition) throws IOException {
    return open(image, partition, MountOptions.defaults());
  }

  /**
   * Opens an image read-only and mounts the file system chosen as described above.
   *
   * @param image the disk image
   * @return the file system
   * @throws IOException as {@link #open(Path, OptionalInt)}
   */
  public static VdiskFileSystem open(Path image) throws IOException {
    return open(image, OptionalInt.empty());
  }

  /**
   * Opens an image and mounts a partition's file system with the given options. When the options
   * are not {@linkplain MountOptions#readOnly() read-only} the image (and so the partition) is
   * opened for writing and the driver mounts the file system writable; closing the returned file
   * system flushes the volume, then closes it and the image.
   *
   * <pre>{@code
   * try (FileSystem fs = VdiskFileSystems.open(Path.of("disk.vhdx"), OptionalInt.of(1),
   *     MountOptions.writable())) {
   *   Files.writeString(fs.getPath("/etc/motd"), "serviced offline\n");
   * }
   * }</pre>
   *
   * @param image the disk image
   * @param partition the partition index, or empty to choose
   * @param options mount options
   * @return the file system
   * @throws dev.vdisk.core.UnsafeToWriteException if the image may not be written (locked, for
   *     example) and the options ask for writing
   * @throws IOException as {@link #open(Path, OptionalInt)}
   */
  public static VdiskFileSystem open(Path image, OptionalInt partition, MountOptions options)
      throws IOException {
    return open(VdiskFileSystemProvider.instance(), image, partition, options, null);
  }

  static VdiskFileSystem open(VdiskFileSystemProvider provider, Path image, OptionalInt partition,
      MountOptions options, Runnable onClose) throws IOException {
    VirtualDisk disk = VirtualDisks.open(image,
        options.readOnly() ? OpenOptions.readOnly() : OpenOptions.readWrite());
    try {
      Mounted m = mount(disk, partition, options, image);
      URI base = image.toAbsolutePath().normalize().toUri();
      return new NodeFileSystem(provider, m.volume, m.partition, base, List.of(disk), onClose);
    } catch (IOException | RuntimeException e) {
      try {
        disk.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Mounts the file system on a device (choosing a partition as described above). The device is
   * not closed with the file system.
   *
   * @param device a virtual disk, partition or other device
   * @return the file system
   * @throws IOException as {@link #open(Path, OptionalInt)}
   */
  public static VdiskFileSystem open(BlockDevice device) throws IOException {
    return open(device, OptionalInt.empty());
  }

  /**
   * Mounts a partition's file system on a device. The device is not closed with the file system.
   *
   * @param device a virtual disk or other device
   * @param partition the partition index, or empty to choose
   * @return the file system
   * @throws IOException as {@link #open(Path, OptionalInt)}
   */
  public static VdiskFileSystem open(BlockDevice device, OptionalInt partition)
      throws IOException {
    return open(device, partition, MountOptions.defaults());
  }

  /**
   * Mounts a partition's file system on a device with the given options (writable ones need a
   * {@linkplain BlockDevice#isWritable() writable} device). The device is not closed with the
   * file system; closing the file system flushes and closes the volume.
   *
   * @param device a virtual disk or other device
   * @param partition the partition index, or empty to choose
   * @param options mount options
   * @return the file system
   * @throws IOException as {@link #open(Path, OptionalInt)}, or if writable options meet a
   *     read-only device
   */
  public static VdiskFileSystem open(BlockDevice device, OptionalInt partition,
      MountOptions options) throws IOException {
    if (!options.readOnly() && !device.isWritable()) {
      throw new java.nio.file.AccessDeniedException(device.description(), null,
          "the device is read-only and cannot be mounted for writing");
    }
    Mounted m = mount(device, partition, options, null);
    return new NodeFileSystem(VdiskFileSystemProvider.instance(), m.volume, m.partition, null,
        List.of(), null);
  }

  private static final class Mounted {
    final Volume volume;
    final OptionalInt partition;

    Mounted(Volume volume, OptionalInt partition) {
      this.volume = volume;
      this.partition = partition;
    }
  }

  /**
   * The redo record beside an image for one of its file systems (see {@link RedoLogDevice}):
   * {@code disk.vhdx.vdisk-redo-2} for partition 2, {@code -0} for a file system on the whole
   * disk.
   *
   * @param image the image
   * @param partition the partition index, 0 for the whole disk
   * @return the record's path
   */
  public static Path redoRecord(Path image, int partition) {
    return image.toAbsolutePath().resolveSibling(image.getFileName() + ".vdisk-redo-" + partition);
  }

  /**
   * What a driver mounts: the device itself, or, for an image file, the device behind its redo
   * record (always when writing, so a driver without a journal can group writes atomically; when
   * reading, only if a record an interrupted write left is there).
   */
  private static BlockDevice withRedo(BlockDevice device, Path image, int index,
      MountOptions options) throws IOException {
    if (image == null) {
      return device;
    }
    Path record = redoRecord(image, index);
    if (!options.readOnly() || RedoLogDevice.pending(record)) {
      return RedoLogDevice.open(device, record);
    }
    return device;
  }

  private static Mounted mount(BlockDevice device, OptionalInt partition, MountOptions options,
      Path image) throws IOException {
    PartitionTable table = PartitionTable.read(device);
    if (partition.isPresent()) {
      int wanted = partition.getAsInt();
      if (wanted == 0) {
        return new Mounted(mountWhole(withRedo(device, image, 0, options), options),
            OptionalInt.empty());
      }
      for (Partition p : table.partitions()) {
        if (p.index() == wanted) {
          FileSystemDriver driver = FileSystemDrivers.probe(p).orElseThrow(
              () -> new NoFileSystemException(null, p.description()
                  + ": no registered file-system driver recognises it"));
          return new Mounted(driver.mount(withRedo(p, image, wanted, options), options),
              OptionalInt.of(wanted));
        }
      }
      throw new NoFileSystemException(null, device.description() + ": no partition " + wanted
          + " (partition table: " + table.scheme().jsonName() + ", partitions "
          + table.partitions().stream().map(p -> String.valueOf(p.index()))
              .collect(Collectors.joining(", ")) + ")");
    }
    List<Partition> candidates = new ArrayList<>();
    for (Partition p : table.partitions()) {
      if (!p.isExtended() && FileSystemDrivers.probe(p).isPresent()) {
        candidates.add(p);
      }
    }
    if (candidates.isEmpty()) {
      return new Mounted(mountWhole(withRedo(device, image, 0, options), options),
          OptionalInt.empty());
    }
    if (candidates.size() == 1) {
      Partition p = candidates.get(0);
      LOG.debug("{}: the only file system is in partition {}", device.description(), p.index());
      return new Mounted(FileSystemDrivers.probe(p).get().mount(
          withRedo(p, image, p.index(), options), options), OptionalInt.of(p.index()));
    }
    for (Partition p : candidates) {
      Volume v = FileSystemDrivers.probe(p).get().mount(withRedo(p, image, p.index(), options),
          options);
      boolean root;
      try {
        root = isOsRoot(v);
      } catch (IOException | RuntimeException e) {
        LOG.debug("{}: cannot tell whether it holds an OS root: {}", p.description(), e.toString());
        root = false;
      }
      if (root) {
        LOG.debug("{}: partition {} holds an OS root", device.description(), p.index());
        return new Mounted(v, OptionalInt.of(p.index()));
      }
      v.close();
    }
    throw new NoFileSystemException(null, device.description() + ": file systems in partitions "
        + candidates.stream().map(p -> String.valueOf(p.index())).collect(Collectors.joining(", "))
        + " and none holds an OS root: choose one");
  }

  private static Volume mountWhole(BlockDevice device, MountOptions options) throws IOException {
    FileSystemDriver driver = FileSystemDrivers.probe(device).orElseThrow(
        () -> new NoFileSystemException(null, device.description()
            + ": no partition or file system that a registered driver recognises"));
    return driver.mount(device, options);
  }

  private static boolean isOsRoot(Volume v) throws IOException {
    Node root = v.root();
    Optional<Node> etc = v.lookup(root, "etc");
    if (etc.isPresent() && etc.get().type() == NodeType.DIRECTORY
        && v.lookup(etc.get(), "os-release").isPresent()) {
      return true;
    }
    Optional<Node> windows = findIgnoringCase(v, root, "Windows");
    return windows.isPresent() && windows.get().type() == NodeType.DIRECTORY
        && findIgnoringCase(v, windows.get(), "System32").isPresent();
  }

  private static Optional<Node> findIgnoringCase(Volume v, Node dir, String name)
      throws IOException {
    Optional<Node> exact = v.lookup(dir, name);
    if (exact.isPresent()) {
      return exact;
    }
    for (DirectoryEntry e : v.list(dir)) {
      if (e.name().equalsIgnoreCase(name)) {
        return Optional.of(v.node(e.id()));
      }
    }
    return Optional.empty();
  }
}
