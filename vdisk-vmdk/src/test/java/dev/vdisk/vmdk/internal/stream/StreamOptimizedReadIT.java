package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.vmdk.internal.esx.QemuMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamOptimized reader against qemu-img: images written by qemu-img and by VMware tools
 * (the corpus) read exactly as {@code qemu-img convert -O raw} reads them.
 */
class StreamOptimizedReadIT {
  private static final String SAMPLES = "qemu-sample-images/tests/qemu-iotests/sample_images/";

  @TempDir Path dir;

  @Test
  void readsWhatQemuWrites() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Path raw = dir.resolve("source.raw");
    // not a whole number of grains: the last grain is partial
    StreamTesting.mixedRaw(raw, 24L * 1024 * 1024 + 7 * 512, seed);
    Path vmdk = dir.resolve("qemu.vmdk");
    Oracles.runOk("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o",
        "subformat=streamOptimized", raw.toString(), vmdk.toString());
    Path back = dir.resolve("back.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
        back.toString());
    try (StreamOptimizedExtent extent = StreamTesting.open(vmdk)) {
      StreamTesting.assertSameContent(extent, back);
      // pieces that start and end inside grains go through the grain cache
      StreamTesting.assertSameContent(extent, raw, 100_000);
      assertAllocationCovers(extent);
      QemuMap.assertSameMap(extent, vmdk);
    }
  }

  @Test
  void rebuildsTheTablesOfAFileWithoutItsFooter() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Path raw = dir.resolve("src.raw");
    StreamTesting.mixedRaw(raw, 16L << 20, seed);
    Path vmdk = dir.resolve("whole.vmdk");
    StreamOptimizedWriterIT.copyInPieces(raw, vmdk, new java.util.Random(seed));
    Path back = dir.resolve("qemu.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
        back.toString());
    // the footer marker's sector zeroed: it now reads as the end of the stream, and the grain
    // tables must come from the grain markers
    Path damaged = dir.resolve("nofooter.vmdk");
    Files.copy(vmdk, damaged);
    try (FileChannel ch = FileChannel.open(damaged, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(512), ch.size() - 1536);
    }
    assertThat(Oracles.run("qemu-img", "info", damaged.toString()).exitCode()).isNotZero();
    try (StreamOptimizedExtent extent = StreamTesting.open(damaged)) {
      StreamTesting.assertSameContent(extent, back);
      StreamTesting.assertSameContent(extent, raw, 100_000);
    }
  }

  @Test
  void readsVmwareFooterImages() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    for (String name : new String[] {"mdx1/ovf/000001/1mb.vmdk",
        "mdx1/ovf/00_000_essential_none_00_00/64KiB.vmdk",
        "go-vmdk-parser/pkg/virtualization/vmdk/testdata/vmdk-streamoptimized.img"}) {
      Path vmdk = StreamTesting.corpus(name, dir);
      Path raw = dir.resolve(vmdk.getFileName() + ".raw");
      Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
          raw.toString());
      try (StreamOptimizedExtent extent = StreamTesting.open(vmdk)) {
        StreamTesting.assertSameContent(extent, raw);
        assertAllocationCovers(extent);
        QemuMap.assertSameMap(extent, vmdk);
        // VMware's markers are all where check expects them
        dev.vdisk.core.CheckReport.Builder report =
            new dev.vdisk.core.CheckReport.Builder(vmdk, "vmdk", 10);
        extent.check(report);
        assertThat(report.build().problems()).as(name).isEmpty();
      }
    }
  }

  @Test
  void readsQemuVersion3Sample() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Path vmdk = StreamTesting.corpus(SAMPLES + "iotest-version3.vmdk.bz2", dir);
    Path raw = dir.resolve("version3.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
        raw.toString());
    try (StreamOptimizedExtent extent = StreamTesting.open(vmdk);
        FileChannel theirs = FileChannel.open(raw)) {
      assertThat(extent.size()).isEqualTo(16L << 30).isEqualTo(Files.size(raw));
      // the corpus README: the 512 bytes at i*655360 + i*512 all equal 0x30 + i%10
      for (int i = 0; i < 100; i++) {
        ByteBuffer sector = ByteBuffer.allocate(512);
        extent.read(i * 655360L + i * 512L, sector);
        for (byte b : sector.array()) {
          assertThat(b).as("sector %d", i).isEqualTo((byte) (0x30 + i % 10));
        }
      }
      // every stored run reads as qemu reads it; the rest is zeros for both
      long offset = 0;
      int runs = 0;
      while (offset < extent.size()) {
        Allocation run = extent.allocation(offset);
        if (run.state() == Allocation.State.DATA) {
          runs++;
          ByteBuffer ours = ByteBuffer.allocate((int) run.length());
          ByteBuffer expected = ByteBuffer.allocate((int) run.length());
          extent.read(run.offset(), ours);
          theirs.read(expected, run.offset());
          assertThat(ours.array()).as("run at %d", run.offset()).isEqualTo(expected.array());
        }
        offset = run.end();
      }
      assertThat(runs).isPositive();
    }
  }

  @Test
  void refusesTruncatedOvftoolImageLikeQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    // the corpus copy of govmomi's ttylinux disk is cut at 1 MiB: no footer
    Path vmdk = StreamTesting.corpus(
        "govmomi/vapi/library/testdata/ttylinux-pc_i486-16.1-disk1.vmdk", dir);
    Oracles.Result qemu = Oracles.run("qemu-img", "info", vmdk.toString());
    assertThat(qemu.exitCode()).isNotZero();
    assertThatThrownBy(() -> StreamTesting.open(vmdk).close())
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("footer")
        .hasMessageContaining(vmdk.toString());
  }

  static void assertAllocationCovers(StreamOptimizedExtent extent) throws IOException {
    long offset = 0;
    while (offset < extent.size()) {
      Allocation run = extent.allocation(offset);
      assertThat(run.offset()).isEqualTo(offset);
      assertThat(run.end()).isLessThanOrEqualTo(extent.size());
      if (run.state() != Allocation.State.DATA) {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(run.length(), 1 << 20));
        extent.read(offset, zeros);
        assertThat(zeros.array()).containsOnly(0);
      }
      offset = run.end();
    }
  }
}
