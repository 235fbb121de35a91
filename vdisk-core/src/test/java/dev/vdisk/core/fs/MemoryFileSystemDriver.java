package dev.vdisk.core.fs;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NotDirectoryException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tiny driver for the provider's own tests: a device starting with {@code "MEMFS"} holds a fixed
 * tree built in memory (the device's bytes are not otherwise read). Mounted with {@code readOnly}
 * false it is a writable volume: the tree changes in memory (and is lost on close), and {@link
 * MemVolume#flushes} counts the flushes, {@link MemVolume#failFlush} makes the next one fail.
 */
public final class MemoryFileSystemDriver implements FileSystemDriver {
  static final byte[] MAGIC = "MEMFS".getBytes(StandardCharsets.US_ASCII);

  /** Mounts the test volume through {@link VdiskFileSystems}, as a device holding its magic. */
  static VdiskFileSystem openTestFileSystem() throws IOException {
    byte[] bytes = new byte[4096];
    System.arraycopy(MAGIC, 0, bytes, 0, MAGIC.length);
    return VdiskFileSystems.open(dev.vdisk.core.MemoryBlockDevice.readOnlyCopyOf(bytes));
  }

  /** Mounts a writable test volume on a writable in-memory device holding its magic. */
  static VdiskFileSystem openWritableTestFileSystem() throws IOException {
    dev.vdisk.core.MemoryBlockDevice device = new dev.vdisk.core.MemoryBlockDevice(4096);
    device.write(0, ByteBuffer.wrap(MAGIC));
    return VdiskFileSystems.open(device, java.util.OptionalInt.empty(), MountOptions.writable());
  }

  @Override
  public String name() {
    return "memfs";
  }

  @Override
  public int probe(BlockDevice device) throws IOException {
    if (device.size() < MAGIC.length) {
      return NO;
    }
    byte[] head = new byte[MAGIC.length];
    BlockDevices.read(device, 0, MAGIC.length).get(head);
    return java.util.Arrays.equals(head, MAGIC) ? CERTAIN : NO;
  }

  @Override
  public Optional<FileSystemIdentity> identify(BlockDevice device) throws IOException {
    return probe(device) == CERTAIN
        ? Optional.of(new FileSystemIdentity("memfs", "test", "0000-1111"))
        : Optional.empty();
  }

  @Override
  public Volume mount(BlockDevice device, MountOptions options) throws IOException {
    MemVolume v = new MemVolume(!options.readOnly());
    lastMounted = v;
    return v;
  }

  /** The volume mounted last (for tests that look behind the file system). */
  static volatile MemVolume lastMounted;

  static final class MemNode implements Node {
    final long id;
    final NodeType type;
    final Map<String, MemNode> children = new LinkedHashMap<>();
    final Map<String, byte[]> xattrs = new LinkedHashMap<>();
    byte[] data = new byte[0];
    int mode;
    long nlink = 1;
    long uid = 1000;
    long gid = 100;
    FileTime mtime = MemVolume.MTIME;
    FileTime atime = MemVolume.MTIME;
    FileTime ctime = MemVolume.MTIME;
    FileTime crtime;

    MemNode(long id, NodeType type, int mode) {
      this.id = id;
      this.type = type;
      this.mode = mode;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public NodeType type() {
      return type;
    }
  }

  /** The fixed tree; writable when mounted so. */
  static final class MemVolume implements Volume {
    final Map<Long, MemNode> nodes = new LinkedHashMap<>();
    final MemNode root;
    final boolean writable;
    static final FileTime MTIME = FileTime.from(Instant.parse("2024-02-03T04:05:06.123456789Z"));
    /** How many times {@link #flush} ran. */
    int flushes;
    /** Whether the volume was closed. */
    boolean closed;
    /** Makes the next {@link #flush} throw. */
    boolean failFlush;
    private long nextId;

    MemVolume() {
      this(false);
    }

    MemVolume(boolean writable) {
      this.writable = writable;
      root = add(NodeType.DIRECTORY, 0755);
      MemNode etc = add(NodeType.DIRECTORY, 0755);
      root.children.put("etc", etc);
      MemNode osRelease = add(NodeType.REGULAR_FILE, 0644);
      osRelease.data = "ID=test\nVERSION_ID=1\n".getBytes(StandardCharsets.UTF_8);
      etc.children.put("os-release", osRelease);
      MemNode big = add(NodeType.REGULAR_FILE, 04755);
      big.data = new byte[100_000];
      for (int i = 0; i < big.data.length; i++) {
        big.data[i] = (byte) (i * 31 + 7);
      }
      root.children.put("big.bin", big);
      root.children.put("hard.bin", big);
      big.nlink = 2;
      MemNode rel = add(NodeType.SYMBOLIC_LINK, 0777);
      rel.data = "etc/os-release".getBytes(StandardCharsets.UTF_8);
      root.children.put("rel-link", rel);
      MemNode abs = add(NodeType.SYMBOLIC_LINK, 0777);
      abs.data = "/etc".getBytes(StandardCharsets.UTF_8);
      root.children.put("abs-link", abs);
      MemNode loop = add(NodeType.SYMBOLIC_LINK, 0777);
      loop.data = "loop".getBytes(StandardCharsets.UTF_8);
      root.children.put("loop", loop);
      MemNode empty = add(NodeType.DIRECTORY, 0700);
      etc.children.put("empty.d", empty);
      MemNode utf = add(NodeType.REGULAR_FILE, 0600);
      root.children.put("grüße ✓.txt", utf);
      root.xattrs.put("user.comment", new byte[] {'h', 'i'});
      root.xattrs.put("security.selinux", new byte[] {'x', 0});
    }

    private MemNode add(NodeType type, int mode) {
      MemNode n = new MemNode(nextId++ + 2, type, mode);
      nodes.put(n.id, n);
      return n;
    }

    @Override
    public FileSystemIdentity identity() {
      return new FileSystemIdentity("memfs", "test", "0000-1111");
    }

    @Override
    public Node root() {
      return root;
    }

    @Override
    public Node node(long id) throws IOException {
      MemNode n = nodes.get(id);
      if (n == null) {
        throw new IOException("no node " + id);
      }
      return n;
    }

    @Override
    public Optional<Node> lookup(Node directory, String name) throws IOException {
      MemNode d = (MemNode) directory;
      if (d.type != NodeType.DIRECTORY) {
        throw new NotDirectoryException(name);
      }
      return Optional.ofNullable(d.children.get(name));
    }

    @Override
    public List<DirectoryEntry> list(Node directory) throws IOException {
      MemNode d = (MemNode) directory;
      if (d.type != NodeType.DIRECTORY) {
        throw new NotDirectoryException(String.valueOf(d.id));
      }
      List<DirectoryEntry> out = new ArrayList<>();
      d.children.forEach((k, v) -> out.add(new DirectoryEntry(k, v.id, v.type)));
      return out;
    }

    @Override
    public int read(Node file, long position, ByteBuffer dst) {
      byte[] data = ((MemNode) file).data;
      if (position >= data.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), data.length - position);
      dst.put(data, (int) position, n);
      return n;
    }

    @Override
    public NodeAttributes attributes(Node node) {
      MemNode n = (MemNode) node;
      return NodeAttributes.builder(n.type).size(n.data.length).mode(n.mode).uid(n.uid).gid(n.gid)
          .inode(n.id).linkCount(n.nlink).lastModifiedTime(n.mtime).lastAccessTime(n.atime)
          .changeTime(n.ctime).creationTime(n.crtime).build();
    }

    @Override
    public String readSymbolicLink(Node link) {
      return new String(((MemNode) link).data, StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, byte[]> extendedAttributes(Node node) {
      return new LinkedHashMap<>(((MemNode) node).xattrs);
    }

    @Override
    public boolean isReadOnly() {
      return !writable;
    }

    private void check() {
      if (!writable) {
        throw new java.nio.file.ReadOnlyFileSystemException();
      }
    }

    private static MemNode dir(Node directory) throws IOException {
      MemNode d = (MemNode) directory;
      if (d.type != NodeType.DIRECTORY) {
        throw new NotDirectoryException(String.valueOf(d.id));
      }
      return d;
    }

    private static void free(MemNode d, String name) throws IOException {
      if (d.children.containsKey(name)) {
        throw new java.nio.file.FileAlreadyExistsException(name);
      }
    }

    @Override
    public Node create(Node directory, String name, NodeType type, int mode) throws IOException {
      check();
      MemNode d = dir(directory);
      free(d, name);
      if (type == NodeType.SYMBOLIC_LINK || type == NodeType.OTHER) {
        throw new IllegalArgumentException("create " + type);
      }
      MemNode n = add(type, mode & 07777);
      n.uid = 0;
      n.gid = 0;
      n.mtime = n.atime = n.ctime = n.crtime = FileTime.from(Instant.now());
      if (type == NodeType.DIRECTORY) {
        n.nlink = 2;
      }
      d.children.put(name, n);
      return n;
    }

    @Override
    public Node createSymbolicLink(Node directory, String name, String target)
        throws IOException {
      check();
      MemNode d = dir(directory);
      free(d, name);
      MemNode n = add(NodeType.SYMBOLIC_LINK, 0777);
      n.data = target.getBytes(StandardCharsets.UTF_8);
      d.children.put(name, n);
      return n;
    }

    @Override
    public void link(Node directory, String name, Node existing) throws IOException {
      check();
      MemNode d = dir(directory);
      free(d, name);
      MemNode n = (MemNode) existing;
      n.nlink++;
      d.children.put(name, n);
    }

    @Override
    public void unlink(Node directory, String name) throws IOException {
      check();
      MemNode d = dir(directory);
      MemNode n = d.children.get(name);
      if (n == null) {
        throw new java.nio.file.NoSuchFileException(name);
      }
      if (n.type == NodeType.DIRECTORY && !n.children.isEmpty()) {
        throw new java.nio.file.DirectoryNotEmptyException(name);
      }
      d.children.remove(name);
      if (--n.nlink <= 0 || n.type == NodeType.DIRECTORY) {
        nodes.remove(n.id);
      }
    }

    @Override
    public void rename(Node fromDirectory, String fromName, Node toDirectory, String toName)
        throws IOException {
      check();
      MemNode from = dir(fromDirectory);
      MemNode to = dir(toDirectory);
      MemNode n = from.children.get(fromName);
      if (n == null) {
        throw new java.nio.file.NoSuchFileException(fromName);
      }
      MemNode old = to.children.get(toName);
      if (old != null && old != n) {
        unlink(to, toName);
      }
      from.children.remove(fromName);
      to.children.put(toName, n);
    }

    @Override
    public int write(Node file, long position, ByteBuffer src) throws IOException {
      check();
      MemNode n = (MemNode) file;
      int len = src.remaining();
      long end = position + len;
      if (end > n.data.length) {
        n.data = java.util.Arrays.copyOf(n.data, Math.toIntExact(end));
      }
      src.get(n.data, (int) position, len);
      n.mtime = n.ctime = FileTime.from(Instant.now());
      return len;
    }

    @Override
    public void truncate(Node file, long size) throws IOException {
      check();
      MemNode n = (MemNode) file;
      n.data = java.util.Arrays.copyOf(n.data, Math.toIntExact(size));
    }

    @Override
    public void setMode(Node node, int mode) throws IOException {
      check();
      ((MemNode) node).mode = mode & 07777;
    }

    @Override
    public void setOwner(Node node, long uid, long gid) throws IOException {
      check();
      MemNode n = (MemNode) node;
      if (uid >= 0) {
        n.uid = uid;
      }
      if (gid >= 0) {
        n.gid = gid;
      }
    }

    @Override
    public void setTimes(Node node, FileTime lastModified, FileTime lastAccess, FileTime creation)
        throws IOException {
      check();
      MemNode n = (MemNode) node;
      if (lastModified != null) {
        n.mtime = lastModified;
      }
      if (lastAccess != null) {
        n.atime = lastAccess;
      }
      if (creation != null) {
        n.crtime = creation;
      }
    }

    @Override
    public void setExtendedAttribute(Node node, String fullName, byte[] value)
        throws IOException {
      check();
      ((MemNode) node).xattrs.put(fullName, value.clone());
    }

    @Override
    public void removeExtendedAttribute(Node node, String fullName) throws IOException {
      check();
      if (((MemNode) node).xattrs.remove(fullName) == null) {
        throw new IOException("no attribute " + fullName);
      }
    }

    @Override
    public void flush() throws IOException {
      if (failFlush) {
        failFlush = false;
        throw new IOException("flush failed (test)");
      }
      flushes++;
    }

    @Override
    public long totalSpace() {
      return 1 << 20;
    }

    @Override
    public long freeSpace() {
      long used = 0;
      for (MemNode n : nodes.values()) {
        used += n.data.length;
      }
      return writable ? Math.max(0, totalSpace() - used) : 0;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
