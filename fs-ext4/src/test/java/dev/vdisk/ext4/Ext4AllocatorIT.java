package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.Superblock;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The allocator on file systems made by {@code mke2fs}: block runs allocated near goals in
 * several groups (plus runs allocated and freed again) and inodes (plus one allocated and freed)
 * are given real owners by {@code debugfs} (extent or direct block pointers, mode, links,
 * directory entries) on the unchanged image; then our bitmaps, group descriptors and superblock
 * are written over it. {@code e2fsck -fn} must find the result clean: every bitmap bit, free
 * count, directory count, {@code itable_unused} and checksum we wrote is what it computes.
 */
class Ext4AllocatorIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 4096 -g 4096",
      "ext4-default,-t ext4 -b 4096 -g 4096",
      "ext4-no-csum,-t ext4 -b 4096 -g 4096 -O ^metadata_csum,uninit_bg",
      "ext4-1k,-t ext4 -b 1024",
      "ext4-64bit-flexbg,-t ext4 -b 4096 -g 4096 -G 2 -O 64bit,flex_bg,^metadata_csum,uninit_bg",
      "ext3-1k,-t ext3 -b 1024",
  })
  void e2fsckAcceptsWhatTheAllocatorWrote(String name, String options) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path src = work.resolve("src");
    Files.createDirectories(src);
    int files = 8;
    for (int i = 0; i < files; i++) {
      Files.writeString(src.resolve("f" + i), "");
    }
    Path image = work.resolve(name + ".img");
    List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F"));
    cmd.addAll(List.of(options.split(" ")));
    cmd.addAll(List.of("-d", src.toString(), image.toString(), "64M"));
    Oracles.runOk(cmd.toArray(new String[0]));

    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Superblock sb = w.superblock();
    boolean extents = sb.hasIncompat(Superblock.INCOMPAT_EXTENTS);
    int bs = sb.blockSize();
    long groups = sb.groupCount();
    long freeBefore = w.freeBlocks();
    long inodesBefore = w.freeInodes();
    StringBuilder script = new StringBuilder();
    Map<Integer, Ext4Writer.Extent> owned = new java.util.TreeMap<>();
    long used = 0;
    for (int i = 0; i < files; i++) {
      long goal = sb.firstDataBlock + (i % groups) * sb.blocksPerGroup + 37L * i;
      Ext4Writer.Extent scratch = w.allocateBlocks(goal, 5);
      int want = extents ? 1 + 9 * i : 1 + i;
      Ext4Writer.Extent e = w.allocateBlocks(goal, want);
      assertThat(e.length()).isEqualTo(want);
      w.freeBlocks(scratch.start(), scratch.length());
      owned.put(i, e);
      used += e.length();
      String f = "/f" + i;
      if (extents) {
        script.append("sif ").append(f).append(" flags 0x80000\n");
        script.append("sif ").append(f).append(" block[0] ").append(0x0001F30AL).append('\n');
        script.append("sif ").append(f).append(" block[1] 4\n");
        script.append("sif ").append(f).append(" block[2] 0\n");
        script.append("sif ").append(f).append(" block[3] 0\n");
        script.append("sif ").append(f).append(" block[4] ")
            .append(e.length() | ((e.start() >>> 32) << 16)).append('\n');
        script.append("sif ").append(f).append(" block[5] ").append(e.start() & 0xFFFFFFFFL)
            .append('\n');
      } else {
        for (int j = 0; j < e.length(); j++) {
          script.append("sif ").append(f).append(" block[").append(j).append("] ")
              .append(e.start() + j).append('\n');
        }
      }
      script.append("sif ").append(f).append(" size ").append((long) e.length() * bs)
          .append('\n');
      script.append("sif ").append(f).append(" blocks ").append((long) e.length() * bs / 512)
          .append('\n');
    }
    long scratchIno = w.allocateInode(2, false);
    List<Long> inodes = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      long ino = w.allocateInode(2, false);
      assertThat(ino).isNotEqualTo(scratchIno);
      inodes.add(ino);
      script.append("sif <").append(ino).append("> mode 0100644\n");
      script.append("sif <").append(ino).append("> links_count 1\n");
      if (sb.inodeSize > 128) {
        script.append("sif <").append(ino).append("> extra_isize 32\n");
      }
      script.append("ln <").append(ino).append("> /new").append(k).append('\n');
    }
    w.freeInode(scratchIno, false);
    // freed runs return to the bitmaps at commit (until then they stay allocated)
    assertThat(w.freeBlocks() + w.pendingFreeBlocks()).isEqualTo(freeBefore - used);
    assertThat(w.freeInodes()).isEqualTo(inodesBefore - 3);

    // owners first, by debugfs on the unchanged image (it allocates nothing)...
    Path cmds = work.resolve("cmds");
    Files.writeString(cmds, script.toString());
    Oracles.runOk("debugfs", "-w", "-f", cmds.toString(), image.toString());
    // ...then our allocation metadata over it
    byte[] after = Files.readAllBytes(image);
    for (Map.Entry<Long, byte[]> d : w.dirtyBlocks().entrySet()) {
      System.arraycopy(d.getValue(), 0, after, (int) (d.getKey() * bs), bs);
    }
    Files.write(image, after);

    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name, out).isZero();
    assertThat(out).doesNotContain("differences").doesNotContain("count wrong")
        .doesNotContain("checksum");
    for (Map.Entry<Integer, Ext4Writer.Extent> o : owned.entrySet()) {
      String blocks = Oracles.runOk("debugfs", "-R", "blocks /f" + o.getKey(), image.toString())
          .trim();
      Ext4Writer.Extent e = o.getValue();
      StringBuilder expect = new StringBuilder();
      for (int j = 0; j < e.length(); j++) {
        expect.append(j == 0 ? "" : " ").append(e.start() + j);
      }
      assertThat(blocks).isEqualTo(expect.toString());
    }
    String dump = Oracles.runOk("dumpe2fs", "-h", image.toString());
    assertThat(dump).containsPattern("Free blocks:\\s+" + (freeBefore - used) + "\n")
        .containsPattern("Free inodes:\\s+" + (inodesBefore - 3) + "\n");
  }
}
