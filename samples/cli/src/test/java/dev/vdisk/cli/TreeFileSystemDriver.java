package dev.vdisk.cli;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.FileSystemDriver;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A file-system driver for the CLI's own tests: the whole tree lives serialized in the device
 * (magic {@code VDTREEFS}, a length, then the node table), so changes persist from one {@code
 * vdisk} command to the next and through differencing disks. It stands in for a writable
 * ext4 driver in tests that check the CLI's behaviour rather than a real file system's format.
 */
public final class TreeFileSystemDriver implements FileSystemDriver {
  static final byte[] MAGIC = "VDTREEFS".getBytes(StandardCharsets.US_ASCII);
  private static final FileSystemIdentity IDENTITY =
      new FileSystemIdentity("treefs", "tree", "1234-5678");

  /**
   * Makes a raw image of {@code size} bytes holding an empty tree (the root, mode 0755).
   *
   * @param file the new image
   * @param size its size
   * @return the file
   * @throws IOException on failure
   */
  static Path createImage(Path file, long size) throws IOException {
    TreeVolume empty = new TreeVolume(null, true);
    byte[] blob = empty.serialize();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(blob), 0);
      ch.write(ByteBuffer.allocate(1), size - 1);
    }
    return file;
  }

  @Override
  public String name() {
    return "treefs";
  }

  @Override
  public int probe(BlockDevice device) throws IOException {
    if (device.size() < MAGIC.length) {
      return NO;
    }
    byte[] head = new byte[MAGIC.length];
    BlockDevices.read(device, 0, MAGIC.length).get(head);
    return Arrays.equals(head, MAGIC) ? CERTAIN : NO;
  }

  @Override
  public Optional<FileSystemIdentity> identify(BlockDevice device) throws IOException {
    return probe(device) == CERTAIN ? Optional.of(IDENTITY) : Optional.empty();
  }

  @Override
  public Volume mount(BlockDevice device, MountOptions options) throws IOException {
    TreeVolume v = new TreeVolume(device, !options.readOnly() && device.isWritable());
    byte[] head = new byte[MAGIC.length + 4];
    BlockDevices.read(device, 0, head.length).get(head);
    int length = ByteBuffer.wrap(head, MAGIC.length, 4).getInt();
    if (length < 0 || length > device.size() - head.length) {
      throw new IOException("treefs: bad length " + length);
    }
    byte[] body = new byte[length];
    BlockDevices.read(device, head.length, length).get(body);
    v.load(body);
    return v;
  }

  /** One node. */
  static final class TreeNode implements Node {
    final long id;
    final NodeType type;
    final Map<String, Long> children = new LinkedHashMap<>();
    final Map<String, byte[]> xattrs = new LinkedHashMap<>();
    byte[] data = new byte[0];
    int mode;
    long uid;
    long gid;
    long nlink = 1;
    FileTime mtime = FileTime.from(Instant.EPOCH);
    FileTime atime = FileTime.from(Instant.EPOCH);
    FileTime ctime = FileTime.from(Instant.EPOCH);

    TreeNode(long id, NodeType type, int mode) {
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

  /** The tree, loaded whole; written back whole on flush. */
  static final class TreeVolume implements Volume {
    private final BlockDevice device;
    private final boolean writable;
    private final Map<Long, TreeNode> nodes = new LinkedHashMap<>();
    private long nextId = 2;
    private boolean dirty;

    TreeVolume(BlockDevice device, boolean writable) {
      this.device = device;
      this.writable = writable;
      TreeNode root = new TreeNode(nextId++, NodeType.DIRECTORY, 0755);
      root.nlink = 2;
      nodes.put(root.id, root);
    }

    byte[] serialize() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeLong(nextId);
        out.writeInt(nodes.size());
        for (TreeNode n : nodes.values()) {
          out.writeLong(n.id);
          out.writeUTF(n.type.name());
          out.writeInt(n.mode);
          out.writeLong(n.uid);
          out.writeLong(n.gid);
          out.writeLong(n.nlink);
          for (FileTime t : List.of(n.mtime, n.atime, n.ctime)) {
            Instant i = t.toInstant();
            out.writeLong(i.getEpochSecond());
            out.writeInt(i.getNano());
          }
          out.writeInt(n.data.length);
          out.write(n.data);
          out.writeInt(n.children.size());
          for (Map.Entry<String, Long> e : n.children.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
          }
          out.writeInt(n.xattrs.size());
          for (Map.Entry<String, byte[]> e : n.xattrs.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            out.write(e.getValue());
          }
        }
      }
      byte[] body = bytes.toByteArray();
      ByteBuffer all = ByteBuffer.allocate(MAGIC.length + 4 + body.length);
      all.put(MAGIC).putInt(body.length).put(body);
      return all.array();
    }

    void load(byte[] body) throws IOException {
      nodes.clear();
      try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
        nextId = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
          TreeNode n = new TreeNode(in.readLong(), NodeType.valueOf(in.readUTF()), in.readInt());
          n.uid = in.readLong();
          n.gid = in.readLong();
          n.nlink = in.readLong();
          FileTime[] times = new FileTime[3];
          for (int t = 0; t < 3; t++) {
            times[t] = FileTime.from(Instant.ofEpochSecond(in.readLong(), in.readInt()));
          }
          n.mtime = times[0];
          n.atime = times[1];
          n.ctime = times[2];
          n.data = in.readNBytes(in.readInt());
          int children = in.readInt();
          for (int c = 0; c < children; c++) {
            n.children.put(in.readUTF(), in.readLong());
          }
          int xattrs = in.readInt();
          for (int x = 0; x < xattrs; x++) {
            String name = in.readUTF();
            n.xattrs.put(name, in.readNBytes(in.readInt()));
          }
          nodes.put(n.id, n);
        }
      }
    }

    private void check() {
      if (!writable) {
        throw new ReadOnlyFileSystemException();
      }
      dirty = true;
    }

    private TreeNode dir(Node directory) throws IOException {
      TreeNode d = nodes.get(directory.id());
      if (d == null || d.type != NodeType.DIRECTORY) {
        throw new NotDirectoryException(String.valueOf(directory.id()));
      }
      return d;
    }

    private TreeNode get(Node node) throws IOException {
      TreeNode n = nodes.get(node.id());
      if (n == null) {
        throw new NoSuchFileException("node " + node.id());
      }
      return n;
    }

    private TreeNode add(TreeNode directory, String name, NodeType type, int mode)
        throws IOException {
      if (directory.children.containsKey(name)) {
        throw new FileAlreadyExistsException(name);
      }
      TreeNode n = new TreeNode(nextId++, type, mode & 07777);
      n.mtime = n.atime = n.ctime = FileTime.from(Instant.now());
      nodes.put(n.id, n);
      directory.children.put(name, n.id);
      return n;
    }

    @Override
    public FileSystemIdentity identity() {
      return IDENTITY;
    }

    @Override
    public Node root() {
      return nodes.get(2L);
    }

    @Override
    public Node node(long id) throws IOException {
      TreeNode n = nodes.get(id);
      if (n == null) {
        throw new IOException("no node " + id);
      }
      return n;
    }

    @Override
    public Optional<Node> lookup(Node directory, String name) throws IOException {
      Long id = dir(directory).children.get(name);
      return id == null ? Optional.empty() : Optional.of(nodes.get(id));
    }

    @Override
    public List<DirectoryEntry> list(Node directory) throws IOException {
      List<DirectoryEntry> out = new ArrayList<>();
      for (Map.Entry<String, Long> e : dir(directory).children.entrySet()) {
        out.add(new DirectoryEntry(e.getKey(), e.getValue(), nodes.get(e.getValue()).type));
      }
      return out;
    }

    @Override
    public int read(Node file, long position, ByteBuffer dst) throws IOException {
      byte[] data = get(file).data;
      if (position >= data.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), data.length - position);
      dst.put(data, (int) position, n);
      return n;
    }

    @Override
    public NodeAttributes attributes(Node node) throws IOException {
      TreeNode n = get(node);
      return NodeAttributes.builder(n.type).size(n.data.length).mode(n.mode).uid(n.uid)
          .gid(n.gid).inode(n.id).linkCount(n.nlink).lastModifiedTime(n.mtime)
          .lastAccessTime(n.atime).changeTime(n.ctime).build();
    }

    @Override
    public String readSymbolicLink(Node link) throws IOException {
      return new String(get(link).data, StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, byte[]> extendedAttributes(Node node) throws IOException {
      return new LinkedHashMap<>(get(node).xattrs);
    }

    @Override
    public boolean isReadOnly() {
      return !writable;
    }

    @Override
    public long totalSpace() {
      return device == null ? 0 : device.size();
    }

    @Override
    public long freeSpace() {
      long used = 0;
      for (TreeNode n : nodes.values()) {
        used += n.data.length + 64;
      }
      return Math.max(0, totalSpace() - used);
    }

    @Override
    public Node create(Node directory, String name, NodeType type, int mode) throws IOException {
      check();
      TreeNode n = add(dir(directory), name, type, mode);
      if (type == NodeType.DIRECTORY) {
        n.nlink = 2;
      }
      return n;
    }

    @Override
    public Node createSymbolicLink(Node directory, String name, String target)
        throws IOException {
      check();
      TreeNode n = add(dir(directory), name, NodeType.SYMBOLIC_LINK, 0777);
      n.data = target.getBytes(StandardCharsets.UTF_8);
      return n;
    }

    @Override
    public void link(Node directory, String name, Node existing) throws IOException {
      check();
      TreeNode d = dir(directory);
      if (d.children.containsKey(name)) {
        throw new FileAlreadyExistsException(name);
      }
      get(existing).nlink++;
      d.children.put(name, existing.id());
    }

    @Override
    public void unlink(Node directory, String name) throws IOException {
      check();
      TreeNode d = dir(directory);
      Long id = d.children.get(name);
      if (id == null) {
        throw new NoSuchFileException(name);
      }
      TreeNode n = nodes.get(id);
      if (n.type == NodeType.DIRECTORY && !n.children.isEmpty()) {
        throw new DirectoryNotEmptyException(name);
      }
      d.children.remove(name);
      if (--n.nlink <= 0 || n.type == NodeType.DIRECTORY) {
        nodes.remove(id);
      }
    }

    @Override
    public void rename(Node fromDirectory, String fromName, Node toDirectory, String toName)
        throws IOException {
      check();
      TreeNode from = dir(fromDirectory);
      TreeNode to = dir(toDirectory);
      Long id = from.children.get(fromName);
      if (id == null) {
        throw new NoSuchFileException(fromName);
      }
      Long old = to.children.get(toName);
      if (old != null && !old.equals(id)) {
        unlink(to, toName);
      }
      from.children.remove(fromName);
      to.children.put(toName, id);
    }

    @Override
    public int write(Node file, long position, ByteBuffer src) throws IOException {
      check();
      TreeNode n = get(file);
      int len = src.remaining();
      long end = position + len;
      if (end > n.data.length) {
        n.data = Arrays.copyOf(n.data, Math.toIntExact(end));
      }
      src.get(n.data, (int) position, len);
      n.mtime = n.ctime = FileTime.from(Instant.now());
      return len;
    }

    @Override
    public void truncate(Node file, long size) throws IOException {
      check();
      TreeNode n = get(file);
      n.data = Arrays.copyOf(n.data, Math.toIntExact(size));
    }

    @Override
    public void setMode(Node node, int mode) throws IOException {
      check();
      get(node).mode = mode & 07777;
    }

    @Override
    public void setOwner(Node node, long uid, long gid) throws IOException {
      check();
      TreeNode n = get(node);
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
      TreeNode n = get(node);
      if (lastModified != null) {
        n.mtime = lastModified;
      }
      if (lastAccess != null) {
        n.atime = lastAccess;
      }
    }

    @Override
    public void setExtendedAttribute(Node node, String fullName, byte[] value)
        throws IOException {
      check();
      get(node).xattrs.put(fullName, value.clone());
    }

    @Override
    public void removeExtendedAttribute(Node node, String fullName) throws IOException {
      check();
      get(node).xattrs.remove(fullName);
    }

    @Override
    public void flush() throws IOException {
      if (!dirty) {
        return;
      }
      byte[] blob = serialize();
      if (blob.length > device.size()) {
        throw new IOException("treefs: the tree (" + blob.length + " bytes) does not fit the "
            + "device (" + device.size() + " bytes)");
      }
      device.write(0, ByteBuffer.wrap(blob));
      device.flush();
      dirty = false;
    }

    @Override
    public void close() {}
  }
}
