package dev.vdisk.apply.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The guest's file system seen from inside: guest paths ({@code "/usr/bin/x"}) are resolved
 * under the guest root with the guest's own symbolic links followed inside the guest (an absolute
 * link target starts again at the guest root, never at the host's), as dpkg running in the guest
 * would see them. Paths are strings in the guest's namespace; {@link #host} maps a resolved one to
 * a {@link Path} of the root's provider.
 */
final class GuestFs {
  private static final int MAX_LINKS = 40;
  private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private final Path root;
  private final boolean unix;
  private final Map<String, String> dirCache = new HashMap<>();

  GuestFs(Path root) {
    this.root = root;
    this.unix = root.getFileSystem().supportedFileAttributeViews().contains("unix");
  }

  /** The guest root. */
  Path root() {
    return root;
  }

  /** The provider path of a guest path taken literally (no link resolution). */
  Path host(String guestPath) {
    String rel = guestPath.startsWith("/") ? guestPath.substring(1) : guestPath;
    return rel.isEmpty() ? root : root.resolve(rel);
  }

  /** Forgets resolved directories (after links or directories changed). */
  void invalidate() {
    dirCache.clear();
  }

  /**
   * The guest path with every directory component's symbolic links resolved inside the guest; the
   * last component is kept as is (not followed).
   */
  String resolveParent(String guestPath) throws IOException {
    int slash = guestPath.lastIndexOf('/');
    String parent = slash <= 0 ? "/" : guestPath.substring(0, slash);
    String name = guestPath.substring(slash + 1);
    String canon = resolveDir(parent);
    return canon.equals("/") ? "/" + name : canon + "/" + name;
  }

  /** The guest path with all links resolved, the last component included. */
  String resolveAll(String guestPath) throws IOException {
    return resolve(guestPath, true);
  }

  private String resolveDir(String dir) throws IOException {
    String c = dirCache.get(dir);
    if (c == null) {
      c = resolve(dir, true);
      dirCache.put(dir, c);
    }
    return c;
  }

  private String resolve(String guestPath, boolean followLast) throws IOException {
    Deque<String> todo = new ArrayDeque<>(split(guestPath));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pop();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      if (todo.isEmpty() && !followLast) {
        done.add(c);
        break;
      }
      Path h = host(join(done, c));
      if (Files.isSymbolicLink(h)) {
        if (++links > MAX_LINKS) {
          throw new CorruptStructureException(h, -1, "symbolic link",
              "too many levels of symbolic links resolving " + guestPath);
        }
        String target = Files.readSymbolicLink(h).toString();
        List<String> parts = split(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.push(parts.get(i));
        }
        if (target.startsWith("/")) {
          done.clear();
        }
      } else {
        done.add(c);
      }
    }
    return join(done, null);
  }

  private static List<String> split(String p) {
    List<String> out = new ArrayList<>();
    for (String s : p.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static String join(List<String> parts, String last) {
    StringBuilder sb = new StringBuilder();
    for (String s : parts) {
      sb.append('/').append(s);
    }
    if (last != null) {
      sb.append('/').append(last);
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /** Attributes of a resolved guest path without following a final link, or null if absent. */
  BasicFileAttributes lstat(String resolved) throws IOException {
    try {
      return Files.readAttributes(host(resolved), BasicFileAttributes.class, NOFOLLOW);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  boolean exists(String resolved) {
    return Files.exists(host(resolved), NOFOLLOW);
  }

  byte[] readAllOrNull(String guestPath) throws IOException {
    Path h = host(resolveAll(guestPath));
    if (!Files.isRegularFile(h)) {
      return null;
    }
    return Files.readAllBytes(h);
  }

  /** Writes a regular file at a resolved path (replacing any file there). */
  void writeFile(String resolved, InputStream content, long maxBytes) throws IOException {
    Path h = host(resolved);
    Files.deleteIfExists(h);
    try (OutputStream out = Files.newOutputStream(h, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      byte[] buf = new byte[65536];
      long total = 0;
      int n;
      while ((n = content.read(buf)) > 0) {
        total += n;
        if (total > maxBytes) {
          throw new CorruptStructureException(h, -1, "data archive entry",
              "file longer than its header says (" + maxBytes + ")");
        }
        out.write(buf, 0, n);
      }
    }
  }

  void writeBytes(String resolved, byte[] bytes) throws IOException {
    Path h = host(resolved);
    Files.deleteIfExists(h);
    Files.write(h, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  void symlink(String resolved, String target) throws IOException {
    Path h = host(resolved);
    Files.deleteIfExists(h);
    Files.createSymbolicLink(h, h.getFileSystem().getPath(target));
  }

  void hardlink(String resolved, String existingResolved) throws IOException {
    Path h = host(resolved);
    Files.deleteIfExists(h);
    Files.createLink(h, host(existingResolved));
  }

  void mkdir(String resolved) throws IOException {
    Files.createDirectory(host(resolved));
  }

  /** Creates missing directories (0755, root) down to a guest directory. */
  void mkdirs(String guestDir) throws IOException {
    String canon = resolveAll(guestDir);
    List<String> parts = split(canon);
    String cur = "";
    for (String p : parts) {
      cur = cur + "/" + p;
      Path h = host(cur);
      if (!Files.exists(h, NOFOLLOW)) {
        Files.createDirectory(h);
        setOwnerMode(cur, 0, 0, 0755, false);
      }
    }
  }

  /** Renames over an existing entry (atomically where the provider can). */
  void rename(String fromResolved, String toResolved) throws IOException {
    Path from = host(fromResolved);
    Path to = host(toResolved);
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Removes a file or link; a directory only when empty (returns false when it is not). */
  boolean remove(String resolved) throws IOException {
    try {
      Files.deleteIfExists(host(resolved));
      return true;
    } catch (DirectoryNotEmptyException e) {
      return false;
    }
  }

  void setOwnerMode(String resolved, int uid, int gid, int mode, boolean symlink)
      throws IOException {
    Path h = host(resolved);
    if (unix) {
      Files.setAttribute(h, "unix:uid", uid, NOFOLLOW);
      Files.setAttribute(h, "unix:gid", gid, NOFOLLOW);
      if (!symlink) {
        Files.setAttribute(h, "unix:mode", mode & 07777, NOFOLLOW);
      }
    } else if (!symlink) {
      Files.setPosixFilePermissions(h, FileModesCompat.permissions(mode));
    }
  }

  void setMtime(String resolved, Instant mtime) throws IOException {
    FileTime t = FileTime.from(mtime);
    Files.getFileAttributeView(host(resolved), BasicFileAttributeView.class, NOFOLLOW)
        .setTimes(t, null, null);
  }

  /** The file's or link's numeric owner, group and mode (unix view), or null without one. */
  int[] ownerMode(String resolved) throws IOException {
    if (!unix) {
      return null;
    }
    Map<String, Object> a = Files.readAttributes(host(resolved), "unix:uid,gid,mode", NOFOLLOW);
    return new int[] {(Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("mode")};
  }

  /** Permission bits to the posix view's set (set-id and sticky bits are lost there). */
  static final class FileModesCompat {
    private FileModesCompat() {}

    static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
      java.util.Set<java.nio.file.attribute.PosixFilePermission> s =
          java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
      java.nio.file.attribute.PosixFilePermission[] order =
          java.nio.file.attribute.PosixFilePermission.values();
      for (int i = 0; i < 9; i++) {
        if ((mode & (0400 >> i)) != 0) {
          s.add(order[i]);
        }
      }
      return s;
    }
  }
}
