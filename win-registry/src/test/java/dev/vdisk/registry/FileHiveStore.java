package dev.vdisk.registry;

import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.HiveStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * A test store without a transaction log: a commit writes the base block with the primary
 * sequence number raised, then the dirty sectors in place, then the base block with both
 * sequence numbers equal (the way Windows flushes a hive without logs). Not crash-safe; the
 * real store is {@code LoggedHiveStore}.
 */
final class FileHiveStore implements HiveStore {
  private final Path path;
  private final FileChannel channel;

  FileHiveStore(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public ByteBuffer load() throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) channel.size()).order(ByteOrder.LITTLE_ENDIAN);
    while (all.hasRemaining() && channel.read(all, all.position()) >= 0) {
      // read fully
    }
    all.flip();
    int size = all.getInt(40);
    return all.limit(Math.min(all.limit(), BaseBlock.SIZE + size));
  }

  @Override
  public void commit(ByteBuffer baseBlock, ByteBuffer bins, BitSet dirty) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(BaseBlock.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    channel.read(head, 0);
    int sequence = head.getInt(4);
    ByteBuffer bb = baseBlock.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(4, sequence + 1).putInt(8, sequence);
    bb.putInt(508, BaseBlock.computeChecksum(bb));
    write(bb.duplicate().position(0).limit(BaseBlock.SIZE), 0);
    channel.force(false);
    for (int i = dirty.nextSetBit(0); i >= 0; i = dirty.nextSetBit(i + 1)) {
      int from = i * SECTOR;
      if (from >= bins.limit()) {
        break;
      }
      write(bins.duplicate().position(from).limit(Math.min(bins.limit(), from + SECTOR)),
          BaseBlock.SIZE + (long) from);
    }
    channel.force(false);
    bb.putInt(8, sequence + 1);
    bb.putInt(508, BaseBlock.computeChecksum(bb));
    write(bb.duplicate().position(0).limit(BaseBlock.SIZE), 0);
    channel.force(false);
  }

  private void write(ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += channel.write(b, pos);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
