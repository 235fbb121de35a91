package dev.vdisk.registry;

import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.HiveStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * A hive store that writes the whole file in place on each commit (no transaction log, not
 * crash-safe): lets tests write hives with {@link Hive#openWritable(HiveStore)} independently of
 * the logged store. Sets both sequence numbers to the next number and the checksum.
 */
final class PlainFileStore implements HiveStore {
  private final Path file;

  PlainFileStore(Path file) {
    this.file = file;
  }

  /** Creates FILE as an empty hive (as {@link Hive#create} does) and opens it for writing. */
  static Hive create(Path file, String rootName) throws IOException {
    ByteBuffer empty = dev.vdisk.registry.internal.HiveEditor.emptyHive(rootName);
    byte[] b = new byte[empty.remaining()];
    empty.get(b);
    Files.write(file, b, StandardOpenOption.CREATE_NEW);
    return Hive.openWritable(new PlainFileStore(file));
  }

  @Override
  public String name() {
    return file.toString();
  }

  @Override
  public ByteBuffer load() throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void commit(ByteBuffer baseBlock, ByteBuffer bins, BitSet dirty) throws IOException {
    ByteBuffer bb = baseBlock.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int seq = bb.getInt(4) + 1;
    bb.putInt(4, seq).putInt(8, seq);
    bb.putInt(508, BaseBlock.computeChecksum(bb));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(4096L + bins.limit());
      ByteBuffer head = bb.duplicate().clear().limit(4096);
      while (head.hasRemaining()) {
        ch.write(head, head.position());
      }
      ByteBuffer body = bins.duplicate().clear().limit(bins.limit());
      while (body.hasRemaining()) {
        ch.write(body, 4096L + body.position());
      }
      ch.force(true);
    }
  }

  @Override
  public void close() {}
}
