package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random writes against an in-memory model, for every writable variant and several grain
 * sizes, with a delta child on top for half the runs; reopened and compared after each round.
 */
class VmdkPropertyTest {
  @TempDir Path dir;

  static Stream<Arguments> cases() {
    long base = Long.getLong("vmdk.seed", System.nanoTime());
    Stream.Builder<Arguments> b = Stream.builder();
    int i = 0;
    for (String variant : new String[] {"monolithicSparse", "twoGbMaxExtentSparse",
        "monolithicFlat", "twoGbMaxExtentFlat"}) {
      for (long grain : new long[] {4096, 65536, 1 << 20}) {
        if (variant.endsWith("Flat") && grain != 65536) {
          continue;
        }
        for (boolean delta : new boolean[] {false, true}) {
          b.add(Arguments.of(variant, grain, delta, base + i++));
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} grain {1} delta {2} seed {3}")
  @MethodSource("cases")
  void matchesModel(String variant, long grain, boolean delta, long seed) throws Exception {
    System.out.println("VmdkPropertyTest " + variant + " " + grain + " " + delta + " seed " + seed);
    Random random = new Random(seed);
    VmdkFormat format = new VmdkFormat();
    int size = (int) ((3L << 20) + 512L * random.nextInt(4096));
    byte[] model = new byte[size];
    Path base = dir.resolve("base.vmdk");
    Path top = base;
    try (VmdkDisk disk = format.create(base, new CreateSpec(size, variant, grain))) {
      writeRandomly(random, disk, model, 10);
    }
    if (delta) {
      top = dir.resolve("child.vmdk");
      try (VmdkDisk p = format.open(base, OpenOptions.readOnly());
          VmdkDisk c = format.createChild(p, top)) {
        assertThat(contents(c)).isEqualTo(model);
      }
    }
    for (int round = 0; round < 3; round++) {
      try (VmdkDisk disk = format.open(top, OpenOptions.readWrite())) {
        writeRandomly(random, disk, model, 15);
        assertThat(contents(disk)).isEqualTo(model);
      }
      try (VmdkDisk disk = format.open(top, OpenOptions.readOnly())) {
        assertThat(contents(disk)).isEqualTo(model);
        assertAllocationCoversDisk(disk);
      }
      assertThat(format.check(top).problems()).isEmpty();
    }
  }

  /**
   * A seed the random runs failed with: a delta over a disk whose last 1 MiB grain is partial got
   * zeros instead of the parent's bytes after a write that ended inside a grain the delta did not
   * hold yet (the grain checked was the one before the extent's unaligned end).
   */
  @org.junit.jupiter.api.Test
  void regressionPartialLastGrainOfADelta() throws Exception {
    matchesModel("monolithicSparse", 1 << 20, true, 17283399336830L);
  }

  private static void writeRandomly(Random random, VirtualDisk disk, byte[] model, int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextBoolean() ? 2048 : 400_000);
      int at = random.nextInt(model.length - length + 1);
      if (random.nextInt(3) == 0) {
        at = at / 4096 * 4096;
        length = Math.min(length, model.length - at);
      }
      byte[] data = new byte[length];
      int kind = random.nextInt(4);
      if (kind == 0) {
        Arrays.fill(data, (byte) 0);
      } else if (kind == 1) {
        Arrays.fill(data, (byte) (1 + random.nextInt(255)));
      } else {
        random.nextBytes(data);
      }
      disk.write(at, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, at, length);
      if (random.nextInt(5) == 0) {
        disk.flush();
      }
    }
  }

  private static byte[] contents(VirtualDisk disk) throws Exception {
    ByteBuffer b = ByteBuffer.allocate((int) disk.size());
    // read in odd-sized pieces to cross grain and extent boundaries
    Random r = new Random(1);
    while (b.hasRemaining()) {
      int n = Math.min(b.remaining(), 1 + r.nextInt(300_000));
      disk.read(b.position(), b.slice(b.position(), n));
      b.position(b.position() + n);
    }
    return b.array();
  }

  private static void assertAllocationCoversDisk(VirtualDisk disk) throws Exception {
    long pos = 0;
    int guard = 0;
    while (pos < disk.size()) {
      Allocation a = disk.allocation(pos);
      assertThat(a.offset()).isEqualTo(pos);
      assertThat(a.length()).isPositive();
      pos = a.end();
      assertThat(++guard).isLessThan(1_000_000);
    }
    assertThat(pos).isEqualTo(disk.size());
  }
}
