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
 * tree built in memory (the device's bytes are not otherwise read).
 */
public final class MemoryFileSystemDriver implements FileSystemDriver {
  static final byte[] MAGIC = "MEMFS".getBytes(StandardCharsets.US_ASCII);

  /** Mounts the test volume through {@link VdiskFileSystems}, as a device holding its magic. */
  static VdiskFileSystem openTestFileSystem() throws IOException {
    byte[] bytes = new byte[4096];
    System.arraycopy(MAGIC, 0, bytes, 0, MAGIC.length);
    return VdiskFileSystems.open(dev.vdisk.core.MemoryBlockDevice.readOnlyCopyOf(bytes));
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
    return new MemVolume();
  }

  static final class MemNode implements Node {
    final long id;
    final NodeType type;
    final Map<String, MemNode> children = new LinkedHashMap<>();
    byte[] data = new byte[0];
    int mode;
    long nlink = 1;

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

  /** The fixed tree. */
  static final class MemVolume implements Volume {
    final Map<Long, MemNode> nodes = new LinkedHashMap<>();
    final MemNode root;
    static final FileTime MTIME = FileTime.from(Instant.parse("2024-02-03T04:05:06.123456789Z"));

    MemVolume() {
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
    }

    private MemNode add(NodeType type, int mode) {
      MemNode n = new MemNode(nodes.size() + 2, type, mode);
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
      return NodeAttributes.builder(n.type).size(n.data.length).mode(n.mode).uid(1000).gid(100)
          .inode(n.id).linkCount(n.nlink).lastModifiedTime(MTIME).lastAccessTime(MTIME)
          .changeTime(MTIME).build();
    }

    @Override
    public String readSymbolicLink(Node link) {
      return new String(((MemNode) link).data, StandardCharsets.UTF_8);
    }

    @Override
    public Map<String, byte[]> extendedAttributes(Node node) {
      return node == root ? Map.of("user.comment", new byte[] {'h', 'i'},
          "security.selinux", new byte[] {'x', 0}) : Map.of();
    }

    @Override
    public boolean isReadOnly() {
      return true;
    }

    @Override
    public long totalSpace() {
      return 1 << 20;
    }

    @Override
    public long freeSpace() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
