package dev.vdisk.inspect.internal.windows;

import dev.vdisk.inspect.GuestFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Windows paths on a volume whose file system may compare names case-sensitively (a copy on
 * ext4, a test's temp directory): each component is taken as written when it exists, else found
 * by listing the directory and comparing names case-insensitively (as NTFS does, by upper-casing
 * each UTF-16 unit).
 */
final class GuestPaths {
  /** Directories listed at most this long looking for one name. */
  private static final int MAX_ENTRIES = 1 << 20;

  private GuestPaths() {}

  /**
   * The file or directory at a path of components below the volume's root.
   *
   * @return the path, or empty when a component is missing
   */
  static Optional<Path> find(GuestFiles guest, String... components) throws IOException {
    Path p = guest.resolve("/");
    for (String c : components) {
      Path exact = p.resolve(c);
      if (Files.exists(exact, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        p = exact;
        continue;
      }
      if (!Files.isDirectory(p)) {
        return Optional.empty();
      }
      Path found = null;
      int n = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
        for (Path e : entries) {
          if (++n > MAX_ENTRIES) {
            break;
          }
          Path name = e.getFileName();
          if (name != null && equalsIgnoreCase(name.toString(), c)) {
            found = e;
            break;
          }
        }
      }
      if (found == null) {
        return Optional.empty();
      }
      p = found;
    }
    return Optional.of(p);
  }

  static boolean equalsIgnoreCase(String a, String b) {
    if (a.length() != b.length()) {
      return false;
    }
    for (int i = 0; i < a.length(); i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y && Character.toUpperCase(x) != Character.toUpperCase(y)) {
        return false;
      }
    }
    return true;
  }
}
