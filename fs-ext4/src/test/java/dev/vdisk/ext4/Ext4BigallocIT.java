package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bigalloc rules, step by step, checked with debugfs and e2fsck: a file's logical cluster
 * lives in one physical cluster at the same offset ({@code lblk % ratio == pblk % ratio}),
 * blocks written later into a cluster the file already has use the rest of it (no new
 * allocation), {@code i_blocks} counts whole clusters, truncation keeps a cluster of which
 * blocks stay mapped and frees the others, and the free counts equal what dumpe2fs prints.
 */
class Ext4BigallocIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "1k-blocks-4k-clusters,'-t ext4 -b 1024 -O bigalloc -C 4096',1024,4",
      "4k-blocks-64k-clusters,'-t ext4 -b 4096 -O bigalloc -C 65536',4096,16",
      "4k-blocks-16k-clusters-no-csum,'-t ext4 -b 4096 -O bigalloc,^metadata_csum -C 16384',"
          + "4096,4",
  })
  void clustersAreSharedWithinAFileAndFreedWhole(String name, String options, int bs, int ratio)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.require("dumpe2fs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "64M");
    long clusterSectors = (long) ratio * bs / 512;
    long freeAtStart = field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks");
    byte[] one = new byte[bs];
    java.util.Arrays.fill(one, (byte) 0x5A);
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      Node f = v.create(v.root(), "f", NodeType.REGULAR_FILE, 0644);
      // logical block 1 first: it lands at offset 1 of a fresh cluster
      v.write(f, bs, ByteBuffer.wrap(one));
      v.flush();
    }
    long p1 = bmap(image, 1);
    assertThat(p1 % ratio).as("pblk %% ratio of logical 1").isEqualTo(1);
    assertThat(blockcount(image)).isEqualTo(clusterSectors);
    assertClean(image, name);
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      Node f = v.lookup(v.root(), "f").orElseThrow();
      // logical block 0 and 3: the same cluster, no new allocation
      v.write(f, 0, ByteBuffer.wrap(one));
      v.write(f, 3L * bs, ByteBuffer.wrap(one));
      // logical blocks ratio+2 .. 2*ratio+1: two more clusters
      v.write(f, (ratio + 2L) * bs, ByteBuffer.wrap(new byte[ratio * bs]));
      v.flush();
    }
    assertThat(bmap(image, 0)).isEqualTo(p1 - 1);
    assertThat(bmap(image, 3)).isEqualTo(p1 + 2);
    long p2 = bmap(image, ratio + 2);
    assertThat(p2 % ratio).isEqualTo(2);
    assertThat(bmap(image, 2L * ratio + 1) % ratio).isEqualTo(1);
    assertThat(blockcount(image)).isEqualTo(3 * clusterSectors);
    assertClean(image, name);
    long freeWritten = field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks");
    assertThat(freeAtStart - freeWritten).as("three clusters taken").isEqualTo(3L * ratio);
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      Node f = v.lookup(v.root(), "f").orElseThrow();
      // keep logical ratio+2 only: its cluster stays, the last one goes
      v.truncate(f, (ratio + 3L) * bs);
      v.flush();
      assertThat(v.freeSpace()).isEqualTo((freeWritten + ratio) * bs);
    }
    assertThat(bmap(image, ratio + 2)).isEqualTo(p2);
    assertThat(blockcount(image)).isEqualTo(2 * clusterSectors);
    assertClean(image, name);
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      Node f = v.lookup(v.root(), "f").orElseThrow();
      // a hole in the kept cluster filled later: the same cluster again
      v.write(f, (ratio + 1L) * bs, ByteBuffer.wrap(one));
      v.flush();
    }
    assertThat(bmap(image, ratio + 1)).isEqualTo(p2 - 1);
    assertThat(blockcount(image)).isEqualTo(2 * clusterSectors);
    assertClean(image, name);
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      v.unlink(v.root(), "f");
      v.flush();
    }
    assertClean(image, name);
    assertThat(field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks"))
        .as("everything the file took is free again").isEqualTo(freeAtStart);
  }

  /**
   * A file larger than one extent (32768 blocks) and than a block group, written at an
   * unaligned offset in one call, read back by debugfs; truncated at an unaligned size and
   * removed, with the free counts equal to dumpe2fs after each step.
   */
  @org.junit.jupiter.api.Test
  void aLargeFileCrossesExtentAndGroupLimits() throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.require("dumpe2fs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, "large",
        "-t ext4 -b 1024 -O bigalloc -C 16384", "160M");
    long freeAtStart = field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks");
    byte[] data = new byte[40 << 20];
    new java.util.Random(6).nextBytes(data);
    long offset = 3000;
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      Node f = v.create(v.root(), "f", NodeType.REGULAR_FILE, 0644);
      v.write(f, offset, ByteBuffer.wrap(data));
      v.flush();
      assertThat(v.freeSpace()).isEqualTo(
          field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks") * 1024);
    }
    assertClean(image, "large");
    Path out = work.resolve("f.out");
    Oracles.runOk("debugfs", "-R", "dump /f " + out, image.toString());
    byte[] back = java.nio.file.Files.readAllBytes(out);
    assertThat(back.length).isEqualTo(offset + data.length);
    assertThat(java.util.Arrays.equals(back, (int) offset, back.length, data, 0, data.length))
        .as("content").isTrue();
    // 16 KiB clusters: the blocks of the file, rounded up to whole clusters
    long clusters = (offset + data.length + 16383) / 16384;
    assertThat(blockcount(image)).as("i_blocks (data clusters plus tree clusters)")
        .isBetween(clusters * 32, (clusters + 4) * 32);
    long size = (5 << 20) + 123;
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      v.truncate(v.lookup(v.root(), "f").orElseThrow(), size);
      v.flush();
      assertThat(v.freeSpace()).isEqualTo(
          field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks") * 1024);
    }
    assertClean(image, "large");
    Oracles.runOk("debugfs", "-R", "dump /f " + out, image.toString());
    back = java.nio.file.Files.readAllBytes(out);
    assertThat(back.length).isEqualTo(size);
    assertThat(java.util.Arrays.equals(back, (int) offset, (int) size, data, 0,
        (int) (size - offset))).as("content after truncation").isTrue();
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 4 << 20))) {
      v.unlink(v.root(), "f");
      v.flush();
    }
    assertClean(image, "large");
    assertThat(field(Oracles.runOk("dumpe2fs", "-h", image.toString()), "Free blocks"))
        .isEqualTo(freeAtStart);
  }

  private static void assertClean(Path image, String name) {
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name, out).isZero();
    assertThat(out).doesNotContain("Optimize?");
  }

  private static long bmap(Path image, long logical) {
    String out = Oracles.runOk("debugfs", "-R", "bmap /f " + logical, image.toString()).trim();
    return Long.parseLong(out.substring(out.lastIndexOf('\n') + 1).trim());
  }

  private static long blockcount(Path image) {
    return field(Oracles.runOk("debugfs", "-R", "stat /f", image.toString()), "Blockcount");
  }

  private static long field(String dump, String name) {
    Matcher m = Pattern.compile(name + ":\\s+(\\d+)").matcher(dump);
    assertThat(m.find()).as(name).isTrue();
    return Long.parseLong(m.group(1));
  }
}
