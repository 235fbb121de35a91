package dev.vdisk.ext4.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writable ext2/3/4 mount: reads through an {@link Ext4Volume} that sees the running
 * transaction, changes through an {@link Ext4Writer}. Every operation is one atomic change:
 * operations are grouped into jbd2 transactions (committed when a transaction grows past its
 * limit, on {@link #flush()} and on {@link #close()}); a crash leaves the state of the last
 * committed transaction. All methods are serialised on this object.
 */
public final class Ext4WritableVolume implements Volume {
  private static final Logger LOG = LoggerFactory.getLogger(Ext4WritableVolume.class);

  private final Ext4Volume reader;
  private final Ext4Writer writer;
  private boolean closed;

  private Ext4WritableVolume(Ext4Volume reader, Ext4Writer writer) {
    this.reader = reader;
    this.writer = writer;
  }

  /**
   * Opens a device for writing: checks that writing is safe (replaying a journal that needs
   * recovery into the image first), then mounts.
   *
   * @param device a writable device
   * @param options the mount options (their cache size bounds the reader's caches)
   * @return the volume
   * @throws dev.vdisk.core.UnsafeToWriteException when writing is refused, naming the reason
   * @throws IOException on a corrupt structure or an I/O error
   */
  public static Ext4WritableVolume mount(BlockDevice device, MountOptions options)
      throws IOException {
    Ext4Writer w = Ext4Writer.open(device);
    Ext4Volume v = Ext4Volume.mount(device, new MountOptions(true, options.cacheBytes()));
    v.attachWriter(w);
    LOG.debug("{}: mounted for writing", device.description());
    return new Ext4WritableVolume(v, w);
  }

  /** @return the writer (for tests and the tools built on it) */
  public Ext4Writer writer() {
    return writer;
  }

  private Ext4Volume.Ext4Node fresh(Node n) throws IOException {
    check();
    return reader.node(n.id());
  }

  /** A node whose content or attributes are about to change: refused when encrypted. */
  private Ext4Volume.Ext4Node changing(Node n) throws IOException {
    Ext4Volume.Ext4Node node = fresh(n);
    if (node.inode().hasFlag(Inode.FL_ENCRYPT)) {
      throw new dev.vdisk.core.UnsafeToWriteException(null,
          dev.vdisk.core.UnsafeToWriteException.Reason.UNSUPPORTED_FEATURE, reader.source()
              + ": inode " + node.id() + " is encrypted (fscrypt); it cannot be written without"
              + " its key");
    }
    return node;
  }

  private void check() throws IOException {
    if (closed) {
      throw new java.nio.file.ClosedFileSystemException();
    }
  }

  /** One change: runs in a savepoint, so a failure leaves the volume as it was before it. */
  @FunctionalInterface
  private interface Change<T> {
    T run() throws IOException;
  }

  private <T> T change(Change<T> c) throws IOException {
    check();
    writer.beginOperation();
    boolean ok = false;
    try {
      T result = c.run();
      ok = true;
      return result;
    } finally {
      if (ok) {
        writer.endOperation();
      } else {
        writer.rollbackOperation();
      }
    }
  }

  private void done(long... inodes) throws IOException {
    for (long ino : inodes) {
      reader.forget(ino);
    }
    writer.maybeCommit();
  }

  // ---- reads ----

  @Override
  public synchronized FileSystemIdentity identity() {
    return reader.identity();
  }

  @Override
  public synchronized Node root() throws IOException {
    check();
    return reader.root();
  }

  @Override
  public synchronized Node node(long id) throws IOException {
    check();
    return reader.node(id);
  }

  @Override
  public synchronized Optional<Node> lookup(Node directory, String name) throws IOException {
    return reader.lookup(fresh(directory), name);
  }

  @Override
  public synchronized List<DirectoryEntry> list(Node directory) throws IOException {
    return reader.list(fresh(directory));
  }

  @Override
  public synchronized int read(Node file, long position, ByteBuffer dst) throws IOException {
    return reader.read(fresh(file), position, dst);
  }

  @Override
  public synchronized NodeAttributes attributes(Node node) throws IOException {
    return reader.attributes(fresh(node));
  }

  @Override
  public synchronized String readSymbolicLink(Node link) throws IOException {
    return reader.readSymbolicLink(fresh(link));
  }

  @Override
  public synchronized Map<String, byte[]> extendedAttributes(Node node) throws IOException {
    return reader.extendedAttributes(fresh(node));
  }

  @Override
  public Set<String> attributeViews() {
    return reader.attributeViews();
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public long totalSpace() {
    return reader.totalSpace();
  }

  @Override
  public synchronized long freeSpace() {
    return (writer.freeBlocks() + writer.pendingFreeBlocks()) * writer.blockSize();
  }

  @Override
  public long maxFileSize() {
    return reader.maxFileSize();
  }

  // ---- changes ----

  @Override
  public synchronized Node create(Node directory, String name, NodeType type, int mode)
      throws IOException {
    long dir = fresh(directory).id();
    long ino = change(() -> switch (type) {
      case REGULAR_FILE -> writer.createFile(dir, name, mode);
      case DIRECTORY -> writer.createDirectory(dir, name, mode);
      case FIFO, SOCKET, CHARACTER_DEVICE, BLOCK_DEVICE ->
          writer.namespace().create(dir, name, type.modeBits() | (mode & 07777), 0, 0, 0);
      default -> throw new UnsupportedOperationException("creating " + type + " nodes");
    });
    done(dir, ino);
    return reader.node(ino);
  }

  @Override
  public synchronized Node createSymbolicLink(Node directory, String name, String target)
      throws IOException {
    long dir = fresh(directory).id();
    long ino = change(() -> writer.namespace().symlink(dir, name, target, 0, 0));
    done(dir, ino);
    return reader.node(ino);
  }

  @Override
  public synchronized void link(Node directory, String name, Node existing) throws IOException {
    long dir = fresh(directory).id();
    long ino = fresh(existing).id();
    change(() -> {
      writer.namespace().link(dir, name, ino);
      return null;
    });
    done(dir, ino);
  }

  @Override
  public synchronized void unlink(Node directory, String name) throws IOException {
    long dir = fresh(directory).id();
    long[] ino = new long[1];
    change(() -> {
      Namespace ns = writer.namespace();
      ino[0] = ns.lookup(dir, name);
      if (ino[0] != 0 && writer.inode(ino[0]).isDirectory()) {
        ns.rmdir(dir, name);
      } else {
        ns.unlink(dir, name);
      }
      return null;
    });
    done(dir, ino[0]);
  }

  @Override
  public synchronized void rename(Node fromDirectory, String fromName, Node toDirectory,
      String toName) throws IOException {
    long from = fresh(fromDirectory).id();
    long to = fresh(toDirectory).id();
    long[] moved = new long[2];
    change(() -> {
      Namespace ns = writer.namespace();
      moved[0] = ns.lookup(from, fromName);
      moved[1] = ns.lookup(to, toName);
      ns.rename(from, fromName, to, toName);
      return null;
    });
    done(from, to, moved[0], moved[1]);
  }

  @Override
  public synchronized int write(Node file, long position, ByteBuffer src) throws IOException {
    long ino = changing(file).id();
    int n = change(() -> writer.files().write(writer.inode(ino), position, src));
    done(ino);
    return n;
  }

  @Override
  public synchronized void truncate(Node file, long size) throws IOException {
    long ino = changing(file).id();
    change(() -> {
      writer.files().truncate(writer.inode(ino), size);
      return null;
    });
    done(ino);
  }

  @Override
  public synchronized void setMode(Node node, int mode) throws IOException {
    long ino = fresh(node).id();
    change(() -> {
      MutableInode inode = writer.inode(ino);
      inode.setMode((inode.mode() & MutableInode.S_IFMT) | (mode & 07777));
      inode.setTime(MutableInode.Time.CHANGE, writer.now());
      writer.putInode(inode);
      return null;
    });
    done(ino);
  }

  @Override
  public synchronized void setOwner(Node node, long uid, long gid) throws IOException {
    long ino = fresh(node).id();
    change(() -> {
      MutableInode inode = writer.inode(ino);
      inode.setOwner(uid < 0 ? inode.uid() : uid, gid < 0 ? inode.gid() : gid);
      inode.setTime(MutableInode.Time.CHANGE, writer.now());
      writer.putInode(inode);
      return null;
    });
    done(ino);
  }

  @Override
  public synchronized void setTimes(Node node, FileTime lastModified, FileTime lastAccess,
      FileTime creation) throws IOException {
    long ino = fresh(node).id();
    change(() -> {
      MutableInode inode = writer.inode(ino);
      if (lastModified != null) {
        inode.setTime(MutableInode.Time.MODIFY, lastModified.toInstant());
      }
      if (lastAccess != null) {
        inode.setTime(MutableInode.Time.ACCESS, lastAccess.toInstant());
      }
      if (creation != null) {
        inode.setTime(MutableInode.Time.CREATE, creation.toInstant());
      }
      inode.setTime(MutableInode.Time.CHANGE, writer.now());
      writer.putInode(inode);
      return null;
    });
    done(ino);
  }

  @Override
  public synchronized void setExtendedAttribute(Node node, String fullName, byte[] value)
      throws IOException {
    long ino = changing(node).id();
    change(() -> {
      MutableInode inode = writer.inode(ino);
      writer.xattrs().set(inode, fullName, value);
      inode.setTime(MutableInode.Time.CHANGE, writer.now());
      writer.putInode(inode);
      return null;
    });
    done(ino);
  }

  @Override
  public synchronized void removeExtendedAttribute(Node node, String fullName)
      throws IOException {
    long ino = changing(node).id();
    change(() -> {
      MutableInode inode = writer.inode(ino);
      if (!writer.xattrs().remove(inode, fullName)) {
        throw new java.nio.file.NoSuchFileException(fullName, null,
            "no such extended attribute on inode " + ino);
      }
      inode.setTime(MutableInode.Time.CHANGE, writer.now());
      writer.putInode(inode);
      return null;
    });
    done(ino);
  }

  @Override
  public synchronized void flush() throws IOException {
    check();
    writer.commit();
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      writer.commit();
    } finally {
      closed = true;
      reader.close();
    }
  }

  @Override
  public String toString() {
    return "writable " + reader;
  }
}
