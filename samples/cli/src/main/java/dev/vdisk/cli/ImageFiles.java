package dev.vdisk.cli;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.FileModes;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.FileTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * What the file commands share: {@code ls}, {@code cat}, {@code stat}, {@code get}, and the
 * changing ones ({@code put}, {@code mkdir}, {@code rm}, {@code mv}, {@code ln}, {@code chmod},
 * {@code chown}, {@code touch}), which open the image for writing through {@link #change}.
 */
final class ImageFiles {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageFiles.class);

  private ImageFiles() {}

  /** The {@code --partition} option, mixed into every file command. */
  static final class PartitionOption {
    @Option(
        names = {"-p", "--partition"},
        paramLabel = "N",
        description = "The partition holding the file system, as 'vdisk info' numbers them "
            + "(0: the whole disk). Default: the only file system, else the one holding an "
            + "operating system's root.")
    Integer partition;

    VdiskFileSystem open(Path image) throws IOException {
      return VdiskFileSystems.open(image,
          partition == null ? OptionalInt.empty() : OptionalInt.of(partition));
    }
  }

  /** The {@code --snapshot} option of the changing commands. */
  static final class SnapshotOption {
    @Option(
        names = "--snapshot",
        paramLabel = "CHILD",
        description = "Create CHILD, a differencing disk of IMAGE in IMAGE's format (as 'vdisk "
            + "snapshot' does), and write the change into it; IMAGE stays unchanged. CHILD must "
            + "not exist; it is removed again if the change fails.")
    Path child;
  }

  /** One change to the file system inside an image. */
  @FunctionalInterface
  interface Change<T> {
    T apply(VdiskFileSystem fs) throws IOException;
  }

  /**
   * Opens IMAGE (or a new differencing child of it, with {@code --snapshot}) for writing, mounts
   * the chosen partition's file system writable, applies {@code change} and closes the file
   * system, which flushes every change to the image. A file system whose driver cannot write is
   * refused before anything changes; a failed change removes the child it created.
   */
  static <T> T change(Path image, PartitionOption partition, SnapshotOption snapshot,
      Change<T> change) throws IOException {
    Path target = image;
    boolean created = false;
    if (snapshot != null && snapshot.child != null) {
      Path child = snapshot.child;
      if (Files.exists(child, LinkOption.NOFOLLOW_LINKS)) {
        throw new UnsafeToWriteException(child, UnsafeToWriteException.Reason.OTHER,
            "it exists already; choose another name for the snapshot or remove it");
      }
      try (VirtualDisk parent = VirtualDisks.open(image);
          VirtualDisk made = parent.format().createChild(parent, child)) {
        LOG.debug("created {}: differencing {} disk on {}", child, made.format().name(), image);
      }
      target = child;
      created = true;
    }
    try {
      T result;
      try (VdiskFileSystem fs = VdiskFileSystems.open(target,
          partition.partition == null ? OptionalInt.empty() : OptionalInt.of(partition.partition),
          MountOptions.writable())) {
        if (fs.isReadOnly()) {
          throw new UnsafeToWriteException(target, UnsafeToWriteException.Reason.READ_ONLY,
              "the " + fs.identity().type() + " driver cannot write this file system");
        }
        try {
          result = change.apply(fs);
        } catch (ReadOnlyFileSystemException e) {
          // a writable volume whose driver does not implement this kind of change
          throw new UnsafeToWriteException(target,
              UnsafeToWriteException.Reason.UNSUPPORTED_FEATURE,
              "the " + fs.identity().type() + " driver cannot make this kind of change");
        }
      }
      return result;
    } catch (IOException | RuntimeException e) {
      if (created) {
        try {
          Files.deleteIfExists(snapshot.child);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** A path inside the image; relative paths are taken from the root. */
  static Path resolve(FileSystem fs, String path) {
    return fs.getPath("/").resolve(path.isEmpty() ? "/" : path);
  }

  /** The unix attributes of a file, not following a final symbolic link. */
  static Map<String, Object> unix(Path file) throws IOException {
    return Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS);
  }

  static int mode(Map<String, Object> unix) {
    return ((Number) unix.get("mode")).intValue();
  }

  /** {@code ls -l}-style type and permission letters, such as {@code -rwsr-xr-x}. */
  static String modeString(int mode) {
    return FileModes.format(mode);
  }

  /** The file type's name as {@code stat} prints it. */
  static String typeName(int mode) {
    return switch (mode & 0170000) {
      case 0040000 -> "directory";
      case 0120000 -> "symbolic link";
      case 0020000 -> "character special file";
      case 0060000 -> "block special file";
      case 0010000 -> "fifo";
      case 0140000 -> "socket";
      default -> "regular file";
    };
  }

  /** ISO-8601 UTC with nanoseconds, as JSON carries times. */
  static String iso(Object time) {
    if (!(time instanceof FileTime t)) {
      return null;
    }
    return DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
  }

  /** {@code 2026-11-29 10:52:29.979104422 +0000}, as {@code stat} prints times. */
  static String statTime(Object time) {
    if (!(time instanceof FileTime t)) {
      return "-";
    }
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.nnnnnnnnn Z")
        .format(t.toInstant().atOffset(ZoneOffset.UTC));
  }

  /** One file's facts as JSON: the fields {@code ls --json} and {@code stat --json} share. */
  static Map<String, Object> json(Path file) throws IOException {
    Map<String, Object> unix = unix(file);
    int mode = mode(unix);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("path", file.toString());
    Path name = file.getFileName();
    map.put("name", name == null ? "/" : name.toString());
    map.put("type", typeName(mode));
    map.put("mode", mode & 07777);
    map.put("permissions", modeString(mode));
    map.put("uid", unix.get("uid"));
    map.put("gid", unix.get("gid"));
    map.put("size", unix.get("size"));
    map.put("nlink", unix.get("nlink"));
    map.put("ino", unix.get("ino"));
    map.put("mtime", iso(unix.get("lastModifiedTime")));
    map.put("atime", iso(unix.get("lastAccessTime")));
    map.put("ctime", iso(unix.get("ctime")));
    map.put("crtime", iso(unix.get("creationTime")));
    if ((mode & 0170000) == 0120000) {
      map.put("target", Files.readSymbolicLink(file).toString());
    }
    java.util.Set<String> views = file.getFileSystem().supportedFileAttributeViews();
    if (views.contains("dos")) {
      Map<String, Object> dos = Files.readAttributes(file, "dos:*", LinkOption.NOFOLLOW_LINKS);
      map.put("dosAttributes", dos.get("attributes"));
      map.put("dos", dosString(dos));
    }
    if (views.contains("ntfs")) {
      map.put("ntfs", Files.readAttributes(file, "ntfs:*", LinkOption.NOFOLLOW_LINKS));
    }
    return map;
  }

  /** The DOS attribute letters as {@code attrib} shows them ({@code RHSA}, '-' when clear). */
  static String dosString(Map<String, Object> dos) {
    return (Boolean.TRUE.equals(dos.get("readonly")) ? "R" : "-")
        + (Boolean.TRUE.equals(dos.get("hidden")) ? "H" : "-")
        + (Boolean.TRUE.equals(dos.get("system")) ? "S" : "-")
        + (Boolean.TRUE.equals(dos.get("archive")) ? "A" : "-");
  }
}
