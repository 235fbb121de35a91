package dev.vdisk.testdata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/** Raw disk images made at test time, as sources and models for the oracle tests. */
public final class RawImages {
  private static final int MIB = 1 << 20;

  private RawImages() {}

  /**
   * Writes a new sparse raw file of {@code size} bytes with {@code count} seeded random data
   * islands (1 byte to 3 MiB each, at random offsets) between holes; prints the seed.
   *
   * @param raw the file to create (must not exist)
   * @param size its size
   * @param seed the seed
   * @param count how many islands
   * @return {@code raw}
   * @throws IOException on a write error
   */
  public static Path islands(Path raw, long size, long seed, int count) throws IOException {
    System.out.println("islands seed " + seed);
    Random random = new Random(seed);
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), size - 1);
      for (int i = 0; i < count; i++) {
        int length = 1 + random.nextInt(3 * MIB);
        long at = (long) (random.nextDouble() * (size - length));
        byte[] data = new byte[length];
        random.nextBytes(data);
        ch.write(ByteBuffer.wrap(data), at);
      }
    }
    return raw;
  }
}
