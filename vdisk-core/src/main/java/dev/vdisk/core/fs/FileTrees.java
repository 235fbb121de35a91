package dev.vdisk.core.fs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a file or a whole tree out of a file system (typically one inside an image) onto another
 * (typically the default one), the way {@code cp -a} does: symbolic links stay links, and modes
 * (with setuid, setgid and sticky bits where the target has a {@code unix} view), modification
 * and access times and, optionally, owners are kept. This is what {@code vdisk get} does.
 *
 * <pre>{@code
 * try (FileSystem fs = VdiskFileSystems.open(Path.of("disk.vhdx"))) {
 *   FileTrees.copy(fs.getPath("/etc"), Path.of("etc-copy"), false);
 * }
 * }</pre>
 */
public final class FileTrees {
  private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

  private FileTrees() {}

  /**
   * Copies {@code source} (a file, link or directory tree) to {@code target}, which must not
   * exist.
   *
   * @param source the path to copy
   * @param target the new path
   * @param preserveOwner whether to set the owner and group by number (needs privileges)
   * @return the number of entries copied
   * @throws FileAlreadyExistsException if {@code target} exists
   * @throws IOException on the first failure
   */
  public static long copy(Path source, Path target, boolean preserveOwner) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Deque<Path> directories = new ArrayDeque<>();
    long[] count = {0};
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      private Path to(Path p) {
        Path rel = source.relativize(p);
        Path out = target;
        for (Path name : rel) {
          out = out.resolve(name.toString());
        }
        return out;
      }

      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Files.createDirectory(to(dir));
        directories.push(dir);
        count[0]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path out = to(file);
        if (attrs.isSymbolicLink()) {
          Files.createSymbolicLink(out, out.getFileSystem().getPath(
              Files.readSymbolicLink(file).toString()));
        } else if (attrs.isRegularFile()) {
          Files.copy(file, out, StandardCopyOption.REPLACE_EXISTING);
        } else {
          LOG.warn("{}: not copied: neither a file, a directory nor a link", file);
          return FileVisitResult.CONTINUE;
        }
        copyMetadata(file, out, preserveOwner);
        count[0]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        copyMetadata(dir, to(dir), preserveOwner);
        return FileVisitResult.CONTINUE;
      }
    });
    return count[0];
  }

  private static void copyMetadata(Path from, Path to, boolean preserveOwner) throws IOException {
    Map<String, Object> unix = null;
    if (from.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      unix = Files.readAttributes(from, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    }
    BasicFileAttributes a = Files.readAttributes(from, BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    boolean link = a.isSymbolicLink();
    boolean targetUnix = to.getFileSystem().supportedFileAttributeViews().contains("unix");
    if (preserveOwner && unix != null && targetUnix) {
      Files.setAttribute(to, "unix:uid", unix.get("uid"), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(to, "unix:gid", unix.get("gid"), LinkOption.NOFOLLOW_LINKS);
    }
    if (!link) {
      if (unix != null && targetUnix) {
        Files.setAttribute(to, "unix:mode", ((Integer) unix.get("mode")) & 07777);
      } else if (from.getFileSystem().supportedFileAttributeViews().contains("posix")
          && to.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        PosixFileAttributes p = Files.readAttributes(from, PosixFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(to, p.permissions());
      }
    }
    FileTime mtime = a.lastModifiedTime();
    FileTime atime = a.lastAccessTime();
    try {
      Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(mtime, atime, null);
    } catch (IOException | UnsupportedOperationException | NullPointerException e) {
      if (!link) {
        Files.setLastModifiedTime(to, mtime);
      }
    }
  }
}
