package dev.vdisk.vmdk.internal;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.util.ChannelIo;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A ZERO extent: no file, reads as zeros.
 *
 * @param file the descriptor, for messages
 * @param size the size in bytes
 */
public record ZeroExtent(Path file, long size) implements Extent {
  @Override
  public Allocation allocation(long offset) {
    return new Allocation(offset, size - offset, Allocation.State.ZERO);
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    ChannelIo.fillZero(dst);
  }

  @Override
  public void close() {}
}
