package dev.vdisk.core.raw;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.ChainEntry;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.DiskInfo;
import dev.vdisk.core.ImageLock;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.internal.NativeIo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A raw image file or a block device node opened as a disk.
 *
 * <p>Reads and writes go straight to the file with positional I/O, so concurrent reads are safe.
 * {@link #allocation(long)} reports holes of sparse files through {@code SEEK_DATA}/{@code
 * SEEK_HOLE} where the platform has them, and reports everything as data elsewhere.
 */
public final class RawDisk implements VirtualDisk {
  private static final Logger LOG = LoggerFactory.getLogger(RawDisk.class);
  private static final int S_IFMT = 0170000;
  private static final int S_IFBLK = 0060000;

  private final Path path;
  private final FileChannel channel;
  private final boolean writable;
  private final boolean blockDevice;
  private final long size;
  private final DiskFormat format;
  private final Object queryLock = new Object();
  private int queryFd = -2; // -2: not opened yet; -1: unavailable
  private volatile boolean holeQueriesBroken;
  private boolean closed;

  private RawDisk(
      Path path, FileChannel channel, boolean writable, boolean blockDevice, long size,
      DiskFormat format) {
    this.path = path;
    this.channel = channel;
    this.writable = writable;
    this.blockDevice = blockDevice;
    this.size = size;
    this.format = format;
  }

  /**
   * Opens a raw image file or block device.
   *
   * @param path the file or device node
   * @param writable whether to open for writing
   * @return the disk
   * @throws IOException if it cannot be opened
   */
  public static RawDisk open(Path path, boolean writable) throws IOException {
    return open(path, writable, new RawDiskFormat());
  }

  static RawDisk open(Path path, boolean writable, DiskFormat format) throws IOException {
    boolean device = isBlockDevice(path);
    FileChannel channel =
        writable
            ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(path, StandardOpenOption.READ);
    try {
      if (!device) {
        ImageLock.acquire(path, channel, writable); // released when the channel closes
      }
      long size = device ? NativeIo.blockDeviceSize(path) : channel.size();
      LOG.debug("opened raw {} ({} bytes, {}{})", path, size, device ? "block device, " : "",
          writable ? "read-write" : "read-only");
      return new RawDisk(path, channel, writable, device, size, format);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static boolean isBlockDevice(Path path) {
    try {
      if (Files.isRegularFile(path)) {
        return false;
      }
      Object mode = Files.getAttribute(path, "unix:mode");
      return mode instanceof Integer m && (m & S_IFMT) == S_IFBLK;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether this disk is a block device node rather than a file.
   *
   * @return {@code true} for a block device
   */
  public boolean isBlockDevice() {
    return blockDevice;
  }

  @Override
  public DiskFormat format() {
    return format;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public DiskInfo info() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("holeDetection", NativeIo.isAvailable() && !blockDevice ? "seek-data" : "none");
    return new DiskInfo(
        format.name(),
        blockDevice ? "block-device" : "file",
        size,
        size,
        List.of(new ChainEntry(path, format.name())),
        properties);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BlockDevices.checkRange(this, offset, dst.remaining());
    long position = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, position);
      if (n < 0) {
        throw new EOFException(path + ": file ended at " + position + " while reading; it is "
            + "shorter than the " + size + " bytes it had when opened");
      }
      position += n;
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    long position = offset;
    while (src.hasRemaining()) {
      position += channel.write(src, position);
    }
  }

  @Override
  public void flush() throws IOException {
    if (writable) {
      channel.force(true);
    }
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    if (blockDevice || holeQueriesBroken) {
      return new Allocation(offset, size - offset, Allocation.State.DATA);
    }
    synchronized (queryLock) {
      if (queryFd == -2) {
        queryFd = closed ? -1 : NativeIo.openForQueries(path);
      }
      if (queryFd < 0) {
        return new Allocation(offset, size - offset, Allocation.State.DATA);
      }
      try {
        long data = NativeIo.seek(queryFd, offset, NativeIo.SEEK_DATA);
        if (data < 0 || data >= size) {
          return new Allocation(offset, size - offset, Allocation.State.ZERO);
        }
        if (data > offset) {
          return new Allocation(offset, data - offset, Allocation.State.ZERO);
        }
        long hole = NativeIo.seek(queryFd, offset, NativeIo.SEEK_HOLE);
        long end = hole < 0 ? size : Math.min(hole, size);
        if (end <= offset) {
          end = size;
        }
        return new Allocation(offset, end - offset, Allocation.State.DATA);
      } catch (IOException e) {
        LOG.debug("{}: hole queries failed, treating all as data", path, e);
        holeQueriesBroken = true;
        return new Allocation(offset, size - offset, Allocation.State.DATA);
      }
    }
  }

  @Override
  public String description() {
    return path.toString();
  }

  @Override
  public void close() throws IOException {
    synchronized (queryLock) {
      if (closed) {
        return;
      }
      closed = true;
      NativeIo.close(queryFd);
      queryFd = -1;
    }
    channel.close();
  }

  @Override
  public String toString() {
    return "RawDisk[" + path + ", " + size + " bytes]";
  }

}
