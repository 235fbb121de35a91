package dev.vdisk.inspect;

import java.nio.file.Path;

/**
 * The file tree of a guest as its own processes would see it: absolute guest paths resolved
 * across the file systems its {@code /etc/fstab} mounts (for Linux), or on the system volume (for
 * Windows, with {@code /} as the volume's root and {@code /} as the separator).
 */
@FunctionalInterface
public interface GuestFiles {

  /**
   * The path of an absolute guest path ({@code /etc/os-release}) in the file system that holds
   * it. The file need not exist; symbolic links are not followed across mounts.
   */
  Path resolve(String guestPath);

  /** A guest held in one file system: guest paths are resolved against {@code root}. */
  static GuestFiles of(Path root) {
    return guestPath -> {
      String relative = guestPath;
      while (relative.startsWith("/")) {
        relative = relative.substring(1);
      }
      return relative.isEmpty() ? root : root.resolve(relative);
    };
  }
}
