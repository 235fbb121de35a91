package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.FileSystemIdentity;
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
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A writable {@link Volume} made safe for several threads: reads share a lock, each change takes
 * it alone. {@link Volume} asks drivers only for concurrent reads; this is how a writable
 * {@link NodeFileSystem} (which callers such as {@link dev.vdisk.core.fs.FileTrees} use from
 * several threads) keeps a change from running beside a read or another change.
 */
final class LockedVolume implements Volume {
  private final Volume volume;
  private final Lock read;
  private final Lock write;

  LockedVolume(Volume volume) {
    this.volume = volume;
    ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    this.read = lock.readLock();
    this.write = lock.writeLock();
  }

  /** The driver's volume. */
  Volume delegate() {
    return volume;
  }

  /** One call, as a lambda that may throw. */
  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  /** One call without a result. */
  @FunctionalInterface
  private interface Change {
    void run() throws IOException;
  }

  private <T> T reading(Call<T> call) throws IOException {
    read.lock();
    try {
      return call.run();
    } finally {
      read.unlock();
    }
  }

  private <T> T writing(Call<T> call) throws IOException {
    write.lock();
    try {
      return call.run();
    } finally {
      write.unlock();
    }
  }

  private void changing(Change change) throws IOException {
    write.lock();
    try {
      change.run();
    } finally {
      write.unlock();
    }
  }

  @Override
  public FileSystemIdentity identity() {
    return volume.identity();
  }

  @Override
  public Node root() throws IOException {
    return reading(volume::root);
  }

  @Override
  public Node node(long id) throws IOException {
    return reading(() -> volume.node(id));
  }

  @Override
  public Optional<Node> lookup(Node directory, String name) throws IOException {
    return reading(() -> volume.lookup(directory, name));
  }

  @Override
  public List<DirectoryEntry> list(Node directory) throws IOException {
    return reading(() -> volume.list(directory));
  }

  @Override
  public int read(Node file, long position, ByteBuffer dst) throws IOException {
    return reading(() -> volume.read(file, position, dst));
  }

  @Override
  public NodeAttributes attributes(Node node) throws IOException {
    return reading(() -> volume.attributes(node));
  }

  @Override
  public String readSymbolicLink(Node link) throws IOException {
    return reading(() -> volume.readSymbolicLink(link));
  }

  @Override
  public Map<String, byte[]> extendedAttributes(Node node) throws IOException {
    return reading(() -> volume.extendedAttributes(node));
  }

  @Override
  public Set<String> attributeViews() {
    return volume.attributeViews();
  }

  @Override
  public boolean isReadOnly() {
    return volume.isReadOnly();
  }

  @Override
  public long totalSpace() {
    read.lock();
    try {
      return volume.totalSpace();
    } finally {
      read.unlock();
    }
  }

  @Override
  public long freeSpace() {
    read.lock();
    try {
      return volume.freeSpace();
    } finally {
      read.unlock();
    }
  }

  @Override
  public long maxFileSize() {
    return volume.maxFileSize();
  }

  @Override
  public Node create(Node directory, String name, NodeType type, int mode) throws IOException {
    return writing(() -> volume.create(directory, name, type, mode));
  }

  @Override
  public Node createSymbolicLink(Node directory, String name, String target) throws IOException {
    return writing(() -> volume.createSymbolicLink(directory, name, target));
  }

  @Override
  public void link(Node directory, String name, Node existing) throws IOException {
    changing(() -> volume.link(directory, name, existing));
  }

  @Override
  public void unlink(Node directory, String name) throws IOException {
    changing(() -> volume.unlink(directory, name));
  }

  @Override
  public void rename(Node fromDirectory, String fromName, Node toDirectory, String toName)
      throws IOException {
    changing(() -> volume.rename(fromDirectory, fromName, toDirectory, toName));
  }

  @Override
  public int write(Node file, long position, ByteBuffer src) throws IOException {
    return writing(() -> volume.write(file, position, src));
  }

  @Override
  public void truncate(Node file, long size) throws IOException {
    changing(() -> volume.truncate(file, size));
  }

  @Override
  public void setMode(Node node, int mode) throws IOException {
    changing(() -> volume.setMode(node, mode));
  }

  @Override
  public void setOwner(Node node, long uid, long gid) throws IOException {
    changing(() -> volume.setOwner(node, uid, gid));
  }

  @Override
  public void setTimes(Node node, FileTime lastModified, FileTime lastAccess, FileTime creation)
      throws IOException {
    changing(() -> volume.setTimes(node, lastModified, lastAccess, creation));
  }

  @Override
  public void setExtendedAttribute(Node node, String fullName, byte[] value) throws IOException {
    changing(() -> volume.setExtendedAttribute(node, fullName, value));
  }

  @Override
  public void removeExtendedAttribute(Node node, String fullName) throws IOException {
    changing(() -> volume.removeExtendedAttribute(node, fullName));
  }

  @Override
  public void flush() throws IOException {
    changing(volume::flush);
  }

  @Override
  public void close() throws IOException {
    changing(volume::close);
  }

  @Override
  public String toString() {
    return volume.toString();
  }
}
