package dev.vdisk.core.fs.internal;

import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link SeekableByteChannel} on one file of a {@link Volume}. Reads go to {@link Volume#read}
 * and writes to {@link Volume#write} at the channel's position ({@link
 * StandardOpenOption#APPEND}: at the end); {@link #truncate} to {@link Volume#truncate}. A
 * read-only channel takes the size once, when opened; a writable one asks the volume each time.
 */
public final class NodeByteChannel implements SeekableByteChannel {
  private final NodeFileSystem fs;
  private final Volume volume;
  private final Node node;
  private final long openSize;
  private final boolean readable;
  private final boolean writable;
  private final boolean append;
  private final Runnable onClose;
  private long position;
  private boolean open = true;

  /**
   * Opens a read-only channel on the regular file a path names.
   *
   * @param fs the file system
   * @param path the path
   * @param follow whether to follow a final symbolic link
   * @return the channel
   * @throws IOException if the path does not name a regular file
   */
  public static NodeByteChannel open(NodeFileSystem fs, VdiskPath path, boolean follow)
      throws IOException {
    Node node = fs.resolve(path, follow);
    if (node.type() == NodeType.DIRECTORY) {
      throw new FileSystemException(path.toString(), null, "is a directory");
    }
    long size = fs.volume().attributes(node).size();
    return new NodeByteChannel(fs, node, size, true, false, false, null);
  }

  /**
   * Opens a channel as {@link java.nio.file.Files#newByteChannel(java.nio.file.Path, Set,
   * FileAttribute[])} describes: {@code READ} (the default), {@code WRITE}, {@code APPEND},
   * {@code CREATE}, {@code CREATE_NEW}, {@code TRUNCATE_EXISTING}, {@code DELETE_ON_CLOSE} and
   * {@link LinkOption#NOFOLLOW_LINKS}; {@code SPARSE}, {@code SYNC} and {@code DSYNC} are
   * accepted and ignored (the volume is flushed when the file system closes).
   *
   * @param fs the file system
   * @param path the path
   * @param options the open options
   * @param attrs initial attributes of a created file ({@code posix:permissions} or
   *     {@code unix:mode})
   * @return the channel
   * @throws FileAlreadyExistsException for {@code CREATE_NEW} when the file exists
   * @throws java.nio.file.NoSuchFileException if the file is missing and not to be created
   * @throws java.nio.file.ReadOnlyFileSystemException for a change on a read-only file system
   * @throws IOException on other failures
   */
  public static NodeByteChannel open(NodeFileSystem fs, VdiskPath path,
      Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    boolean read = options.contains(StandardOpenOption.READ);
    boolean append = options.contains(StandardOpenOption.APPEND);
    boolean write = options.contains(StandardOpenOption.WRITE) || append;
    boolean follow = !options.contains(LinkOption.NOFOLLOW_LINKS);
    if (append && read) {
      throw new IllegalArgumentException("READ and APPEND together");
    }
    if (append && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
      throw new IllegalArgumentException("APPEND and TRUNCATE_EXISTING together");
    }
    for (OpenOption o : options) {
      if (!(o instanceof StandardOpenOption) && o != LinkOption.NOFOLLOW_LINKS) {
        throw new UnsupportedOperationException("open option " + o);
      }
    }
    boolean deleteOnClose = options.contains(StandardOpenOption.DELETE_ON_CLOSE);
    if (!write && !deleteOnClose) {
      return open(fs, path, follow);
    }
    fs.checkWritable();
    boolean createNew = options.contains(StandardOpenOption.CREATE_NEW);
    boolean create = options.contains(StandardOpenOption.CREATE);
    Node node;
    if (write && (createNew || create)) {
      NodeFileSystem.Entry entry = fs.entry(path);
      Optional<Node> existing = fs.lookup(entry);
      if (existing.isPresent() && createNew) {
        throw new FileAlreadyExistsException(path.toString());
      }
      if (existing.isPresent()) {
        node = fs.resolve(path, follow);
      } else {
        int mode = NodeAttributeViews.modeOf(attrs, 0644);
        node = fs.volume().create(entry.directory(), entry.name(), NodeType.REGULAR_FILE, mode);
        fs.changed();
      }
    } else {
      node = fs.resolve(path, follow);
    }
    if (node.type() == NodeType.DIRECTORY) {
      throw new FileSystemException(path.toString(), null, "is a directory");
    }
    if (node.type() == NodeType.SYMBOLIC_LINK) {
      throw new FileSystemException(path.toString(), null,
          "is a symbolic link (opened with NOFOLLOW_LINKS)");
    }
    if (write && options.contains(StandardOpenOption.TRUNCATE_EXISTING)
        && fs.volume().attributes(node).size() != 0) {
      fs.volume().truncate(node, 0);
    }
    Runnable onClose = null;
    if (deleteOnClose) {
      onClose = () -> {
        try {
          fs.provider().deleteIfExists(path);
        } catch (IOException e) {
          org.slf4j.LoggerFactory.getLogger(NodeByteChannel.class)
              .warn("{}: not deleted on close: {}", path, e.toString());
        }
      };
    }
    return new NodeByteChannel(fs, node, -1, read || !write, write, append, onClose);
  }

  private NodeByteChannel(NodeFileSystem fs, Node node, long size, boolean readable,
      boolean writable, boolean append, Runnable onClose) {
    this.fs = fs;
    this.volume = fs.volume();
    this.node = node;
    this.openSize = size;
    this.readable = readable;
    this.writable = writable;
    this.append = append;
    this.onClose = onClose;
  }

  private long currentSize() throws IOException {
    return writable ? volume.attributes(node).size() : openSize;
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    checkOpen();
    if (!readable) {
      throw new NonReadableChannelException();
    }
    if (position >= currentSize()) {
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
  public synchronized int write(ByteBuffer src) throws IOException {
    checkOpen();
    if (!writable) {
      throw new NonWritableChannelException();
    }
    if (append) {
      position = currentSize();
    }
    int total = 0;
    while (src.hasRemaining()) {
      int n = volume.write(node, position, src);
      if (n <= 0) {
        throw new IOException("the volume wrote nothing at " + position);
      }
      position += n;
      total += n;
    }
    return total;
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
  public synchronized long size() throws IOException {
    checkOpen();
    return currentSize();
  }

  @Override
  public synchronized SeekableByteChannel truncate(long newSize) throws IOException {
    checkOpen();
    if (newSize < 0) {
      throw new IllegalArgumentException("negative size " + newSize);
    }
    if (!writable) {
      throw new NonWritableChannelException();
    }
    if (newSize < currentSize()) {
      volume.truncate(node, newSize);
    }
    if (position > newSize) {
      position = newSize;
    }
    return this;
  }

  @Override
  public synchronized boolean isOpen() {
    return open && fs.isOpen();
  }

  @Override
  public synchronized void close() {
    if (open) {
      open = false;
      if (onClose != null && fs.isOpen()) {
        onClose.run();
      }
    }
  }

  private void checkOpen() throws ClosedChannelException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }
}
