package dev.vdisk.vmdk.internal.esx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * vmfsSparse and seSparse descriptors opened through {@link VirtualDisks#open}: the disk reads
 * what {@code qemu-img convert -O raw} reads from the same descriptor.
 */
class EsxDiskIT {
  @TempDir Path dir;

  @Test
  void vmfsSparseDiskReadsAsQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Random random = new Random(seed);
    byte[] data = EsxImages.content((6 << 20) + 1024, 4096, random);
    Path descriptor = EsxImages.cowd(dir, "vm", data, 8, random);
    assertReadsAsQemu(descriptor, "vmfsSparse");
  }

  @Test
  void seSparseDiskReadsAsQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Random random = new Random(seed);
    byte[] data = EsxImages.content((6 << 20) + 1536, 4096, random);
    Path descriptor = EsxImages.seSparse(dir, "se", data, random,
        new EsxImages.SeOptions(false));
    assertReadsAsQemu(descriptor, "seSparse");
  }

  /**
   * A delta over a flat base: grains the delta does not store come from the base, seSparse's
   * unmapped and zeroed grains read as zeros, stored grains as stored; as qemu reads the chain.
   */
  @ParameterizedTest
  @ValueSource(strings = {"seSparse", "vmfsSparse"})
  void deltaOverFlatBaseReadsAsQemu(String type) throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed + " " + type);
    Random random = new Random(seed);
    int size = (4 << 20) + 512 * random.nextInt(8);
    byte[] base = new byte[size];
    random.nextBytes(base);
    Files.write(dir.resolve("base-flat.vmdk"), base);
    Files.writeString(dir.resolve("base.vmdk"), "# Disk DescriptorFile\nversion=1\n"
        + "CID=0badcafe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\n# Extent description\n"
        + "RW " + size / 512 + " VMFS \"base-flat.vmdk\"\n\n# The Disk Data Base\n#DDB\n\n"
        + "ddb.adapterType = \"lsilogic\"\n");
    byte[] data = EsxImages.content(size, 4096, random);
    Path child = type.equals("seSparse")
        ? EsxImages.seSparse(dir, "child", data, random, new EsxImages.SeOptions(false))
        : EsxImages.cowd(dir, "child", data, 8, random);
    String text = Files.readString(child).replace("parentCID=ffffffff",
        "parentCID=0badcafe\nparentFileNameHint=\"base.vmdk\"");
    Files.writeString(child, text);
    Path raw = dir.resolve("chain.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", child.toString(),
        raw.toString());
    byte[] expected = Files.readAllBytes(raw);
    // not vacuous: the chain shows both base bytes and delta bytes
    assertThat(expected).isNotEqualTo(base).isNotEqualTo(data);
    try (VirtualDisk disk = VirtualDisks.open(child)) {
      assertThat(disk.info().chain()).hasSize(2);
      ByteBuffer all = ByteBuffer.allocate(size);
      disk.read(0, all);
      assertThat(all.array()).isEqualTo(expected);
    }
  }

  @Test
  void dirtySeSparseDiskIsRefusedLikeQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Random random = new Random(3);
    Path descriptor = EsxImages.seSparse(dir, "dirty",
        EsxImages.content(1 << 20, 4096, random), random, new EsxImages.SeOptions(true));
    assertThat(Oracles.run("qemu-img", "info", descriptor.toString()).exitCode()).isNotZero();
    assertThatThrownBy(() -> VirtualDisks.open(descriptor).close())
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("journal");
  }

  private void assertReadsAsQemu(Path descriptor, String variant) throws Exception {
    Path raw = dir.resolve(descriptor.getFileName() + ".raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", descriptor.toString(),
        raw.toString());
    byte[] expected = Files.readAllBytes(raw);
    try (VirtualDisk disk = VirtualDisks.open(descriptor)) {
      assertThat(disk.info().variant()).isEqualTo(variant);
      assertThat(disk.size()).isEqualTo(expected.length);
      ByteBuffer all = ByteBuffer.allocate(expected.length);
      disk.read(0, all);
      assertThat(all.array()).isEqualTo(expected);
    }
  }
}
