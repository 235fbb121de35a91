package dev.vdisk.core.fs;

import dev.vdisk.core.copy.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a file or a whole tree out of a file system (typically one inside an image) onto another
 * (typically the default one), the way {@code cp -a} does: symbolic links stay links, files that
 * share an inode stay hard links of each other, all-zero stretches of a file become holes, and
 * modes (with setuid, setgid and sticky bits where the target has a {@code unix} view),
 * modification and access times and, optionally, owners are kept. Device files, FIFOs and sockets
 * are skipped and listed in the {@link Summary}. This is what {@code vdisk get} does.
 *
 * <p>Either side may be a vdisk file system: copying from the default file system into one
 * {@linkplain VdiskFileSystems#open(Path, java.util.OptionalInt, MountOptions) opened writable}
 * is what {@code vdisk put} does. Directories get their mode and times last, after everything
 * inside them is written, so a read-only directory can be filled and its times stay as copied.
 *
 * <pre>{@code
 * try (FileSystem fs = VdiskFileSystems.open(Path.of("disk.vhdx"))) {
 *   FileTrees.copy(fs.getPath("/etc"), Path.of("etc-copy"), false);
 * }
 * }</pre>
 */
public final class FileTrees {
  private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);
  private static final int CHUNK = 256 << 10;
  private static final int THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  private static final int IN_FLIGHT = 64;

  private FileTrees() {}

  /**
   * How to copy.
   *
   * @param preserveOwner set owner and group by number (needs privileges)
   * @param mergeIntoExisting allow {@code target} to be an existing directory and copy the
   *     source directory's contents into it (existing files of the same name are replaced)
   * @param progress told the bytes copied so far against {@link #totalSize} of the source
   * @param copyUserAttributes copy {@code user.*} extended attributes (on NTFS: the named
   *     streams) where both file systems have a {@code user} view, as {@code cp -a} does; one
   *     the target refuses (too large, unsupported) is reported in {@link Summary#skipped()}
   */
  public record Options(boolean preserveOwner, boolean mergeIntoExisting,
      ProgressListener progress, boolean copyUserAttributes) {
    /** Checks the listener. */
    public Options {
      Objects.requireNonNull(progress, "progress");
    }

    /**
     * Options that copy {@code user.*} extended attributes.
     *
     * @param preserveOwner whether to set owner and group
     * @param mergeIntoExisting whether to merge into an existing directory
     * @param progress the listener
     */
    public Options(boolean preserveOwner, boolean mergeIntoExisting, ProgressListener progress) {
      this(preserveOwner, mergeIntoExisting, progress, true);
    }

    /**
     * A fresh target, owners kept only if asked, no progress reports.
     *
     * @param preserveOwner whether to set owner and group
     * @return the options
     */
    public static Options of(boolean preserveOwner) {
      return new Options(preserveOwner, false, ProgressListener.NONE);
    }
  }

  /**
   * What a copy did.
   *
   * @param files regular files written
   * @param directories directories made (or merged into)
   * @param symlinks symbolic links made
   * @param hardLinks extra names of a file already copied, made as hard links
   * @param bytes bytes of file content read
   * @param skipped entries not copied (device files, FIFOs, sockets), with their type, and
   *     extended attributes the target refused, with the reason
   * @param extendedAttributes {@code user.*} extended attributes copied
   */
  public record Summary(long files, long directories, long symlinks, long hardLinks, long bytes,
      List<String> skipped, long extendedAttributes) {
    /** Copies the list. */
    public Summary {
      skipped = List.copyOf(skipped);
    }

    /**
     * A summary without extended attributes.
     *
     * @param files regular files written
     * @param directories directories made
     * @param symlinks symbolic links made
     * @param hardLinks hard links made
     * @param bytes bytes of file content
     * @param skipped entries not copied
     */
    public Summary(long files, long directories, long symlinks, long hardLinks, long bytes,
        List<String> skipped) {
      this(files, directories, symlinks, hardLinks, bytes, skipped, 0);
    }

    /**
     * Entries copied, each name of a hard-linked file counted once per name.
     *
     * @return files, directories, links and hard links
     */
    public long entries() {
      return files + directories + symlinks + hardLinks;
    }
  }

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
    return copy(source, target, Options.of(preserveOwner)).entries();
  }

  /**
   * Copies {@code source} (a file, link or directory tree) to {@code target}.
   *
   * @param source the path to copy
   * @param target the new path; it must not exist unless {@link Options#mergeIntoExisting}
   * @param options how
   * @return what was copied
   * @throws FileAlreadyExistsException if {@code target} exists and may not be merged into
   * @throws IOException on the first failure
   */
  public static Summary copy(Path source, Path target, Options options) throws IOException {
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    if (exists && !(options.mergeIntoExisting()
        && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
        && Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS))) {
      throw new FileAlreadyExistsException(target.toString());
    }
    Copier copier = new Copier(source, target, options);
    try {
      Files.walkFileTree(source, copier);
    } finally {
      copier.finish();
    }
    options.progress().progress(copier.bytes.get(), copier.bytes.get());
    return new Summary(copier.files.get(), copier.directories, copier.symlinks, copier.hardLinks,
        copier.bytes.get(), copier.skipped, copier.xattrs.get());
  }

  /**
   * The bytes of regular-file content below {@code source}, for progress reports.
   *
   * @param source a file or directory
   * @return the sum of the regular files' sizes
   * @throws IOException on failure
   */
  public static long totalSize(Path source) throws IOException {
    long[] sum = {0};
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          sum[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return sum[0];
  }

  /** One walk's state. */
  private static final class Copier extends SimpleFileVisitor<Path> {
    private final Path source;
    private final Path target;
    private final Options options;
    private final long total;
    private final Map<Object, Path> copiedInodes = new HashMap<>();
    private final List<String> skipped = java.util.Collections.synchronizedList(
        new ArrayList<>());
    private final AtomicLong xattrs = new AtomicLong();
    private final boolean userAttributes;
    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[CHUNK]);
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private long directories;
    private long symlinks;
    private long hardLinks;
    private final boolean sourceUnix;
    private final Deque<Facts> pending = new ArrayDeque<>();
    /** Regular files are copied on a small pool; links and directory metadata wait for it. */
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "vdisk-copy");
      t.setDaemon(true);
      return t;
    });
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final List<Path[]> deferredLinks = new ArrayList<>();
    private final List<Runnable> deferredDirectories = new ArrayList<>();

    Copier(Path source, Path target, Options options) throws IOException {
      this.sourceUnix = source.getFileSystem().supportedFileAttributeViews().contains("unix");
      this.userAttributes = options.copyUserAttributes()
          && source.getFileSystem().supportedFileAttributeViews().contains("user")
          && target.getFileSystem().supportedFileAttributeViews().contains("user");
      this.source = source;
      this.target = target;
      this.options = options;
      this.total = options.progress() == ProgressListener.NONE ? 0 : totalSize(source);
    }

    private Path to(Path p) {
      Path out = target;
      for (Path name : source.relativize(p)) {
        if (!name.toString().isEmpty()) {
          out = out.resolve(name.toString());
        }
      }
      return out;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
        throws IOException {
      Path out = to(dir);
      if (!(options.mergeIntoExisting() && Files.isDirectory(out, LinkOption.NOFOLLOW_LINKS))) {
        Files.createDirectory(out);
      }
      directories++;
      pending.push(new Facts(attrs, unix(dir)));
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      Path out = to(file);
      Map<String, Object> unix = unix(file);
      if (attrs.isSymbolicLink()) {
        Files.deleteIfExists(out);
        Files.createSymbolicLink(out, out.getFileSystem().getPath(
            Files.readSymbolicLink(file).toString()));
        symlinks++;
      } else if (attrs.isRegularFile()) {
        if (unix != null && ((Number) unix.get("nlink")).longValue() > 1) {
          Path first = copiedInodes.putIfAbsent(unix.get("ino"), out);
          if (first != null) {
            deferredLinks.add(new Path[] {out, first}); // once the first name is written
            hardLinks++;
            return FileVisitResult.CONTINUE; // the first name carries the metadata
          }
        }
        submit(file, out, new Facts(attrs, unix));
        return failure.get() == null ? FileVisitResult.CONTINUE : FileVisitResult.TERMINATE;
      } else {
        String what = file + " (" + typeOf(unix) + ")";
        LOG.warn("{}: not copied: neither a file, a directory nor a link", what);
        skipped.add(what);
        return FileVisitResult.CONTINUE;
      }
      copyMetadata(file, out, new Facts(attrs, unix), options.preserveOwner());
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
      if (failure != null) {
        throw failure;
      }
      // A directory's mode and times only once its contents are written (after the pool).
      Path out = to(dir);
      Facts facts = pending.pop();
      boolean owner = options.preserveOwner();
      deferredDirectories.add(() -> {
        try {
          copyUserAttributes(dir, out);
          copyMetadata(dir, out, facts, owner);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      return FileVisitResult.CONTINUE;
    }

    private void submit(Path file, Path out, Facts facts) throws IOException {
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while copying " + file);
      }
      pool.execute(() -> {
        try {
          if (failure.get() == null) {
            copyContents(file, out, facts.basic().size());
            copyUserAttributes(file, out);
            copyMetadata(file, out, facts, options.preserveOwner());
            files.incrementAndGet();
          }
        } catch (IOException e) {
          failure.compareAndSet(null, e);
        } catch (RuntimeException e) {
          failure.compareAndSet(null, new IOException(file + ": " + e, e));
        } finally {
          inFlight.release();
        }
      });
    }

    /**
     * Copies {@code user.*} extended attributes (before the mode, which may make the target
     * read-only); one the target refuses is listed in {@link #skipped} with the reason.
     */
    private void copyUserAttributes(Path from, Path to) throws IOException {
      if (!userAttributes) {
        return;
      }
      UserDefinedFileAttributeView src = Files.getFileAttributeView(from,
          UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      UserDefinedFileAttributeView dst = Files.getFileAttributeView(to,
          UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      if (src == null || dst == null) {
        return;
      }
      for (String name : src.list()) {
        ByteBuffer value = ByteBuffer.allocate(src.size(name));
        src.read(name, value);
        value.flip();
        try {
          dst.write(name, value);
          xattrs.incrementAndGet();
        } catch (IOException e) {
          String what = from + ": extended attribute user." + name + " (" + value.limit()
              + " bytes) not written: " + e.getMessage();
          LOG.warn("{}", what);
          skipped.add(what);
        }
      }
    }

    /** Waits for the pool, then makes the hard links and sets directories' metadata. */
    void finish() throws IOException {
      pool.shutdown();
      try {
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
          // files still being copied
        }
      } catch (InterruptedException e) {
        pool.shutdownNow();
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while copying");
      }
      if (failure.get() != null) {
        throw failure.get();
      }
      for (Path[] link : deferredLinks) {
        Files.deleteIfExists(link[0]);
        Files.createLink(link[0], link[1]);
      }
      try {
        deferredDirectories.forEach(Runnable::run);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }

    /** The unix attributes the copy needs, in one read; null without a unix view. */
    private Map<String, Object> unix(Path file) throws IOException {
      if (!sourceUnix) {
        return null;
      }
      return Files.readAttributes(file, "unix:mode,uid,gid,nlink,ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** Copies a regular file's bytes, leaving all-zero 1 MiB pieces as holes. */
    private void copyContents(Path file, Path out, long size) throws IOException {
      if (size == 0) {
        Files.newByteChannel(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING).close();
        return;
      }
      try (InputStream in = Files.newInputStream(file);
          SeekableByteChannel ch = Files.newByteChannel(out, StandardOpenOption.CREATE,
              StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        long at = 0;
        byte[] buffer = buffers.get();
        int n;
        while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
          if (!allZero(buffer, n)) {
            ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
            ch.position(at);
            while (b.hasRemaining()) {
              ch.write(b);
            }
          }
          at += n;
          long done = bytes.addAndGet(n);
          synchronized (options.progress()) {
            options.progress().progress(done, total);
          }
        }
        if (ch.size() < at) {
          ch.position(at - 1).write(ByteBuffer.allocate(1)); // the file ends in a hole
        }
      }
    }
  }

  private static boolean allZero(byte[] buffer, int length) {
    for (int i = 0; i < length; i++) {
      if (buffer[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static String typeOf(Map<String, Object> unix) {
    if (unix == null) {
      return "other";
    }
    return switch (((Integer) unix.get("mode")) & 0170000) {
      case 0020000 -> "character device";
      case 0060000 -> "block device";
      case 0010000 -> "fifo";
      case 0140000 -> "socket";
      default -> "other";
    };
  }

  /** What is known of a source entry: its basic attributes and, where it has them, unix ones. */
  private record Facts(BasicFileAttributes basic, Map<String, Object> unix) {}

  /** Owner (if asked), then mode (chown clears setuid bits), then times; never follows links. */
  private static void copyMetadata(Path from, Path to, Facts facts, boolean preserveOwner)
      throws IOException {
    Map<String, Object> unix = facts.unix();
    boolean link = facts.basic().isSymbolicLink();
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
    try {
      Files.getFileAttributeView(to, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(facts.basic().lastModifiedTime(), facts.basic().lastAccessTime(), null);
    } catch (IOException | UnsupportedOperationException e) {
      if (!link) {
        Files.setLastModifiedTime(to, facts.basic().lastModifiedTime());
      }
    }
  }
}
