package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.Volume;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link java.nio.file.FileSystem} over one driver {@link Volume}: resolves paths to nodes
 * (following symbolic links, at most {@value #MAX_LINKS} of them per lookup) and, when closed,
 * flushes the volume, closes it and then whatever it was opened from.
 *
 * <p>A writable volume is used through a lock (reads share it, each change takes it alone), since
 * drivers promise only concurrent reads. Parent directories are cached by path only for read-only
 * volumes; a writable one is always walked from the root, so lookups after a create, delete or
 * rename see the change.
 */
public final class NodeFileSystem extends VdiskFileSystem {
  private static final Logger LOG = LoggerFactory.getLogger(NodeFileSystem.class);

  /** The most symbolic links followed while resolving one path, as Linux's MAXSYMLINKS. */
  public static final int MAX_LINKS = 40;

  /** The most components a path may have (PATH_MAX / 2): deeper means a directory cycle. */
  public static final int MAX_DEPTH = 2048;

  private final FileSystemProvider provider;
  private final Volume volume;
  private final OptionalInt partition;
  private final URI base;
  private final List<Closeable> resources;
  private final Runnable onClose;
  private final VdiskPath root;
  private final NodeFileStore store;
  private volatile boolean open = true;
  /** Directories by normalized absolute path, to resolve siblings without walking from the root. */
  private final java.util.Map<String, Node> directories =
      java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Node> e) {
          return size() > 4096;
        }
      });

  /**
   * Creates the file system.
   *
   * @param provider the provider that made it
   * @param volume the mounted volume
   * @param partition the partition index, or empty
   * @param base the URI of the image ({@code file:///...}), or {@code null} when not from a file
   * @param resources closed after the volume, in order (the disk the volume lives on)
   * @param onClose run once on close (deregistration), may be {@code null}
   */
  public NodeFileSystem(FileSystemProvider provider, Volume volume, OptionalInt partition, URI base,
      List<Closeable> resources, Runnable onClose) {
    this.provider = provider;
    this.volume = volume.isReadOnly() ? volume : new LockedVolume(volume);
    this.partition = partition;
    this.base = base;
    this.resources = List.copyOf(resources);
    this.onClose = onClose;
    this.root = new VdiskPath(this, true, new String[0]);
    this.store = new NodeFileStore(this);
  }

  @Override
  public FileSystemIdentity identity() {
    return volume.identity();
  }

  @Override
  public OptionalInt partition() {
    return partition;
  }

  @Override
  public Volume volume() {
    return volume;
  }

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  /**
   * Flushes the volume (every change becomes durable), then closes it and then the resources it
   * was opened from. A failure to flush is thrown after everything is closed; it is never
   * swallowed.
   *
   * @throws IOException if flushing or closing fails
   */
  @Override
  public synchronized void close() throws IOException {
    if (!open) {
      return;
    }
    IOException failure = null;
    try {
      volume.flush();
    } catch (IOException e) {
      LOG.debug("{}: flush failed: {}", this, e.toString());
      failure = e;
    }
    open = false;
    directories.clear();
    List<Closeable> all = new ArrayList<>();
    all.add(volume);
    all.addAll(resources);
    for (Closeable c : all) {
      try {
        c.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (onClose != null) {
      onClose.run();
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isReadOnly() {
    return volume.isReadOnly();
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    return List.of(root);
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return List.of(store);
  }

  NodeFileStore store() {
    return store;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    Set<String> v = views;
    if (v == null) {
      Set<String> all = new java.util.TreeSet<>(volume.attributeViews());
      all.add("basic");
      v = java.util.Collections.unmodifiableSet(all);
      views = v;
    }
    return v;
  }

  private volatile Set<String> views;

  @Override
  public VdiskPath getPath(String first, String... more) {
    return VdiskPath.parse(this, first, more);
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    int colon = syntaxAndPattern.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected syntax:pattern, got " + syntaxAndPattern);
    }
    String syntax = syntaxAndPattern.substring(0, colon);
    String pattern = syntaxAndPattern.substring(colon + 1);
    Pattern regex;
    if (syntax.equalsIgnoreCase("regex")) {
      regex = Pattern.compile(pattern);
    } else if (syntax.equalsIgnoreCase("glob")) {
      regex = Pattern.compile(Globs.toRegex(pattern));
    } else {
      throw new UnsupportedOperationException("syntax " + syntax);
    }
    return p -> regex.matcher(p.toString()).matches();
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return new UserPrincipalLookupService() {
      @Override
      public java.nio.file.attribute.UserPrincipal lookupPrincipalByName(String name) {
        return new NumericPrincipal(Long.parseLong(name), false);
      }

      @Override
      public java.nio.file.attribute.GroupPrincipal lookupPrincipalByGroupName(String group) {
        return new NumericPrincipal(Long.parseLong(group), true);
      }
    };
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("watching is not supported inside disk images");
  }

  @Override
  public String toString() {
    return "vdisk file system " + volume.identity().type()
        + (base == null ? "" : " in " + base) + partition.stream().mapToObj(i -> " partition " + i)
            .findFirst().orElse("");
  }

  URI uriOf(VdiskPath absolute) {
    String image = base == null ? "device:" + System.identityHashCode(this) : base.toString();
    return URI.create(dev.vdisk.core.fs.VdiskFileSystemProvider.SCHEME + ":" + image + "!"
        + encode(absolute.toString()));
  }

  private static String encode(String path) {
    try {
      return new URI(null, null, path, null).getRawPath();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Throws {@link ClosedFileSystemException} once closed. */
  public void checkOpen() {
    if (!open) {
      throw new ClosedFileSystemException();
    }
  }

  /**
   * Throws {@link ClosedFileSystemException} once closed and {@link
   * java.nio.file.ReadOnlyFileSystemException} when the volume refuses changes.
   */
  public void checkWritable() {
    checkOpen();
    if (volume.isReadOnly()) {
      throw new java.nio.file.ReadOnlyFileSystemException();
    }
  }

  /** Forgets cached directories; called after every change to the tree. */
  public void changed() {
    directories.clear();
  }

  /**
   * A name in a directory: where a path's last component lives (or would be created).
   *
   * @param directory the directory node
   * @param name the last component
   * @param path the absolute, normalized path it came from
   */
  public record Entry(Node directory, String name, VdiskPath path) {}

  /**
   * Finds the directory that holds (or would hold) a path's last component, following symbolic
   * links in every component but the last.
   *
   * @param path a path of this file system
   * @return the directory and the name
   * @throws NoSuchFileException if the directory does not exist
   * @throws NotDirectoryException if a component is not a directory
   * @throws FileSystemException for the root, which has no name in a directory
   * @throws IOException on an I/O error
   */
  public Entry entry(VdiskPath path) throws IOException {
    VdiskPath abs = path.toAbsolutePath().normalize();
    String[] names = abs.names();
    if (names.length == 0) {
      throw new FileSystemException(path.toString(), null, "the root directory has no parent");
    }
    VdiskPath parentPath = new VdiskPath(this, true, Arrays.copyOf(names, names.length - 1));
    Node parent;
    try {
      parent = resolve(parentPath, true);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "no directory " + parentPath);
    }
    if (parent.type() != NodeType.DIRECTORY) {
      throw new NotDirectoryException(parentPath.toString());
    }
    return new Entry(parent, names[names.length - 1], abs);
  }

  /**
   * Looks an entry's name up in its directory, without following a symbolic link.
   *
   * @param entry the entry
   * @return the node, or empty
   * @throws IOException on an I/O error
   */
  public Optional<Node> lookup(Entry entry) throws IOException {
    return volume.lookup(entry.directory(), entry.name());
  }

  /**
   * The real path of a path (symbolic links followed, as {@link Path#toRealPath}).
   *
   * @param path the path
   * @param followLast whether to follow a final link
   * @return the absolute path without links, {@code "."} or {@code ".."}
   * @throws IOException if a component does not exist
   */
  public VdiskPath real(VdiskPath path, boolean followLast) throws IOException {
    return realPath(path, followLast);
  }

  static boolean followLinks(LinkOption... options) {
    for (LinkOption o : options) {
      if (o == LinkOption.NOFOLLOW_LINKS) {
        return false;
      }
    }
    return true;
  }

  /**
   * Finds the node a path names.
   *
   * @param path a path of this file system
   * @param followLast whether a symbolic link in the last component is followed
   * @return the node
   * @throws NoSuchFileException if a component does not exist
   * @throws IOException on an I/O error, or a link loop
   */
  public Node resolve(VdiskPath path, boolean followLast) throws IOException {
    String[] names = path.names();
    if (names.length == 0) {
      checkOpen();
      return volume.root();
    }
    if (volume.isReadOnly() && isPlain(names)) {
      String parentKey = key(names, names.length - 1);
      Node parent = directories.get(parentKey);
      if (parent == null) {
        parent = walk(new VdiskPath(this, true, java.util.Arrays.copyOf(names, names.length - 1)),
            true, null);
        if (parent.type() == NodeType.DIRECTORY) {
          directories.put(parentKey, parent);
        }
      }
      checkOpen();
      if (parent.type() != NodeType.DIRECTORY) {
        throw new NotDirectoryException(path.toString());
      }
      Optional<Node> child = volume.lookup(parent, names[names.length - 1]);
      if (child.isEmpty()) {
        throw new NoSuchFileException(path.toString());
      }
      if (child.get().type() != NodeType.SYMBOLIC_LINK || !followLast) {
        return child.get();
      }
    }
    return walk(path, followLast, null);
  }

  private static boolean isPlain(String[] names) {
    for (String n : names) {
      if (n.equals(".") || n.equals("..")) {
        return false;
      }
    }
    return true;
  }

  private static String key(String[] names, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append('/').append(names[i]);
    }
    return sb.toString();
  }

  VdiskPath realPath(VdiskPath path, boolean followLast) throws IOException {
    List<String> names = new ArrayList<>();
    walk(path, followLast, names);
    return new VdiskPath(this, true, names.toArray(new String[0]));
  }

  private Node walk(VdiskPath path, boolean followLast, List<String> realNames)
      throws IOException {
    checkOpen();
    Deque<Node> stack = new ArrayDeque<>();
    Deque<String> stackNames = new ArrayDeque<>();
    Node current = volume.root();
    Deque<String> todo = new ArrayDeque<>(Arrays.asList(path.names()));
    int links = 0;
    if (path.names().length > MAX_DEPTH) {
      throw new FileSystemException(path.toString(), null, "path has more than " + MAX_DEPTH
          + " components (a directory cycle?)");
    }
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (!stack.isEmpty()) {
          current = stack.pop();
          stackNames.pop();
        }
        continue;
      }
      if (current.type() != NodeType.DIRECTORY) {
        throw new NotDirectoryException(path.toString());
      }
      Optional<Node> child = volume.lookup(current, name);
      if (child.isEmpty()) {
        throw new NoSuchFileException(path.toString());
      }
      Node next = child.get();
      if (next.type() == NodeType.SYMBOLIC_LINK && (followLast || !todo.isEmpty())) {
        if (++links > MAX_LINKS) {
          throw new FileSystemException(path.toString(), null,
              "too many levels of symbolic links");
        }
        String target = volume.readSymbolicLink(next);
        VdiskPath t;
        try {
          t = VdiskPath.parse(this, target);
        } catch (java.nio.file.InvalidPathException e) {
          throw new FileSystemException(path.toString(), null,
              "link target is not a valid path: " + e.getReason());
        }
        String[] tn = t.names();
        for (int i = tn.length - 1; i >= 0; i--) {
          todo.addFirst(tn[i]);
        }
        if (t.isAbsolute()) {
          current = volume.root();
          stack.clear();
          stackNames.clear();
        }
        LOG.trace("{}: {} -> {}", path, name, target);
        continue;
      }
      stack.push(current);
      stackNames.push(name);
      current = next;
    }
    if (realNames != null) {
      List<String> rev = new ArrayList<>(stackNames);
      java.util.Collections.reverse(rev);
      realNames.addAll(rev);
    }
    return current;
  }
}
