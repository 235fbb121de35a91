package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.MutableInode;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A failed operation is undone without losing the operations before it in the same
 * transaction: after a committed-to-be operation, a second one allocates blocks and inodes,
 * frees blocks, changes an inode and is rolled back; the commit then writes exactly the first
 * operation ({@code e2fsck -fn} clean, {@code dumpe2fs} free counts those after the first
 * operation alone, {@code debugfs} sees only the first operation's file).
 */
class Ext4RollbackIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 4096",
      "ext4-default,-t ext4 -b 4096",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg'",
  })
  void aRolledBackOperationLeavesTheEarlierOnesIntact(String name, String options)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, name, options, "32M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    long seed = System.nanoTime();
    System.out.println("Ext4RollbackIT seed " + seed);
    Random rnd = new Random(seed);

    w.beginOperation();
    long kept = w.createFile(2, "kept", 0644);
    w.endOperation();
    long freeBlocks = w.freeBlocks();
    long freeInodes = w.freeInodes();

    w.beginOperation();
    long gone = w.createDirectory(2, "gone", 0755);
    w.createFile(gone, "inner", 0600);
    for (int i = 0; i < 20; i++) {
      Ext4Writer.Extent e = w.allocateBlocks(1 + rnd.nextInt(4000), 1 + rnd.nextInt(64));
      if (rnd.nextBoolean()) {
        w.freeBlocks(e.start(), e.length());
      }
    }
    MutableInode k = w.inode(kept);
    k.setMode(0100777);
    w.putInode(k);
    w.rollbackOperation();

    assertThat(w.freeBlocks()).isEqualTo(freeBlocks);
    assertThat(w.freeInodes()).isEqualTo(freeInodes);
    assertThat(w.pendingFreeBlocks()).isZero();
    w.commit();
    Files.write(image, bytes);

    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn on %s:%n%s", name, out).isZero();
    String dump = Oracles.runOk("dumpe2fs", "-h", image.toString());
    assertThat(dump).containsPattern("Free blocks:\\s+" + freeBlocks + "\\b")
        .containsPattern("Free inodes:\\s+" + freeInodes + "\\b");
    String ls = Oracles.runOk("debugfs", "-R", "ls /", image.toString());
    assertThat(ls).contains("kept").doesNotContain("gone");
    assertThat(Oracles.runOk("debugfs", "-R", "stat /kept", image.toString()))
        .containsPattern("Mode:\\s+0644");
  }
}
