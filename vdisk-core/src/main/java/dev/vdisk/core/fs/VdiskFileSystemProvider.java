package dev.vdisk.core.fs;

import dev.vdisk.core.UnknownFormatException;
import dev.vdisk.core.fs.internal.NodeAttributeViews;
import dev.vdisk.core.fs.internal.NodeByteChannel;
import dev.vdisk.core.fs.internal.NodeFileAttributes;
import dev.vdisk.core.fs.internal.NodeFileSystem;
import dev.vdisk.core.fs.internal.VdiskPath;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one {@link FileSystemProvider} for every file-system driver, scheme {@value #SCHEME}.
 *
 * <p>Opening:
 *
 * <ul>
 *   <li>{@code FileSystems.newFileSystem(imagePath, Map.of("partition", 2))} — the file system in
 *       partition 2 of the image; without {@code "partition"}, chosen as {@link VdiskFileSystems}
 *       describes. When the file is not a disk image with a file system and no {@code "partition"}
 *       was given, this provider declines ({@link UnsupportedOperationException}) so that other
 *       providers (zip) get their turn.
 *   <li>{@code FileSystems.newFileSystem(URI.create("vdisk:" + imagePath.toUri()), env)} — the
 *       same, registered under that URI until closed, so that {@code Path.of(URI)} works with
 *       URIs of the form {@code vdisk:file:///images/disk.vhdx!/etc/os-release}.
 * </ul>
 *
 * <p>File systems open read-only unless the environment says {@code "readOnly"} {@code false}
 * ({@link #READ_ONLY}): then the image is opened for writing, and creating, writing, deleting,
 * moving, linking and setting attributes go to the driver's {@link Volume}. On a read-only file
 * system every change throws {@link ReadOnlyFileSystemException}. Closing a writable file system
 * flushes the volume, then closes it and the image; a failed flush is thrown from {@code close}.
 */
public final class VdiskFileSystemProvider extends FileSystemProvider {
  /** The URI scheme. */
  public static final String SCHEME = "vdisk";

  /** The environment key naming the partition index (an Integer, or a String of digits). */
  public static final String PARTITION = "partition";

  /**
   * The environment key saying whether the file system is read-only: a Boolean, or the String
   * {@code "true"} or {@code "false"}; default {@code true}.
   */
  public static final String READ_ONLY = "readOnly";

  private static volatile VdiskFileSystemProvider instance;

  private final Map<String, VdiskFileSystem> byUri = new ConcurrentHashMap<>();

  /** Creates the provider (as {@link java.util.ServiceLoader} does). */
  public VdiskFileSystemProvider() {}

  static VdiskFileSystemProvider instance() {
    VdiskFileSystemProvider p = instance;
    if (p == null) {
      for (FileSystemProvider installed : FileSystemProvider.installedProviders()) {
        if (installed instanceof VdiskFileSystemProvider) {
          p = (VdiskFileSystemProvider) installed;
        }
      }
      if (p == null) {
        p = new VdiskFileSystemProvider();
      }
      instance = p;
    }
    return p;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  private static OptionalInt partition(Map<String, ?> env) {
    Object value = env == null ? null : env.get(PARTITION);
    if (value == null) {
      return OptionalInt.empty();
    }
    if (value instanceof Number) {
      return OptionalInt.of(((Number) value).intValue());
    }
    try {
      return OptionalInt.of(Integer.parseInt(value.toString().trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("partition must be a number: " + value, e);
    }
  }

  private static MountOptions mountOptions(Map<String, ?> env) {
    Object value = env == null ? null : env.get(READ_ONLY);
    if (value == null) {
      return MountOptions.defaults();
    }
    boolean readOnly;
    if (value instanceof Boolean) {
      readOnly = (Boolean) value;
    } else if (value.toString().trim().equalsIgnoreCase("true")) {
      readOnly = true;
    } else if (value.toString().trim().equalsIgnoreCase("false")) {
      readOnly = false;
    } else {
      throw new IllegalArgumentException(READ_ONLY + " must be true or false: " + value);
    }
    return readOnly ? MountOptions.defaults() : MountOptions.writable();
  }

  private static Path imageOf(URI uri) {
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("not a " + SCHEME + " URI: " + uri);
    }
    String ssp = uri.getRawSchemeSpecificPart();
    int bang = ssp.indexOf('!');
    String image = bang < 0 ? ssp : ssp.substring(0, bang);
    return Paths.get(URI.create(image));
  }

  private static String key(Path image) {
    return image.toAbsolutePath().normalize().toUri().toString();
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    Path image = imageOf(uri);
    String key = key(image);
    synchronized (byUri) {
      if (byUri.containsKey(key)) {
        throw new FileSystemAlreadyExistsException(uri.toString());
      }
      VdiskFileSystem fs = VdiskFileSystems.open(this, image, partition(env),
          mountOptions(env), () -> byUri.remove(key));
      byUri.put(key, fs);
      return fs;
    }
  }

  @Override
  public FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
    OptionalInt partition = partition(env);
    MountOptions options = mountOptions(env);
    try {
      return VdiskFileSystems.open(this, path, partition, options, null);
    } catch (UnknownFormatException | NoFileSystemException e) {
      if (partition.isPresent() || (env != null && env.containsKey(SCHEME))) {
        throw e;
      }
      UnsupportedOperationException declined =
          new UnsupportedOperationException(path + ": no vdisk file system: " + e.getMessage());
      declined.initCause(e);
      throw declined;
    }
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    VdiskFileSystem fs = byUri.get(key(imageOf(uri)));
    if (fs == null) {
      throw new FileSystemNotFoundException(uri.toString());
    }
    return fs;
  }

  @Override
  public Path getPath(URI uri) {
    FileSystem fs = getFileSystem(uri);
    String ssp = uri.getSchemeSpecificPart();
    int bang = ssp.indexOf('!');
    return fs.getPath(bang < 0 ? "/" : ssp.substring(bang + 1));
  }

  private static VdiskPath check(Path path) {
    if (!(path instanceof VdiskPath)) {
      throw new ProviderMismatchException("not a vdisk path: " + path);
    }
    return (VdiskPath) path;
  }

  private static boolean follow(LinkOption... options) {
    for (LinkOption o : options) {
      if (o == LinkOption.NOFOLLOW_LINKS) {
        return false;
      }
    }
    return true;
  }

  @Override
  public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
      FileAttribute<?>... attrs) throws IOException {
    VdiskPath p = check(path);
    return NodeByteChannel.open(p.getFileSystem(), p, options, attrs);
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(Path dir,
      DirectoryStream.Filter<? super Path> filter) throws IOException {
    VdiskPath p = check(dir);
    NodeFileSystem fs = p.getFileSystem();
    Node node = fs.resolve(p, true);
    if (node.type() != NodeType.DIRECTORY) {
      throw new NotDirectoryException(p.toString());
    }
    List<DirectoryEntry> entries = fs.volume().list(node);
    return new DirectoryStream<>() {
      private boolean iterated;
      private boolean closed;

      @Override
      public Iterator<Path> iterator() {
        if (iterated || closed) {
          throw new IllegalStateException("iterator already obtained or stream closed");
        }
        iterated = true;
        return new Iterator<>() {
          private int i;
          private Path next;

          @Override
          public boolean hasNext() {
            while (next == null && !closed && i < entries.size()) {
              Path candidate = p.resolve(entries.get(i++).name());
              try {
                if (filter == null || filter.accept(candidate)) {
                  next = candidate;
                }
              } catch (IOException e) {
                throw new java.nio.file.DirectoryIteratorException(e);
              }
            }
            return next != null;
          }

          @Override
          public Path next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            Path n = next;
            next = null;
            return n;
          }
        };
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    VdiskPath p = check(dir);
    NodeFileSystem fs = p.getFileSystem();
    fs.checkWritable();
    int mode = NodeAttributeViews.modeOf(attrs, 0755);
    NodeFileSystem.Entry entry = fs.entry(p);
    if (fs.lookup(entry).isPresent()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    fs.volume().create(entry.directory(), entry.name(), NodeType.DIRECTORY, mode);
    fs.changed();
  }

  @Override
  public void delete(Path path) throws IOException {
    VdiskPath p = check(path);
    NodeFileSystem fs = p.getFileSystem();
    fs.checkWritable();
    NodeFileSystem.Entry entry = fs.entry(p);
    Node node = fs.lookup(entry).orElseThrow(() -> new NoSuchFileException(p.toString()));
    if (node.type() == NodeType.DIRECTORY && !fs.volume().list(node).isEmpty()) {
      throw new DirectoryNotEmptyException(p.toString());
    }
    fs.volume().unlink(entry.directory(), entry.name());
    fs.changed();
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    VdiskPath from = check(source);
    VdiskPath to = check(target);
    boolean replace = false;
    boolean attributes = false;
    boolean follow = true;
    for (CopyOption o : options) {
      if (o == StandardCopyOption.REPLACE_EXISTING) {
        replace = true;
      } else if (o == StandardCopyOption.COPY_ATTRIBUTES) {
        attributes = true;
      } else if (o == LinkOption.NOFOLLOW_LINKS) {
        follow = false;
      } else {
        throw new UnsupportedOperationException("copy option " + o);
      }
    }
    NodeFileSystem src = from.getFileSystem();
    NodeFileSystem dst = to.getFileSystem();
    dst.checkWritable();
    Node node = src.resolve(from, follow);
    NodeFileSystem.Entry entry = dst.entry(to);
    Optional<Node> existing = dst.lookup(entry);
    if (existing.isPresent()) {
      if (src == dst && existing.get().id() == node.id()) {
        return;
      }
      if (!replace) {
        throw new FileAlreadyExistsException(to.toString());
      }
      delete(to);
    }
    NodeAttributes a = src.volume().attributes(node);
    Node made;
    switch (node.type()) {
      case DIRECTORY:
        made = dst.volume().create(entry.directory(), entry.name(), NodeType.DIRECTORY,
            a.permissions());
        break;
      case SYMBOLIC_LINK:
        made = dst.volume().createSymbolicLink(entry.directory(), entry.name(),
            src.volume().readSymbolicLink(node));
        break;
      case REGULAR_FILE:
        made = dst.volume().create(entry.directory(), entry.name(), NodeType.REGULAR_FILE,
            a.permissions());
        copyContents(src.volume(), node, dst.volume(), made, a.size());
        break;
      case FIFO:
      case SOCKET:
        made = dst.volume().create(entry.directory(), entry.name(), node.type(),
            a.permissions());
        break;
      default:
        throw new FileSystemException(from.toString(), null,
            "cannot copy a " + node.type().name().toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ') + " (the node API cannot set device numbers)");
    }
    dst.changed();
    if (attributes) {
      if (node.type() != NodeType.SYMBOLIC_LINK) {
        dst.volume().setMode(made, a.permissions());
      }
      dst.volume().setOwner(made, a.uid(), a.gid());
      dst.volume().setTimes(made, a.lastModifiedTime(), a.lastAccessTime(), a.creationTime());
    }
  }

  private static void copyContents(Volume from, Node source, Volume to, Node target, long size)
      throws IOException {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(256 << 10);
    long at = 0;
    while (at < size) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), size - at));
      int n = from.read(source, at, buffer);
      if (n <= 0) {
        break;
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        to.write(target, at + buffer.position(), buffer);
      }
      at += n;
    }
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    VdiskPath from = check(source);
    VdiskPath to = check(target);
    boolean replace = false;
    boolean atomic = false;
    for (CopyOption o : options) {
      if (o == StandardCopyOption.REPLACE_EXISTING) {
        replace = true;
      } else if (o == StandardCopyOption.ATOMIC_MOVE) {
        atomic = true;
      } else if (o != LinkOption.NOFOLLOW_LINKS && o != StandardCopyOption.COPY_ATTRIBUTES) {
        throw new UnsupportedOperationException("move option " + o);
      }
    }
    NodeFileSystem fs = from.getFileSystem();
    if (fs != to.getFileSystem()) {
      if (atomic) {
        throw new AtomicMoveNotSupportedException(from.toString(), to.toString(),
            "between two file systems");
      }
      List<CopyOption> copyOptions = new ArrayList<>(List.of(StandardCopyOption.COPY_ATTRIBUTES,
          LinkOption.NOFOLLOW_LINKS));
      if (replace) {
        copyOptions.add(StandardCopyOption.REPLACE_EXISTING);
      }
      Node node = fs.resolve(from, false);
      if (node.type() == NodeType.DIRECTORY && !fs.volume().list(node).isEmpty()) {
        throw new DirectoryNotEmptyException(from + " (a directory moves to another file "
            + "system only when empty)");
      }
      fs.checkWritable();
      copy(from, to, copyOptions.toArray(new CopyOption[0]));
      delete(from);
      return;
    }
    fs.checkWritable();
    NodeFileSystem.Entry fromEntry = fs.entry(from);
    Node node = fs.lookup(fromEntry).orElseThrow(() -> new NoSuchFileException(from.toString()));
    NodeFileSystem.Entry toEntry = fs.entry(to);
    Optional<Node> existing = fs.lookup(toEntry);
    if (existing.isPresent() && existing.get().id() == node.id()) {
      return; // the same file (the same name, or another hard link of it)
    }
    if (node.type() == NodeType.DIRECTORY) {
      VdiskPath sourceReal = fs.real(fromEntry.path(), false);
      VdiskPath targetParentReal = fs.real(toEntry.path().getParent(), true);
      if (targetParentReal.startsWith(sourceReal)) {
        throw new FileSystemException(from.toString(), to.toString(),
            "cannot move a directory into itself");
      }
    }
    if (existing.isPresent()) {
      if (!replace) {
        throw new FileAlreadyExistsException(to.toString());
      }
      Node old = existing.get();
      if (old.type() == NodeType.DIRECTORY && !fs.volume().list(old).isEmpty()) {
        throw new DirectoryNotEmptyException(to.toString());
      }
      if ((old.type() == NodeType.DIRECTORY) != (node.type() == NodeType.DIRECTORY)) {
        // rename(2) replaces only like with like; REPLACE_EXISTING deletes first
        fs.volume().unlink(toEntry.directory(), toEntry.name());
      }
    }
    fs.volume().rename(fromEntry.directory(), fromEntry.name(), toEntry.directory(),
        toEntry.name());
    fs.changed();
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs)
      throws IOException {
    VdiskPath p = check(link);
    NodeFileSystem fs = p.getFileSystem();
    if (attrs.length > 0) {
      throw new UnsupportedOperationException("initial attributes of a symbolic link: "
          + attrs[0].name());
    }
    fs.checkWritable();
    String value = target.getFileSystem() == fs ? target.toString()
        : String.join("/", splitNames(target));
    if (value.isEmpty()) {
      throw new FileSystemException(p.toString(), null, "empty link target");
    }
    NodeFileSystem.Entry entry = fs.entry(p);
    if (fs.lookup(entry).isPresent()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    fs.volume().createSymbolicLink(entry.directory(), entry.name(), value);
    fs.changed();
  }

  /** A foreign path's text with '/' separators (a leading '/' kept for an absolute one). */
  private static List<String> splitNames(Path target) {
    List<String> names = new ArrayList<>();
    if (target.isAbsolute()) {
      names.add("");
    }
    for (Path name : target) {
      names.add(name.toString());
    }
    return names;
  }

  @Override
  public void createLink(Path link, Path existing) throws IOException {
    VdiskPath p = check(link);
    VdiskPath e = check(existing);
    NodeFileSystem fs = p.getFileSystem();
    fs.checkWritable();
    if (e.getFileSystem() != fs) {
      throw new FileSystemException(p.toString(), e.toString(),
          "a hard link cannot cross file systems");
    }
    Node node = fs.resolve(e, false);
    if (node.type() == NodeType.DIRECTORY) {
      throw new FileSystemException(p.toString(), e.toString(),
          "a directory cannot have hard links");
    }
    NodeFileSystem.Entry entry = fs.entry(p);
    if (fs.lookup(entry).isPresent()) {
      throw new FileAlreadyExistsException(p.toString());
    }
    fs.volume().link(entry.directory(), entry.name(), node);
    fs.changed();
  }

  @Override
  public Path readSymbolicLink(Path link) throws IOException {
    VdiskPath p = check(link);
    NodeFileSystem fs = p.getFileSystem();
    Node node = fs.resolve(p, false);
    if (node.type() != NodeType.SYMBOLIC_LINK) {
      throw new NotLinkException(p.toString());
    }
    String target = fs.volume().readSymbolicLink(node);
    try {
      return fs.getPath(target);
    } catch (java.nio.file.InvalidPathException e) {
      throw new java.nio.file.FileSystemException(p.toString(), null,
          "link target is not a valid path: " + e.getReason());
    }
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    VdiskPath a = check(path);
    if (!(path2 instanceof VdiskPath)) {
      return false;
    }
    VdiskPath b = (VdiskPath) path2;
    if (a.equals(b)) {
      return true;
    }
    if (a.getFileSystem() != b.getFileSystem()) {
      return false;
    }
    return a.getFileSystem().resolve(a, true).id() == b.getFileSystem().resolve(b, true).id();
  }

  @Override
  public boolean isHidden(Path path) {
    Path name = check(path).getFileName();
    return name != null && name.toString().startsWith(".");
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    VdiskPath p = check(path);
    p.getFileSystem().resolve(p, true);
    return p.getFileSystem().getFileStores().iterator().next();
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    VdiskPath p = check(path);
    NodeFileSystem fs = p.getFileSystem();
    fs.resolve(p, true);
    for (AccessMode m : modes) {
      if (m == AccessMode.WRITE && fs.isReadOnly()) {
        throw new AccessDeniedException(p.toString(), null, "read-only file system");
      }
    }
  }

  @Override
  public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type,
      LinkOption... options) {
    VdiskPath p = check(path);
    return NodeAttributeViews.view(p.getFileSystem(), p, type, follow(options));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type,
      LinkOption... options) throws IOException {
    VdiskPath p = check(path);
    NodeFileSystem fs = p.getFileSystem();
    if (type != BasicFileAttributes.class && type != PosixFileAttributes.class
        && type != DosFileAttributes.class && type != NodeFileAttributes.class) {
      throw new UnsupportedOperationException("attributes " + type.getName());
    }
    if (type == DosFileAttributes.class && !fs.supportedFileAttributeViews().contains("dos")) {
      throw new UnsupportedOperationException("this file system has no DOS attributes");
    }
    if (type == PosixFileAttributes.class
        && !fs.supportedFileAttributeViews().contains("posix")) {
      throw new UnsupportedOperationException("this file system has no POSIX attributes");
    }
    Node node = fs.resolve(p, follow(options));
    return (A) new NodeFileAttributes(fs.volume().attributes(node),
        List.of(System.identityHashCode(fs), node.id()));
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    VdiskPath p = check(path);
    return NodeAttributeViews.readMap(p.getFileSystem(), p, attributes, follow(options));
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
      throws IOException {
    VdiskPath p = check(path);
    NodeAttributeViews.setAttribute(p.getFileSystem(), p, attribute, value, follow(options));
  }

  /**
   * The file systems opened by URI and not yet closed.
   *
   * @return a snapshot of them
   */
  List<VdiskFileSystem> openByUri() {
    return new ArrayList<>(byUri.values());
  }
}
