package dev.vdisk.ntfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a walk of a directory tree saw, on any {@link java.nio.file.FileSystem} (an ntfs-3g mount,
 * a vdisk file system, a copy): every entry under its slash-separated path relative to the root
 * ({@code "/"} for the root itself), and each directory's names in the order the file system
 * listed them.
 */
final class NtfsTreeSnapshot {
  /** One entry: its type, size and content hash (regular files), link target, times, streams. */
  record Entry(String type, long size, String sha256, String target, Instant mtime,
      Map<String, String> xattrs) {}

  final Map<String, Entry> entries = new TreeMap<>();
  final Map<String, List<String>> listings = new TreeMap<>();

  private NtfsTreeSnapshot() {}

  /**
   * Walks {@code root} without following links.
   *
   * @param root the tree
   * @param xattrs whether to read user-defined attributes (named streams) too
   */
  static NtfsTreeSnapshot of(Path root, boolean xattrs) throws IOException {
    NtfsTreeSnapshot s = new NtfsTreeSnapshot();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        String key = key(root, dir);
        s.entries.put(key, entry(dir, attrs, xattrs));
        List<String> names = new ArrayList<>();
        try (var stream = Files.newDirectoryStream(dir)) {
          for (Path p : stream) {
            names.add(p.getFileName().toString());
          }
        }
        s.listings.put(key, names);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        s.entries.put(key(root, file), entry(file, attrs, xattrs));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        throw new IOException("walking " + file + ": " + e, e);
      }
    });
    return s;
  }

  /** The key of {@code p} below {@code root}: "/" and the names joined by "/". */
  static String key(Path root, Path p) {
    StringBuilder sb = new StringBuilder();
    for (Path name : root.relativize(p)) {
      String n = name.toString();
      if (!n.isEmpty()) {
        sb.append('/').append(n);
      }
    }
    return sb.length() == 0 ? "/" : sb.toString();
  }

  /** The path for a key below {@code root} (names resolved one by one, so any provider works). */
  static Path resolve(Path root, String key) {
    Path p = root;
    for (String n : key.split("/")) {
      if (!n.isEmpty()) {
        p = p.resolve(n);
      }
    }
    return p;
  }

  private static Entry entry(Path p, BasicFileAttributes attrs, boolean xattrs)
      throws IOException {
    String type;
    long size = 0;
    String sha = null;
    String target = null;
    if (attrs.isSymbolicLink()) {
      type = "link";
      target = Files.readSymbolicLink(p).toString();
    } else if (attrs.isDirectory()) {
      type = "dir";
    } else if (attrs.isRegularFile()) {
      type = "file";
      size = attrs.size();
      try {
        sha = sha256(p);
      } catch (IOException e) {
        sha = "unreadable: " + e; // compared (and so reported) per file, the walk goes on
      }
    } else {
      type = special(p);
    }
    Map<String, String> streams = Map.of();
    if (xattrs && (type.equals("file") || type.equals("dir"))) {
      streams = userXattrs(p);
    }
    return new Entry(type, size, sha, target, attrs.lastModifiedTime().toInstant(), streams);
  }

  /**
   * A FIFO, socket or device: "other:" and its unix file type in octal, with the device number
   * for devices (as the {@code unix} view tells them; "other:?" without one).
   */
  private static String special(Path p) throws IOException {
    if (!p.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      return "other:?";
    }
    int mode = ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
    int kind = mode & 0170000;
    String type = "other:" + Integer.toOctalString(kind);
    if (kind == 0020000 || kind == 0060000) {
      type += ":" + Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
    }
    return type;
  }

  /** The user-defined attributes of {@code p}: name to "size:sha256" (values read whole). */
  static Map<String, String> userXattrs(Path p) throws IOException {
    UserDefinedFileAttributeView view = Files.getFileAttributeView(p,
        UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : view.list()) {
      out.put(name, xattrValueDigest(view, name));
    }
    return new TreeMap<>(out);
  }

  /** "size:sha256" of one user-defined attribute. */
  static String xattrValueDigest(UserDefinedFileAttributeView view, String name)
      throws IOException {
    int size = view.size(name);
    ByteBuffer b = ByteBuffer.allocate(size);
    int n = view.read(name, b);
    byte[] bytes = new byte[n];
    b.flip();
    b.get(bytes);
    return n + ":" + sha256(bytes);
  }

  /** SHA-256 of a file's bytes, read as a stream. */
  static String sha256(Path file) throws IOException {
    MessageDigest md = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** "size:sha256" of a file's bytes. */
  static String sizedSha256(Path file) throws IOException {
    MessageDigest md = digest();
    long size = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        md.update(buffer, 0, n);
        size += n;
      }
    }
    return size + ":" + HexFormat.of().formatHex(md.digest());
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
