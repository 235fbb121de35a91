package dev.vdisk.cli;

import dev.vdisk.core.fs.FileModes;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/** What the file commands ({@code ls}, {@code cat}, {@code stat}, {@code get}) share. */
final class ImageFiles {
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
    return map;
  }
}
