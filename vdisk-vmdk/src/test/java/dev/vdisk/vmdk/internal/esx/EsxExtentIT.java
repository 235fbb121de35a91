package dev.vdisk.vmdk.internal.esx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.testdata.Libvmdk;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.vmdk.internal.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
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
 * them (and, for COWD, as libvmdk's pyvmdk reads them) (content through {@code qemu-img convert -O raw}, allocation through {@code qemu-img map}),
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
    // libvmdk reads COWD too (not seSparse): a second, independent reader
    assertThat(Libvmdk.read(descriptor).toString()).isEqualTo(size + " "
        + HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(qemu)));
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

  static void assertSameMap(Extent extent, Path descriptor) throws IOException {
    assertThat(QemuMap.assertSameMap(extent, descriptor))
        .as("qemu map shows both data and holes").isGreaterThan(1);
  }
}
