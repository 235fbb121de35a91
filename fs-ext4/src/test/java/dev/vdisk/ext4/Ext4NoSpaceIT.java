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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Filling a file system (small ones, and ones whose many groups start with uninitialised block
 * bitmaps, which the allocator builds as the kernel does): files are written until the blocks
 * run out, then empty files are
 * created until the inodes run out. Each failure is a clear "no space" error that changes
 * nothing (the operation is undone), what was written before stays readable, {@code e2fsck -fn}
 * finds the image clean, and the free counts the volume reports are those {@code dumpe2fs}
 * prints (under bigalloc too, where the bitmaps and group counts are in clusters and the
 * superblock's free count in blocks).
 */
class Ext4NoSpaceIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 1024 -N 128,8M",
      "ext4-default,-t ext4 -N 256,8M",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum -N 128',8M",
      "ext4-uninit-groups-flex,-t ext4 -b 1024 -N 512,40M",
      "ext4-uninit-groups-no-flex,'-t ext4 -b 1024 -O ^flex_bg -N 512',40M",
      "ext4-meta-bg,'-t ext4 -b 1024 -O meta_bg,^resize_inode -N 512',40M",
      "ext4-gdt-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg -N 512',40M",
      "ext4-bigalloc,'-t ext4 -b 4096 -O bigalloc -C 16384 -N 128',8M",
      "ext4-bigalloc-1k-uninit-groups,'-t ext4 -b 1024 -O bigalloc -C 4096 -N 2048',160M",
      "ext4-bigalloc-no-flex,'-t ext4 -b 1024 -O bigalloc,^flex_bg -C 4096 -N 2048',160M",
      "ext4-bigalloc-no-csum-no-journal,'-t ext4 -O bigalloc,^metadata_csum,uninit_bg,^has_journal -C 65536 -N 64',6M",
  })
  void fillingUpFailsCleanlyAndTheCountsAgree(String name, String options, String size)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("dumpe2fs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, size);
    List<String> written = new ArrayList<>();
    String blocksError = null;
    String inodesError = null;
    long reportedFree;
    byte[] chunk = new byte[96 * 1024];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) (i * 7 + 1);
    }
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
        Volume v = new Ext4Driver().mount(disk, new MountOptions(false, 1 << 20))) {
      Node root = v.root();
      for (int i = 0; i < 10_000 && blocksError == null; i++) {
        Node f = v.create(root, "big" + i, NodeType.REGULAR_FILE, 0644);
        try {
          v.write(f, 0, ByteBuffer.wrap(chunk));
          written.add("big" + i);
        } catch (IOException e) {
          blocksError = e.getMessage();
          assertThat(v.attributes(f).size()).as("the failed write changed nothing").isZero();
        }
      }
      for (int i = 0; i < 100_000 && inodesError == null; i++) {
        try {
          v.create(root, "empty" + i, NodeType.REGULAR_FILE, 0644);
        } catch (IOException e) {
          inodesError = e.getMessage();
        }
      }
      v.flush();
      reportedFree = v.freeSpace();
      for (String w : written) {
        Node f = v.lookup(root, w).orElseThrow();
        ByteBuffer back = ByteBuffer.allocate(chunk.length);
        v.read(f, 0, back);
        assertThat(back.array()).as(w).isEqualTo(chunk);
      }
    }
    assertThat(blocksError).as("writing until full").isNotNull().containsIgnoringCase("no space");
    assertThat(inodesError).as("creating until no inode is left").isNotNull()
        .containsIgnoringCase("no free inodes");
    assertThat(written).isNotEmpty();
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name, out).isZero();
    String dump = Oracles.runOk("dumpe2fs", "-h", image.toString());
    assertThat(reportedFree).isEqualTo(field(dump, "Free blocks") * field(dump, "Block size"));
    assertThat(field(dump, "Free inodes")).isZero();
  }

  private static long field(String dump, String name) {
    Matcher m = Pattern.compile(name + ":\\s+(\\d+)").matcher(dump);
    assertThat(m.find()).as(name).isTrue();
    return Long.parseLong(m.group(1));
  }
}
