package dev.vdisk.vmdk.internal;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A FLAT or VMFS extent: the data lies in a plain file from a sector offset. Bytes beyond the end
 * of a short file read as zeros (as qemu reads them).
 */
public final class FlatExtent implements Extent {
  private final Path file;
  private final FileChannel channel;
  private final long base;
  private final long size;
  private final boolean writable;

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
    this.file = file;
    this.channel = channel;
    this.base = baseOffset;
    this.size = size;
    this.writable = writable;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Allocation allocation(long offset) {
    return new Allocation(offset, size - offset, Allocation.State.DATA);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    FileIo.readZeroPadded(channel, base + offset, dst);
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    FileIo.writeFully(channel, base + offset, src);
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
  public void close() {}
}
