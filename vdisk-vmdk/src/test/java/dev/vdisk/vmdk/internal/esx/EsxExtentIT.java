package dev.vdisk.vmdk.internal.esx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.vmdk.internal.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * COWD (vmfsSparse) and seSparse extents built by {@link EsxImages} read exactly as qemu-img reads
 * them (content through {@code qemu-img convert -O raw}, allocation through {@code qemu-img map}),
 * and a seSparse image with a journal to replay is refused by both.
 */
class EsxExtentIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {8, 128})
  void cowdReadsAsQemu(int grainSectors) throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed + " grainSectors " + grainSectors);
    Random random = new Random(seed);
    int size = (grainSectors == 8 ? 40 << 20 : 12 << 20) + 512 * (1 + random.nextInt(7));
    byte[] data = EsxImages.content(size, grainSectors * 512, random);
    Path descriptor = EsxImages.cowd(dir, "cowd", data, grainSectors, random);
    Path extentFile = EsxImages.extentOf(descriptor, "-delta.vmdk");
    byte[] qemu = qemuRaw(descriptor);
    assertThat(qemu).isEqualTo(data);
    try (FileChannel channel = FileChannel.open(extentFile);
        CowdExtent extent = CowdExtent.open(extentFile, channel)) {
      assertThat(extent.size()).isEqualTo(size);
      assertThat(readAll(extent)).isEqualTo(qemu);
      assertSameMap(extent, descriptor);
    }
  }

  @Test
  void seSparseReadsAsQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Random random = new Random(seed);
    int size = (20 << 20) + 512 * random.nextInt(8);
    byte[] data = EsxImages.content(size, 4096, random);
    Path descriptor = EsxImages.seSparse(dir, "se", data, random, new EsxImages.SeOptions(false));
    Path extentFile = EsxImages.extentOf(descriptor, "-sesparse.vmdk");
    byte[] qemu = qemuRaw(descriptor);
    assertThat(qemu).isEqualTo(data);
    try (FileChannel channel = FileChannel.open(extentFile);
        SeSparseExtent extent = SeSparseExtent.open(extentFile, channel)) {
      assertThat(extent.size()).isEqualTo(size);
      assertThat(readAll(extent)).isEqualTo(qemu);
      assertSameMap(extent, descriptor);
    }
  }

  @Test
  void seSparseWithJournalToReplayIsRefusedLikeQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Random random = new Random(7);
    byte[] data = EsxImages.content(1 << 20, 4096, random);
    Path descriptor = EsxImages.seSparse(dir, "dirty", data, random, new EsxImages.SeOptions(true));
    Path extentFile = EsxImages.extentOf(descriptor, "-sesparse.vmdk");
    Oracles.Result qemu = Oracles.run("qemu-img", "info", descriptor.toString());
    assertThat(qemu.exitCode()).isNotZero();
    assertThat(qemu.stderr()).containsIgnoringCase("journal");
    try (FileChannel channel = FileChannel.open(extentFile)) {
      assertThatThrownBy(() -> SeSparseExtent.open(extentFile, channel))
          .isInstanceOf(UnsupportedFeatureException.class)
          .hasMessageContaining(extentFile.toString())
          .hasMessageContaining("volatile header")
          .hasMessageContaining("journal");
    }
  }

  private byte[] qemuRaw(Path descriptor) throws IOException {
    Path raw = dir.resolve(descriptor.getFileName() + ".raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", descriptor.toString(),
        raw.toString());
    return Files.readAllBytes(raw);
  }

  static byte[] readAll(Extent extent) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) extent.size());
    // odd-sized pieces cross grain and table boundaries
    long pos = 0;
    while (pos < extent.size()) {
      int n = (int) Math.min(extent.size() - pos, 100_000);
      extent.read(pos, all.slice((int) pos, n));
      pos += n;
    }
    return all.array();
  }

  private static final Pattern MAP = Pattern.compile(
      "\\{ *\"start\": *(\\d+), *\"length\": *(\\d+), *\"depth\": *\\d+,"
          + "(?: *\"present\": *(true|false),)? *\"zero\": *(true|false), *\"data\": *(true|false)");

  /** Our allocation runs agree with qemu-img map: data where qemu has data, else zeros. */
  static void assertSameMap(Extent extent, Path descriptor) throws IOException {
    String json = Oracles.runOk("qemu-img", "map", "--output=json", "-f", "vmdk",
        descriptor.toString());
    Matcher m = MAP.matcher(json);
    List<long[]> qemu = new ArrayList<>();
    while (m.find()) {
      long state = Boolean.parseBoolean(m.group(5)) ? 0
          : m.group(3) == null || Boolean.parseBoolean(m.group(3)) ? 1 : 2;
      qemu.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), state});
    }
    assertThat(qemu).as(json).isNotEmpty();
    assertThat(qemu.stream().mapToLong(r -> r[2]).distinct().count())
        .as("qemu map shows data and holes: %s", json).isGreaterThan(1);
    byte[] ours = new byte[(int) (extent.size() / 512)];
    for (long pos = 0; pos < extent.size(); ) {
      Allocation run = extent.allocation(pos);
      byte s = (byte) switch (run.state()) {
        case DATA -> 0;
        case ZERO -> 1;
        case UNALLOCATED -> 2;
      };
      Arrays.fill(ours, (int) (run.offset() / 512), (int) (run.end() / 512), s);
      pos = run.end();
    }
    for (long[] run : qemu) {
      for (long sector = run[0] / 512; sector < (run[0] + run[1]) / 512; sector++) {
        byte s = ours[(int) sector];
        if (run[2] == 0) {
          assertThat(s).as("sector %d: qemu says data", sector).isEqualTo((byte) 0);
        } else if (run[2] == 1) {
          assertThat(s).as("sector %d: qemu says present zeros", sector).isEqualTo((byte) 1);
        } else {
          assertThat(s).as("sector %d: qemu says not present", sector).isEqualTo((byte) 2);
        }
      }
    }
  }
}
