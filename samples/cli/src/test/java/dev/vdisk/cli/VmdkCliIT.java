package dev.vdisk.cli;

import static dev.vdisk.cli.TestImages.islands;
import static dev.vdisk.cli.TestImages.sha256;
import static dev.vdisk.cli.TestImages.vdisk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.Libvmdk;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code vdisk} commands on VMDK images, against {@code qemu-img} (convert, compare, check)
 * and libvmdk ({@code vmdkinfo} and its Python binding, which read extents without qemu's code).
 */
class VmdkCliIT {
  @TempDir Path dir;

  /** Mounts the image with libvmdk's FUSE tool and hashes the disk file it shows. */
  private String vmdkmountSha256(Path image, long size) throws Exception {
    Path vmdkmount = Oracles.require("vmdkmount", "libvmdk-utils");
    Oracles.requireRoot("vmdkmount (FUSE)");
    Path mount = Files.createDirectories(dir.resolve("vmdkmount"));
    Oracles.runOk(vmdkmount.toString(), image.toString(), mount.toString());
    try {
      Path disk = mount.resolve("vmdk1");
      assertThat(Files.size(disk)).isEqualTo(size);
      return sha256(disk, size);
    } finally {
      Oracles.runOk("fusermount", "-u", mount.toString());
    }
  }



  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse",
      "twoGbMaxExtentFlat", "streamOptimized"})
  void convertWritesImagesQemuAndLibvmdkAccept(String variant) throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path vmdkinfo = Oracles.require("vmdkinfo", "libvmdk-utils");
    Libvmdk.require();
    long size = 72L << 20;
    Path raw = islands(dir, "model.raw", size, 7L + variant.length());
    Path image = dir.resolve("out.vmdk");
    vdisk("convert", "--no-progress", raw.toString(), image.toString(), "-f", "vmdk",
        "--variant", variant);

    Oracles.Result compare = Oracles.run(qemuImg.toString(), "compare", "-f", "raw", "-F", "vmdk",
        raw.toString(), image.toString());
    assertThat(compare.exitCode()).as(compare.describe()).isZero();
    Oracles.Result check = Oracles.run(qemuImg.toString(), "check", "-f", "vmdk",
        image.toString());
    // qemu-img check has nothing to check in flat extents and says so with exit code 63.
    assertThat(check.exitCode()).as(check.describe()).isIn(0, variant.endsWith("Flat") ? 63 : 0);
    String info = Oracles.runOk(qemuImg.toString(), "info", "--output=json", image.toString());
    JsonNode qemuInfo = new ObjectMapper().readTree(info);
    assertThat(qemuInfo.get("virtual-size").asLong()).isEqualTo(size);
    assertThat(qemuInfo.at("/format-specific/data/create-type").asText()).isEqualTo(variant);

    assertThat(Oracles.runOk(vmdkinfo.toString(), image.toString())).contains(
        Long.toString(size));
    assertThat(Libvmdk.read(image).toString()).isEqualTo(size + " " + sha256(raw, size));
    if (variant.equals("streamOptimized")) {
      assertThat(vmdkmountSha256(image, size)).isEqualTo(sha256(raw, size));
    }

    CliRunner ours = CliRunner.run("check", "--json", image.toString());
    assertThat(ours.exitCode()).as(ours.out() + ours.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(CliRunner.run("info", "--json",
        image.toString()).out());
    assertThat(json.get("format").asText()).isEqualTo("vmdk");
    assertThat(json.get("variant").asText()).isEqualTo(variant);

    // Overwriting with --force replaces the whole set; deleting removes every file of it.
    vdisk("convert", "--no-progress", "--force", raw.toString(), image.toString(), "-f", "vmdk",
        "--variant", variant);
    VirtualDisks.detect(image).delete(image);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("out"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse",
      "twoGbMaxExtentFlat", "streamOptimized"})
  void convertReadsQemuMadeImagesExactlyAsQemuDoes(String subformat) throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    long size = 40L << 20;
    Path raw = islands(dir, "src.raw", size, 11L + subformat.length());
    Path image = dir.resolve("qemu.vmdk");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", "vmdk", "-o",
        "subformat=" + subformat, raw.toString(), image.toString());
    Path ours = dir.resolve("ours.raw");
    Path theirs = dir.resolve("theirs.raw");
    vdisk("convert", "--no-progress", image.toString(), ours.toString(), "-f", "raw");
    Oracles.runOk(qemuImg.toString(), "convert", "-O", "raw", image.toString(),
        theirs.toString());
    assertThat(sha256(ours, Files.size(ours))).isEqualTo(sha256(theirs, Files.size(theirs)))
        .isEqualTo(sha256(raw, size));
  }

  /** A 5 GiB image split into 2 GiB extents: three extent files, sparse on the host. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
  void readsAFiveGibibyteTwoGbMaxExtentSet(String subformat) throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path qemuIo = Oracles.require("qemu-io", "qemu-utils");
    long size = 5L << 30;
    Path image = dir.resolve("big.vmdk");
    Oracles.runOk(qemuImg.toString(), "create", "-f", "vmdk", "-o", "subformat=" + subformat,
        image.toString(), Long.toString(size));
    // Data on both sides of each 2 GiB extent boundary and at the very end.
    String[] writes = {
      "write -P 0x11 0 1M", "write -P 0x22 2047M 2M", "write -P 0x33 4095M 2M",
      "write -P 0x44 5119M 1M", "write -P 0x55 3000M 64k"};
    for (String w : writes) {
      Oracles.runOk(qemuIo.toString(), "-f", "vmdk", "-c", w, image.toString());
    }
    Path ours = dir.resolve("big-ours.raw");
    vdisk("convert", "--no-progress", image.toString(), ours.toString(), "-f", "raw");
    Oracles.Result compare = Oracles.run(qemuImg.toString(), "compare", "-f", "vmdk", "-F",
        "raw", image.toString(), ours.toString());
    assertThat(compare.exitCode()).as(compare.describe()).isZero();
    try (VirtualDisk disk = VirtualDisks.open(image)) {
      assertThat(disk.size()).isEqualTo(size);
      assertThat(disk.info().variant()).isEqualTo(subformat);
    }
  }

  @Test
  void snapshotWritesAndCommitLeaveTheParentEqualToTheChild() throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path qemuIo = Oracles.require("qemu-io", "qemu-utils");
    long size = 48L << 20;
    Path base = dir.resolve("base.vmdk");
    Oracles.runOk(qemuImg.toString(), "create", "-f", "vmdk", base.toString(),
        Long.toString(size));
    Oracles.runOk(qemuIo.toString(), "-f", "vmdk", "-c", "write -P 0xa1 0 3M", "-c",
        "write -P 0xa2 20M 5M", base.toString());

    Path child = dir.resolve("child.vmdk");
    vdisk("snapshot", base.toString(), child.toString());
    // qemu reads our delta through its parent, and writes into it.
    Oracles.runOk(qemuIo.toString(), "-f", "vmdk", "-c", "write -P 0xb1 1M 4M", child.toString());
    Random random = new Random(48);
    System.out.println("VmdkCliIT seed 48");
    try (VirtualDisk disk = VirtualDisks.open(child, OpenOptions.readWrite())) {
      assertThat(disk.info().chain()).hasSize(2);
      for (int i = 0; i < 20; i++) {
        byte[] chunk = new byte[1 + random.nextInt(150_000)];
        random.nextBytes(chunk);
        disk.write(random.nextInt((int) size - chunk.length), ByteBuffer.wrap(chunk));
      }
    }
    Path childView = dir.resolve("child-view.raw");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "vmdk", "-O", "raw", child.toString(),
        childView.toString());
    Oracles.Result childCheck = Oracles.run(qemuImg.toString(), "check", child.toString());
    assertThat(childCheck.exitCode()).as(childCheck.describe()).isZero();
    try (VirtualDisk disk = VirtualDisks.open(child)) {
      assertThat(sha256(disk)).isEqualTo(sha256(childView, size));
    }

    vdisk("commit", "--no-progress", child.toString());
    Oracles.Result compare = Oracles.run(qemuImg.toString(), "compare", "-f", "vmdk", "-F", "raw",
        base.toString(), childView.toString());
    assertThat(compare.exitCode()).as(compare.describe()).isZero();
    Oracles.Result check = Oracles.run(qemuImg.toString(), "check", base.toString());
    assertThat(check.exitCode()).as(check.describe()).isZero();

    Path second = dir.resolve("second.vmdk");
    vdisk("snapshot", base.toString(), second.toString());
    vdisk("discard", second.toString());
    assertThat(second).doesNotExist();
    assertThat(base).exists();
  }
}
