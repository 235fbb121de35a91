package dev.vdisk.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random write sequences (seeds printed) against an in-memory model for fixed, dynamic and
 * differencing disks: equal while open, after reopening, and after a read-back of random ranges.
 */
class VhdxPropertyTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  private static void check(VirtualDisk disk, byte[] model, Random random) throws Exception {
    byte[] all = new byte[model.length];
    disk.read(0, ByteBuffer.wrap(all));
    assertThat(all).isEqualTo(model);
    for (int i = 0; i < 20; i++) {
      int length = 1 + random.nextInt(200_000);
      int at = random.nextInt(model.length - length + 1);
      ByteBuffer b = ByteBuffer.allocate(length);
      disk.read(at, b);
      assertThat(java.util.Arrays.equals(b.array(), 0, length, model, at, at + length)).isTrue();
    }
  }

  private static void writes(VirtualDisk disk, byte[] model, Random random, int count)
      throws Exception {
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextBoolean() ? 1500 : 2_500_000);
      int at = random.nextInt(model.length - length + 1);
      byte[] data = new byte[length];
      if (random.nextInt(5) > 0) {
        random.nextBytes(data);
      }
      disk.write(at, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, at, length);
    }
  }

  @ParameterizedTest
  @CsvSource({"fixed,1", "fixed,2", "dynamic,1", "dynamic,2", "dynamic,3", "differencing,1",
      "differencing,2", "differencing,3"})
  void randomWritesMatchTheModel(String variant, long seedPart) throws Exception {
    long seed = variant.hashCode() * 31L + seedPart;
    System.out.println(variant + " seed " + seed);
    Random random = new Random(seed);
    long size = (12 + random.nextInt(8)) * MIB + 512L * random.nextInt(2048);
    byte[] model = new byte[(int) size];
    VhdxFormat format = new VhdxFormat();
    Path path = dir.resolve("p.vhdx");
    Path base = dir.resolve("base.vhdx");
    long blockSize = random.nextBoolean() ? MIB : 2 * MIB;
    if (variant.equals("differencing")) {
      try (VhdxDisk parent = format.create(base, new CreateSpec(size, "dynamic", blockSize))) {
        writes(parent, model, random, 8);
      }
      try (VhdxDisk parent = format.open(base, OpenOptions.readOnly());
          VhdxDisk disk = format.createChild(parent, path)) {
        check(disk, model, random);
        writes(disk, model, random, 25);
        check(disk, model, random);
      }
    } else {
      try (VhdxDisk disk = format.create(path, new CreateSpec(size, variant, blockSize))) {
        writes(disk, model, random, 25);
        check(disk, model, random);
      }
    }
    try (VhdxDisk disk = format.open(path, OpenOptions.readWrite())) {
      check(disk, model, random);
      writes(disk, model, random, 5);
    }
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      check(disk, model, random);
    }
    assertThat(format.check(path).isClean()).as(format.check(path).toString()).isTrue();
  }
}
