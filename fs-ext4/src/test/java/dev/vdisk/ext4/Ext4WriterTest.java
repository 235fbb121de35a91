package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.ext4.internal.Ext4Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Write-side refusals and the block/inode allocator on the seed images (no external tools). */
class Ext4WriterTest {
  static byte[] image(String name) {
    return Ext4Fixtures.seed("image", name);
  }

  static MemoryBlockDevice writable(byte[] img) {
    return new MemoryBlockDevice(img, true, "test.img", 512);
  }

  static ByteBuffer le(byte[] img) {
    return ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
  }

  static UnsafeToWriteException refusal(byte[] img) {
    Ext4Fixtures.fixSuperblockChecksum(img);
    try {
      Ext4Writer.open(writable(img));
    } catch (UnsafeToWriteException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("not refused");
  }

  static List<Long> changedBlocks(byte[] a, byte[] b, int bs) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < a.length; i += bs) {
      if (!java.util.Arrays.equals(a, i, i + bs, b, i, i + bs)) {
        out.add((long) (i / bs));
      }
    }
    return out;
  }

  @Test
  void refusesUnknownIncompatAndRoCompatFeaturesByName() {
    byte[] img = image("ext4");
    Ext4Fixtures.setIncompat(img, Ext4Fixtures.incompat(img) | 0x40000000);
    UnsafeToWriteException e = refusal(img);
    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FEATURE);
    assertThat(e.getMessage()).contains("incompat_0x40000000");

    byte[] img2 = image("ext4");
    le(img2).putInt(1024 + 0x64, le(img2).getInt(1024 + 0x64) | 0x100 | 0x20000000);
    UnsafeToWriteException e2 = refusal(img2);
    assertThat(e2.reason()).isEqualTo(Reason.UNSUPPORTED_FEATURE);
    assertThat(e2.getMessage()).contains("quota").contains("ro_compat_0x20000000");
  }

  @Test
  void refusesTheErrorStateAndAnUncleanFileSystem() {
    byte[] img = image("ext4");
    le(img).putShort(1024 + 0x3A, (short) 0x3);
    UnsafeToWriteException e = refusal(img);
    assertThat(e.reason()).isEqualTo(Reason.DIRTY);
    assertThat(e.getMessage()).contains("recorded errors");

    byte[] img2 = image("ext4");
    le(img2).putInt(1024 + 0x194, 7);
    assertThat(refusal(img2).getMessage()).contains("s_error_count 7");

    byte[] img3 = image("ext2");
    le(img3).putShort(1024 + 0x3A, (short) 0);
    UnsafeToWriteException e3 = refusal(img3);
    assertThat(e3.reason()).isEqualTo(Reason.DIRTY);
    assertThat(e3.getMessage()).contains("not cleanly unmounted");
  }

  @Test
  void refusesNeedsRecoveryWithoutAJournal() {
    byte[] img = image("ext4");
    Ext4Fixtures.setIncompat(img, Ext4Fixtures.incompat(img) | 0x4);
    UnsafeToWriteException e = refusal(img);
    assertThat(e.reason()).isEqualTo(Reason.LOG_NOT_REPLAYED);
    assertThat(e.getMessage()).contains("needs_recovery").contains("no journal");
  }

  @Test
  void refusesActiveMultiMountProtection() {
    byte[] img = image("ext4");
    int bs = 1024 << le(img).getInt(1024 + 0x18);
    long mmp = img.length / bs - 1;
    Ext4Fixtures.setIncompat(img, Ext4Fixtures.incompat(img) | 0x100);
    le(img).putLong(1024 + 0x168, mmp);
    le(img).putInt((int) (mmp * bs), 0x004D4D50);
    le(img).putInt((int) (mmp * bs) + 4, 42);
    UnsafeToWriteException e = refusal(img);
    assertThat(e.reason()).isEqualTo(Reason.LOCKED);
    assertThat(e.getMessage()).contains("multi-mount protection").contains("0x0000002a");
  }

  @Test
  void refusesAReadOnlyDevice() {
    assertThatThrownBy(() -> Ext4Writer.open(Ext4Fixtures.device(image("ext4"))))
        .isInstanceOfSatisfying(UnsafeToWriteException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.READ_ONLY));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void allocatesAndFreesWithConsistentCountsAndChecksums(String name) throws IOException {
    byte[] img = image(name);
    MemoryBlockDevice dev = writable(img);
    Ext4Writer w = Ext4Writer.open(dev);
    long freeBlocks = w.freeBlocks();
    long freeInodes = w.freeInodes();
    long g0Free = w.groupFreeBlocks(0);
    Ext4Writer.Extent e = w.allocateBlocks(0, 3);
    assertThat(e.length()).isEqualTo(3);
    long ino = w.allocateInode(Ext4Volume.ROOT_INO, false);
    assertThat(ino).isGreaterThanOrEqualTo(w.superblock().firstIno);
    w.commit();
    assertThat(w.freeBlocks()).isEqualTo(freeBlocks - 3);
    assertThat(w.freeInodes()).isEqualTo(freeInodes - 1);
    assertThat(w.groupFreeBlocks(0)).isEqualTo(g0Free - 3);
    // the reader verifies the superblock and descriptor checksums we wrote
    try (Ext4Volume v = Ext4Volume.mount(dev, MountOptions.defaults())) {
      assertThat(v.superblock().freeBlocksCount).isEqualTo(freeBlocks - 3);
      assertThat(v.superblock().freeInodesCount).isEqualTo(freeInodes - 1);
    }
    Ext4Writer w2 = Ext4Writer.open(dev);
    assertThat(w2.freeBlocks()).isEqualTo(freeBlocks - 3);
    assertThatThrownBy(() -> w2.allocateBlocks(0, 0)).isInstanceOf(IllegalArgumentException.class);
    w2.freeBlocks(e.start(), e.length());
    w2.freeInode(ino, false);
    assertThatThrownBy(() -> w2.freeBlocks(e.start(), 1))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("already free");
    assertThatThrownBy(() -> w2.freeInode(ino, false))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("already free");
    w2.commit();
    assertThat(w2.freeBlocks()).isEqualTo(freeBlocks);
    assertThat(w2.freeInodes()).isEqualTo(freeInodes);
    try (Ext4Volume v = Ext4Volume.mount(dev, MountOptions.defaults())) {
      assertThat(v.superblock().freeBlocksCount).isEqualTo(freeBlocks);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1L, 2L, 3L, 4L})
  void randomAllocateFreeSequencesRestoreTheImage(long seed) throws IOException {
    System.out.println("seed " + seed);
    Random rnd = new Random(seed);
    byte[] original = image(seed % 2 == 0 ? "ext4" : "ext2");
    byte[] img = original.clone();
    MemoryBlockDevice dev = writable(img);
    Ext4Writer w = Ext4Writer.open(dev);
    List<Ext4Writer.Extent> runs = new ArrayList<>();
    List<Long> inodes = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < 200; i++) {
      int op = rnd.nextInt(4);
      if (op == 0 && w.freeBlocks() > 64) {
        Ext4Writer.Extent e = w.allocateBlocks(rnd.nextInt((int) w.superblock().blocksCount),
            1 + rnd.nextInt(16));
        assertThat(runs).noneMatch(r -> r.start() < e.start() + e.length()
            && e.start() < r.start() + r.length());
        runs.add(e);
        total += e.length();
      } else if (op == 1 && !runs.isEmpty()) {
        Ext4Writer.Extent e = runs.remove(rnd.nextInt(runs.size()));
        w.freeBlocks(e.start(), e.length());
        total -= e.length();
      } else if (op == 2 && w.freeInodes() > 1) {
        long ino = w.allocateInode(2, false);
        assertThat(inodes).doesNotContain(ino);
        inodes.add(ino);
      } else if (!inodes.isEmpty()) {
        w.freeInode(inodes.remove(rnd.nextInt(inodes.size())), false);
      }
      if (rnd.nextInt(10) == 0) {
        w.commit();
      }
    }
    w.commit();
    long before = Ext4Writer.open(writable(original.clone())).freeBlocks();
    assertThat(w.freeBlocks()).isEqualTo(before - total);
    for (Ext4Writer.Extent e : runs) {
      w.freeBlocks(e.start(), e.length());
    }
    for (long ino : inodes) {
      w.freeInode(ino, false);
    }
    w.commit();
    // only the descriptors may differ (itable_unused lowered, INODE_UNINIT cleared): same counts
    int bs = 1024 << le(img).getInt(1024 + 0x18);
    long gdt = 1024 / bs + 1;
    assertThat(changedBlocks(img, original, bs)).allMatch(b -> b == gdt);
    Ext4Writer after = Ext4Writer.open(writable(img));
    Ext4Writer orig = Ext4Writer.open(writable(original.clone()));
    for (long g = 0; g < orig.superblock().groupCount(); g++) {
      assertThat(after.groupFreeBlocks(g)).isEqualTo(orig.groupFreeBlocks(g));
      assertThat(after.groupFreeInodes(g)).isEqualTo(orig.groupFreeInodes(g));
      assertThat(after.groupUsedDirs(g)).isEqualTo(orig.groupUsedDirs(g));
    }
    try (Ext4Volume v = Ext4Volume.mount(dev, MountOptions.defaults())) {
      assertThat(v.superblock().freeInodesCount).isEqualTo(orig.freeInodes());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext2", "ext4", "nocsum"})
  void createsFilesAndDirectoriesTheReaderSees(String name) throws IOException {
    byte[] img = image(name);
    MemoryBlockDevice device = writable(img);
    Ext4Writer w = Ext4Writer.open(device);
    long dirs = 0;
    for (long g = 0; g < w.superblock().groupCount(); g++) {
      dirs += w.groupUsedDirs(g);
    }
    long d = w.createDirectory(Ext4Volume.ROOT_INO, "made-dir", 0755);
    long f = w.createFile(d, "made-file", 0640);
    assertThat(f).isNotEqualTo(d);
    assertThatThrownBy(() -> w.createFile(Ext4Volume.ROOT_INO, "made-dir", 0644))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    assertThatThrownBy(() -> w.createFile(Ext4Volume.ROOT_INO, "a/b", 0644))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.createFile(Ext4Volume.ROOT_INO, "..", 0644))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.createFile(f, "x", 0644))
        .isInstanceOf(java.nio.file.NotDirectoryException.class);
    w.commit();
    long dirsAfter = 0;
    for (long g = 0; g < w.superblock().groupCount(); g++) {
      dirsAfter += w.groupUsedDirs(g);
    }
    assertThat(dirsAfter).isEqualTo(dirs + 1);
    try (dev.vdisk.core.fs.VdiskFileSystem fs = dev.vdisk.core.fs.VdiskFileSystems.open(
        Ext4Fixtures.device(img))) {
      assertThat(java.nio.file.Files.isDirectory(fs.getPath("/made-dir"))).isTrue();
      assertThat(java.nio.file.Files.size(fs.getPath("/made-dir/made-file"))).isZero();
      assertThat(java.nio.file.Files.readString(fs.getPath("/hello.txt"))).isEqualTo("hello\n");
    }
  }

  @Test
  void refusesCasefoldedDirectoriesWithoutChangingAnything() throws IOException {
    byte[] img = image("nocsum");
    long off = Ext4DriverTest.inodeOffset(img, Ext4Volume.ROOT_INO);
    le(img).putInt((int) off + 0x20, le(img).getInt((int) off + 0x20) | 0x40000000);
    byte[] before = img.clone();
    Ext4Writer w = Ext4Writer.open(writable(img));
    assertThatThrownBy(() -> w.createFile(Ext4Volume.ROOT_INO, "x", 0644))
        .isInstanceOfSatisfying(UnsafeToWriteException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FEATURE));
    w.commit();
    assertThat(img).isEqualTo(before);
  }

  @Test
  void refusesADamagedIndexWithoutChangingAnything() throws IOException {
    byte[] img = image("nocsum");
    long off = Ext4DriverTest.inodeOffset(img, Ext4Volume.ROOT_INO);
    le(img).putInt((int) off + 0x20, le(img).getInt((int) off + 0x20) | 0x1000);
    byte[] before = img.clone();
    Ext4Writer w = Ext4Writer.open(writable(img));
    assertThatThrownBy(() -> w.createFile(Ext4Volume.ROOT_INO, "x", 0644))
        .isInstanceOf(dev.vdisk.core.CorruptStructureException.class)
        .hasMessageContaining("htree");
    w.commit();
    assertThat(img).isEqualTo(before);
  }
}
