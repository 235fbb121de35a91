package dev.vdisk.vhd;

import static dev.vdisk.vhd.VhdTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Random write sequences against an in-memory model, for fixed, dynamic and differencing disks:
 * what is read back equals the model, before and after reopening, allocation runs tile the disk and
 * agree with the model, and the check finds nothing. Each case prints its seed.
 */
class VhdPropertyTest {
  private static final Logger LOG = LoggerFactory.getLogger(VhdPropertyTest.class);

  @TempDir Path dir;

  static Stream<Arguments> cases() {
    long base = System.currentTimeMillis();
    Stream.Builder<Arguments> cases = Stream.builder();
    String[] variants = {"fixed", "dynamic", "differencing"};
    long[] blockSizes = {512, 4096, 64 * 1024};
    for (int i = 0; i < 12; i++) {
      cases.add(Arguments.of(variants[i % 3], blockSizes[(i / 3) % 3], base + i));
    }
    // fixed seeds, so that a regression is reproducible without reading logs
    cases.add(Arguments.of("differencing", 4096L, 1L));
    cases.add(Arguments.of("dynamic", 512L, 2L));
    return cases.build();
  }

  @ParameterizedTest(name = "{0}, block size {1}, seed {2}")
  @MethodSource("cases")
  void randomWritesMatchTheModel(String variant, long blockSize, long seed) throws IOException {
    System.out.println("VhdPropertyTest seed " + seed + " (" + variant + ", " + blockSize + ")");
    LOG.info("seed {} ({}, block size {})", seed, variant, blockSize);
    Random random = new Random(seed);
    int size = 512 * (1 + random.nextInt(1200));
    byte[] model = new byte[size];
    VhdFormat format = new VhdFormat();
    Path file = dir.resolve("disk.vhd");
    VirtualDisk disk;
    byte[] parentModel = null;
    if (variant.equals("differencing")) {
      Path base = dir.resolve("base.vhd");
      try (VirtualDisk parent = format.create(base, new CreateSpec(size, null, blockSize))) {
        writeRandomly(parent, model, random, 10);
        parentModel = model.clone();
        disk = format.createChild(parent, file);
      }
    } else {
      disk = format.create(file, new CreateSpec(size, variant, blockSize));
    }
    try {
      assertThat(readAll(disk)).isEqualTo(model);
      writeRandomly(disk, model, random, 40);
      assertThat(readAll(disk)).isEqualTo(model);
      checkAllocation(disk, model, variant);
    } finally {
      disk.close();
    }
    try (VirtualDisk reopened = VirtualDisks.open(file, OpenOptions.readWrite())) {
      assertThat(readAll(reopened)).isEqualTo(model);
      writeRandomly(reopened, model, random, 10);
      assertThat(readAll(reopened)).isEqualTo(model);
      if (parentModel != null) {
        assertThat(readAll(reopened.parent().orElseThrow())).isEqualTo(parentModel);
      }
    }
    try (VirtualDisk reopened = VirtualDisks.open(file)) {
      assertThat(readAll(reopened)).isEqualTo(model);
    }
    CheckReport report = format.check(file);
    assertThat(report.problems()).as("check of seed " + seed).isEmpty();
  }

  private static void writeRandomly(VirtualDisk disk, byte[] model, Random random, int count)
      throws IOException {
    int size = model.length;
    for (int i = 0; i < count; i++) {
      int offset;
      int length;
      switch (random.nextInt(4)) {
        case 0 -> { // sector-aligned
          offset = 512 * random.nextInt(size / 512);
          length = 512 * (1 + random.nextInt(Math.min(64, (size - offset) / 512)));
        }
        case 1 -> { // tiny, unaligned
          offset = random.nextInt(size);
          length = 1 + random.nextInt(Math.min(700, size - offset));
        }
        default -> { // anything, often crossing blocks
          offset = random.nextInt(size);
          length = 1 + random.nextInt(Math.min(150_000, size - offset));
        }
      }
      byte[] data = new byte[length];
      if (random.nextInt(5) == 0) {
        // zeros too: a written zero sector must still read as written in a differencing disk
      } else {
        random.nextBytes(data);
      }
      disk.write(offset, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, offset, length);
      if (random.nextInt(8) == 0) {
        int at = random.nextInt(size);
        ByteBuffer probe = ByteBuffer.allocate(Math.min(size - at, 1 + random.nextInt(9000)));
        disk.read(at, probe);
        byte[] expected = java.util.Arrays.copyOfRange(model, at, at + probe.capacity());
        assertThat(probe.array()).isEqualTo(expected);
      }
    }
  }

  /** Runs tile the disk, never have length 0, and DATA/ZERO runs agree with the model. */
  private static void checkAllocation(VirtualDisk disk, byte[] model, String variant)
      throws IOException {
    long offset = 0;
    Allocation.State previous = null;
    while (offset < disk.size()) {
      Allocation run = disk.allocation(offset);
      assertThat(run.offset()).isEqualTo(offset);
      assertThat(run.length()).isPositive();
      assertThat(run.end()).isLessThanOrEqualTo(disk.size());
      if (variant.equals("fixed")) {
        assertThat(run.state()).isEqualTo(Allocation.State.DATA);
      } else if (variant.equals("dynamic")) {
        assertThat(run.state()).isNotEqualTo(Allocation.State.UNALLOCATED);
      } else {
        assertThat(run.state()).isNotEqualTo(Allocation.State.ZERO);
      }
      if (run.state() == Allocation.State.ZERO) {
        for (long i = run.offset(); i < run.end(); i++) {
          assertThat(model[(int) i]).isZero();
        }
      }
      assertThat(run.state()).isNotEqualTo(previous);
      previous = run.state();
      offset = run.end();
    }
  }
}
