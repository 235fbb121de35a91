package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random property: random sparse content (random capacity, grain size, data runs placed
 * anywhere, including across grain edges and at the very end), written sequentially in random
 * piece sizes, makes a file that {@code qemu-img compare} finds identical to the raw source and
 * {@code qemu-img check} finds clean. Each case prints its seed.
 */
class StreamOptimizedWriterPropertyIT {
  @TempDir Path dir;

  static LongStream seeds() {
    long base = System.nanoTime();
    return LongStream.range(0, 8).map(i -> base + i * 0x9E3779B97F4A7C15L);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomSparseContentRoundTripsThroughQemu(long seed) throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    System.out.println("seed " + seed);
    Random random = new Random(seed);
    long grain = 4096L << random.nextInt(6);
    long capacity = 512L * (1 + random.nextInt(40_000));
    byte[] content = new byte[(int) capacity];
    int runs = random.nextInt(30);
    for (int r = 0; r < runs; r++) {
      int at = random.nextInt(content.length);
      int length = Math.min(content.length - at, 1 + random.nextInt(200_000));
      if (random.nextBoolean()) {
        byte[] noise = new byte[length];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, content, at, length);
      } else {
        java.util.Arrays.fill(content, at, at + length, (byte) (1 + random.nextInt(255)));
      }
    }
    if (random.nextBoolean()) {
      content[content.length - 1] = 42;
    }
    Path raw = dir.resolve("src.raw");
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap(content));
    }
    Path vmdk = dir.resolve("out.vmdk");
    try (StreamOptimizedWriter writer = StreamTesting.create(vmdk, capacity, grain)) {
      long pos = random.nextInt(3) == 0 ? random.nextInt((int) capacity) / 512 * 512 : 0;
      // a random prefix left unwritten reads as zeros: only when the content is zero there
      for (int i = 0; i < pos; i++) {
        if (content[i] != 0) {
          pos = 0;
          break;
        }
      }
      while (pos < capacity) {
        int n = (int) Math.min(capacity - pos, 1 + random.nextInt(3 * (int) grain));
        writer.write(pos, ByteBuffer.wrap(content, (int) pos, n));
        pos += n;
      }
    }
    Oracles.Result compare = Oracles.run("qemu-img", "compare", "-f", "vmdk", "-F", "raw",
        vmdk.toString(), raw.toString());
    assertThat(compare.exitCode()).as("seed %d grain %d capacity %d: %s", seed, grain, capacity,
        compare.describe()).isZero();
    Oracles.runOk("qemu-img", "check", "-f", "vmdk", vmdk.toString());
  }
}
