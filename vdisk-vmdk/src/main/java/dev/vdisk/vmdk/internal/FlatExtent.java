package dev.vdisk.vmdk.internal;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.internal.NativeIo;
import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A FLAT or VMFS extent: the data lies in a plain file from a sector offset. Bytes beyond the end
 * of a short file read as zeros (as qemu reads them).
 */
public final class FlatExtent extends FileExtent {
  private final FileChannel channel;
  private final long base;
  private final boolean writable;
  private final Object queryLock = new Object();
  private int queryFd = -2;
  private boolean closed;

  /**
   * Creates the extent.
   *
   * @param file the data file
   * @param channel its open channel (owned by the caller)
   * @param baseOffset the byte offset of the extent's first byte in the file
   * @param size the extent's size in bytes
   * @param writable whether writes are allowed
   */
  public FlatExtent(Path file, FileChannel channel, long baseOffset, long size, boolean writable) {
    super(file, size);
    this.channel = channel;
    this.base = baseOffset;
    this.writable = writable;
  }

  /**
   * DATA, or ZERO for a hole of a sparse data file (found with {@code SEEK_DATA}/{@code
   * SEEK_HOLE} where the platform has them) and for the part past the end of a short file.
   */
  @Override
  public Allocation allocation(long offset) throws IOException {
    long fileSize = channel.size();
    long at = base + offset;
    if (at >= fileSize) {
      return new Allocation(offset, size - offset, Allocation.State.ZERO);
    }
    synchronized (queryLock) {
      if (queryFd == -2) {
        queryFd = closed || !NativeIo.isAvailable() ? -1 : NativeIo.openForQueries(file);
      }
      if (queryFd >= 0) {
        try {
          long data = NativeIo.seek(queryFd, at, NativeIo.SEEK_DATA);
          if (data < 0 || data >= fileSize) {
            return new Allocation(offset, size - offset, Allocation.State.ZERO);
          }
          if (data > at) {
            return new Allocation(offset, Math.min(size, data - base) - offset,
                Allocation.State.ZERO);
          }
          long hole = NativeIo.seek(queryFd, at, NativeIo.SEEK_HOLE);
          long end = hole <= at ? fileSize : Math.min(hole, fileSize);
          return new Allocation(offset, Math.min(size, end - base) - offset,
              Allocation.State.DATA);
        } catch (IOException e) {
          NativeIo.close(queryFd);
          queryFd = -1;
        }
      }
    }
    return new Allocation(offset, Math.min(size, fileSize - base) - offset,
        Allocation.State.DATA);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    ChannelIo.readZeroPadded(channel, base + offset, dst);
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    ChannelIo.writeFully(channel, base + offset, src);
  }

  @Override
  public void flush() throws IOException {
    channel.force(false);
  }

  @Override
  public void check(CheckReport.Builder report) throws IOException {
    long have = channel.size();
    if (have < base + size) {
      report.add(CheckReport.Severity.WARNING, have, "flat extent " + file.getFileName(),
          "file is " + have + " bytes, shorter than the extent's end " + (base + size)
              + "; the rest reads as zeros");
    }
  }

  @Override
  public void close() {
    synchronized (queryLock) {
      closed = true;
      if (queryFd >= 0) {
        NativeIo.close(queryFd);
      }
      queryFd = -1;
    }
  }
}
