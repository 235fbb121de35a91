package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Libvmdk;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.vmdk.internal.esx.QemuMap;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamOptimized writer against real readers: qemu-img (check, compare, convert), libvmdk's
 * vmdkinfo and pyvmdk accept what it writes and read the source's bytes; its structure order
 * matches qemu's grains and VMware's trailer.
 */
class StreamOptimizedWriterIT {
  @TempDir Path dir;

  @Test
  void realToolsReadWhatWeWrite() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("vmdkinfo", "libvmdk-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    long size = 20L * 1024 * 1024 + 3 * 512;
    Path raw = dir.resolve("source.raw");
    StreamTesting.mixedRaw(raw, size, seed);
    Path ours = dir.resolve("ours.vmdk");
    copyInPieces(raw, ours, new Random(seed));

    Oracles.runOk("qemu-img", "check", "-f", "vmdk", ours.toString());
    Oracles.runOk("qemu-img", "compare", "-f", "vmdk", "-F", "raw", ours.toString(),
        raw.toString());
    String info = Oracles.runOk("qemu-img", "info", ours.toString());
    assertThat(info).contains("create type: streamOptimized").contains("compressed: true");
    String vmdkinfo = Oracles.runOk("vmdkinfo", ours.toString());
    assertThat(vmdkinfo).contains("Stream optimized").contains("(" + size + " bytes)");
    assertThat(Libvmdk.read(ours).toString()).isEqualTo(size + " " + sha256(raw));
    try (StreamOptimizedExtent extent = StreamTesting.open(ours)) {
      StreamTesting.assertSameContent(extent, raw);
      assertThat(QemuMap.assertSameMap(extent, ours)).isEqualTo(2);
    }
  }

  @Test
  void layoutMatchesQemuGrainsAndVmwareTrailer() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    long size = 40L * 1024 * 1024;
    Path raw = dir.resolve("layout.raw");
    StreamTesting.mixedRaw(raw, size, seed);
    Path ours = dir.resolve("ours.vmdk");
    copyInPieces(raw, ours, new Random(seed));
    Path qemu = dir.resolve("qemu.vmdk");
    Oracles.runOk("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o",
        "subformat=streamOptimized", raw.toString(), qemu.toString());

    StreamLayout mine = StreamLayout.walk(ours);
    StreamLayout theirs = StreamLayout.walk(qemu);
    SparseExtentHeader h = mine.header();
    SparseExtentHeader q = theirs.header();
    assertThat(h.version()).isEqualTo(3).isEqualTo(q.version());
    assertThat(h.compressAlgorithm()).isEqualTo(q.compressAlgorithm()).isEqualTo(1);
    assertThat(h.capacity()).isEqualTo(q.capacity());
    assertThat(h.grainSize()).isEqualTo(q.grainSize());
    assertThat(h.numGTEsPerGT()).isEqualTo(q.numGTEsPerGT());
    assertThat(h.descriptorOffset()).isEqualTo(q.descriptorOffset());
    assertThat(h.overHead()).isEqualTo(q.overHead());
    int common = SparseExtentHeader.FLAG_VALID_NEWLINE_TEST
        | SparseExtentHeader.FLAG_COMPRESSED_GRAINS | SparseExtentHeader.FLAG_MARKERS;
    assertThat(h.flags() & common).isEqualTo(q.flags() & common).isEqualTo(common);
    assertThat(h.hasFlag(SparseExtentHeader.FLAG_REDUNDANT_GRAIN_TABLE)).isFalse();
    assertThat(h.gdOffset()).isEqualTo(SparseExtentHeader.GD_AT_END);
    // the same grains, in the same order, from the same first offset
    assertThat(mine.grainLbas()).isNotEmpty().isEqualTo(theirs.grainLbas());
    assertThat(mine.items().get(0).offset()).isEqualTo(theirs.items().get(0).offset());
    // VMware's trailer: tables, directory, footer, end of stream, ending the file
    assertThat(mine.order().subList(0, 2)).containsExactly("grain", "GT");
    List<String> order = mine.order();
    assertThat(order.subList(order.size() - 3, order.size()))
        .containsExactly("GD", "footer", "EOS");
    assertThat(order.stream().filter(k -> k.equals("GT")).count())
        .isEqualTo(order.size() - 4);
    assertThat(mine.end()).isEqualTo(Files.size(ours));
    for (StreamLayout.Item item : mine.items()) {
      assertThat(item.offset() % 512).as("%s at %d", item.kind(), item.offset()).isZero();
    }
  }

  @Test
  void trailerMatchesOvftoolImage() throws Exception {
    // mdx1's 1 MiB disk was written by VMware's tools (descriptor names generated-stream.vmdk)
    Path vmware = StreamTesting.corpus("mdx1/ovf/000001/1mb.vmdk", dir);
    StreamLayout theirs = StreamLayout.walk(vmware);
    Path ours = dir.resolve("empty.vmdk");
    try (StreamOptimizedWriter writer = StreamTesting.create(ours, 1 << 20, 64 * 1024)) {
      writer.write(0, ByteBuffer.allocate(1 << 20));
    }
    StreamLayout mine = StreamLayout.walk(ours);
    assertThat(mine.order()).isEqualTo(theirs.order()).containsExactly("GD", "footer", "EOS");
    assertThat(mine.items().stream().map(StreamLayout.Item::value).toList())
        .isEqualTo(theirs.items().stream().map(StreamLayout.Item::value).toList());
    assertThat(mine.header().flags()).isEqualTo(theirs.header().flags());
    assertThat(mine.header().overHead()).isEqualTo(theirs.header().overHead());
    assertThat(Files.size(ours) - mine.header().overHead() * 512)
        .isEqualTo(Files.size(vmware) - theirs.header().overHead() * 512);
  }

  /**
   * As documented: after {@code flush()} the grains so far are in the file but the file is not a
   * valid VMDK yet (qemu refuses it: no footer); {@code close()} makes it one.
   */
  @Test
  void fileBecomesValidOnlyAtClose() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Path raw = dir.resolve("f.raw");
    StreamTesting.mixedRaw(raw, 4L << 20, 5);
    byte[] data = Files.readAllBytes(raw);
    Path vmdk = dir.resolve("f.vmdk");
    StreamOptimizedWriter writer = StreamTesting.create(vmdk, data.length, 64 * 1024);
    try {
      writer.write(0, ByteBuffer.wrap(data, 0, data.length / 2));
      writer.flush();
      Oracles.Result early = Oracles.run("qemu-img", "info", vmdk.toString());
      assertThat(early.exitCode()).as(early.describe()).isNotZero();
      assertThat(early.stderr()).contains("Invalid footer");
      writer.write(data.length / 2, ByteBuffer.wrap(data, data.length / 2, data.length / 2));
    } finally {
      writer.close();
    }
    Oracles.runOk("qemu-img", "compare", "-f", "vmdk", "-F", "raw", vmdk.toString(),
        raw.toString());
  }

  /** Copies {@code raw} into a new streamOptimized file in sequential pieces of random sizes. */
  static void copyInPieces(Path raw, Path vmdk, Random random) throws IOException {
    long size = Files.size(raw);
    try (StreamOptimizedWriter writer = StreamTesting.create(vmdk, size, 64 * 1024);
        FileChannel in = FileChannel.open(raw)) {
      long pos = 0;
      while (pos < size) {
        int n = (int) Math.min(size - pos, 1 + random.nextInt(300_000));
        ByteBuffer piece = ByteBuffer.allocate(n);
        in.read(piece, pos);
        piece.flip();
        writer.write(pos, piece);
        pos += n;
      }
    }
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
