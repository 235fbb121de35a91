package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only {@link SeekableByteChannel} on one file of a {@link Volume}. Each read goes to
 * {@link Volume#read} at the channel's position; the size is the file size when opened.
 */
public final class NodeByteChannel implements SeekableByteChannel {
  private final NodeFileSystem fs;
  private final Volume volume;
  private final Node node;
  private final long size;
  private long position;
  private boolean open = true;

  /**
   * Opens a channel on the regular file a path names.
   *
   * @param fs the file system
   * @param path the path
   * @param follow whether to follow a final symbolic link
   * @return the channel
   * @throws IOException if the path does not name a regular file
   */
  public static NodeByteChannel open(NodeFileSystem fs, VdiskPath path, boolean follow)
      throws IOException {
    dev.vdisk.core.fs.Node node = fs.resolve(path, follow);
    if (node.type() == dev.vdisk.core.fs.NodeType.DIRECTORY) {
      throw new java.nio.file.FileSystemException(path.toString(), null, "is a directory");
    }
    long size = fs.volume().attributes(node).size();
    return new NodeByteChannel(fs, node, size);
  }

  NodeByteChannel(NodeFileSystem fs, Node node, long size) {
    this.fs = fs;
    this.volume = fs.volume();
    this.node = node;
    this.size = size;
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    checkOpen();
    if (position >= size) {
      return -1;
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int n = volume.read(node, position, dst);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    checkOpen();
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized long position() throws IOException {
    checkOpen();
    return position;
  }

  @Override
  public synchronized SeekableByteChannel position(long newPosition) throws IOException {
    checkOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public long size() throws IOException {
    checkOpen();
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long newSize) throws IOException {
    checkOpen();
    throw new NonWritableChannelException();
  }

  @Override
  public synchronized boolean isOpen() {
    return open && fs.isOpen();
  }

  @Override
  public synchronized void close() {
    open = false;
  }

  private void checkOpen() throws ClosedChannelException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }
}
