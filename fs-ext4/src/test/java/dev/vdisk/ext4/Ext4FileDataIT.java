package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.MutableInode;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * File data written through {@code FileData} (extent trees of any depth, indirect block maps,
 * unwritten extents, truncation, deletion, symbolic links) in file systems made by
 * {@code mke2fs}: {@code e2fsck -fn} finds every result clean, and {@code debugfs dump} (or the
 * kernel) returns exactly the bytes of an in-memory model.
 */
class Ext4FileDataIT {
  @TempDir Path work;

  private Path image;
  private byte[] bytes;
  private Ext4Writer w;

  private void mkfs(String name, String options, String size) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    image = Ext4Fixtures.mke2fsWithHello(work, name, options, size);
  }

  private void open() throws Exception {
    bytes = Files.readAllBytes(image);
    w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
  }

  private void commitAndSave() throws Exception {
    w.commit();
    Files.write(image, bytes);
    w = null;
    bytes = null;
  }

  private void fsckClean(String what) {
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn %s:%n%s", what, out).isZero();
    assertThat(out).as("e2fsck -fn %s:%n%s", what, out).doesNotContainIgnoringCase("optimize")
        .doesNotContain("?");
  }

  private Path dump(String name) throws IOException {
    Path out = work.resolve("dump-" + name);
    Files.deleteIfExists(out);
    Oracles.runOk("debugfs", "-R", "dump /" + name + " " + out, image.toString());
    assertThat(out).as("debugfs dumped /%s", name).exists();
    return out;
  }

  private void assertContent(String name, byte[] model, String what) throws IOException {
    byte[] got = Files.readAllBytes(dump(name));
    if (!Arrays.equals(got, model)) {
      int i = Arrays.mismatch(got, model);
      throw new AssertionError(what + ": /" + name + " differs at byte " + i + " (length "
          + got.length + ", model " + model.length + ")");
    }
  }

  private static byte[] randomBytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** A file's expected content (grown geometrically, so block-by-block appends stay cheap). */
  private static final class ModelFile {
    final String name;
    final long ino;
    private byte[] buf = new byte[0];
    private int length;

    ModelFile(String name, long ino) {
      this.name = name;
      this.ino = ino;
    }

    byte[] data() {
      return Arrays.copyOf(buf, length);
    }

    int length() {
      return length;
    }

    void write(long pos, byte[] src) {
      int end = (int) (pos + src.length);
      if (end > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(end, buf.length * 2));
      }
      System.arraycopy(src, 0, buf, (int) pos, src.length);
      length = Math.max(length, end);
    }

    void truncate(long size) {
      if (size > buf.length) {
        buf = Arrays.copyOf(buf, (int) size);
      } else if (size < length) {
        Arrays.fill(buf, (int) size, length, (byte) 0);
      }
      length = (int) size;
    }
  }

  @ParameterizedTest(name = "{0} seed {2}")
  @CsvSource({
      "ext2-4k,-t ext2 -b 4096,11",
      "ext3-1k,-t ext3 -b 1024,12",
      "ext4-4k,-t ext4 -b 4096,13",
      "ext4-1k,-t ext4 -b 1024,14",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg',15",
      "ext4-64bit-flex,'-t ext4 -b 4096 -O 64bit,flex_bg -G 4',16",
      "ext4-no-extents,'-t ext4 -b 4096 -O ^extent,^64bit',17",
      "ext4-64k,-t ext4 -b 65536,18",
      "ext3-2k,-t ext3 -b 2048,19",
  })
  void randomWritesAndTruncationsMatchTheModel(String name, String options, long seed)
      throws Exception {
    System.out.println(name + " seed " + seed);
    mkfs(name, options, "48M");
    Random rnd = new Random(seed);
    int bs = blockSize(name);
    int maxSize = Math.min(600 * bs, 6 << 20);
    List<ModelFile> files = new ArrayList<>();
    ModelFile hello = new ModelFile("hello.txt", inodeOf("hello.txt"));
    hello.write(0, "hello\n".getBytes(StandardCharsets.US_ASCII));
    files.add(hello);
    open();
    for (int i = 0; i < 4; i++) {
      String fn = "f" + i;
      files.add(new ModelFile(fn, w.createFile(2, fn, 0644)));
    }
    commitAndSave();
    for (int batch = 0; batch < 5; batch++) {
      open();
      for (int op = 0; op < 40; op++) {
        ModelFile f = files.get(rnd.nextInt(files.size()));
        MutableInode inode = w.inode(f.ino);
        int kind = rnd.nextInt(10);
        if (kind < 6) {
          long pos = kind == 0 ? Math.min(f.length(), maxSize) : rnd.nextInt(maxSize);
          int len = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(16) : 1 + rnd.nextInt(64 * bs);
          len = (int) Math.max(1, Math.min(len, maxSize + 4L * bs - pos));
          len = Math.min(len, 1 << 20);
          byte[] src = randomBytes(rnd, len);
          assertThat(w.files().write(inode, pos, ByteBuffer.wrap(src))).isEqualTo(len);
          f.write(pos, src);
        } else if (kind < 9) {
          long size = rnd.nextInt(3) == 0 ? rnd.nextInt(maxSize)
              : Math.max(0, f.length() - rnd.nextInt(8 * bs));
          w.files().truncate(inode, size);
          f.truncate(size);
        } else {
          long size = f.length() + rnd.nextInt(20 * bs);
          w.files().truncate(inode, size);
          f.truncate(size);
        }
        assertThat(inode.size()).isEqualTo(f.length());
        if (rnd.nextInt(10) == 0) {
          w.commit();
        }
      }
      commitAndSave();
      fsckClean(name + " seed " + seed + " batch " + batch);
      for (ModelFile f : files) {
        assertContent(f.name, f.data(), name + " seed " + seed + " batch " + batch);
      }
    }
  }

  private static int blockSize(String name) {
    return name.contains("64k") ? 65536 : name.contains("2k") ? 2048
        : name.contains("1k") ? 1024 : 4096;
  }

  private long inodeOf(String name) {
    String stat = Oracles.runOk("debugfs", "-R", "stat /" + name, image.toString());
    Matcher m = Pattern.compile("Inode: (\\d+)").matcher(stat);
    assertThat(m.find()).as("inode of /%s", name).isTrue();
    return Long.parseLong(m.group(1));
  }

  private int extentLevels(String name) {
    String ex = Oracles.runOk("debugfs", "-R", "ex /" + name, image.toString());
    Matcher m = Pattern.compile("(?m)^\\s*\\d+/\\s*(\\d+)").matcher(ex);
    int max = 0;
    while (m.find()) {
      max = Math.max(max, Integer.parseInt(m.group(1)));
    }
    return max;
  }

  private int extentCount(String name) {
    String ex = Oracles.runOk("debugfs", "-R", "ex /" + name, image.toString());
    Matcher m = Pattern.compile("(?m)^\\s*(\\d+)/\\s*(\\d+)").matcher(ex);
    int n = 0;
    while (m.find()) {
      if (m.group(1).equals(m.group(2))) {
        n++;
      }
    }
    return n;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-1k,-t ext4 -b 1024,1200",
      "ext4-4k,-t ext4 -b 4096,3000",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg',1200",
  })
  void everyOtherBlockBuildsDeepTreesThatTruncateBackToTheRoot(String name, String options,
      int extents) throws Exception {
    mkfs(name, options, "64M");
    int bs = name.contains("1k") ? 1024 : 4096;
    Random rnd = new Random(7);
    open();
    ModelFile seq = new ModelFile("seq", w.createFile(2, "seq", 0644));
    ModelFile shuffled = new ModelFile("shuffled", w.createFile(2, "shuffled", 0644));
    MutableInode a = w.inode(seq.ino);
    MutableInode b = w.inode(shuffled.ino);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < extents; i++) {
      byte[] src = randomBytes(rnd, bs);
      w.files().write(a, 2L * i * bs, ByteBuffer.wrap(src));
      seq.write(2L * i * bs, src);
      order.add(i);
    }
    java.util.Collections.shuffle(order, rnd);
    for (int i : order) {
      byte[] src = randomBytes(rnd, bs);
      w.files().write(b, 2L * i * bs + 1, ByteBuffer.wrap(src));
      shuffled.write(2L * i * bs + 1, src);
    }
    commitAndSave();
    fsckClean(name + " after building");
    assertThat(extentLevels("seq")).as("depth of /seq").isGreaterThanOrEqualTo(2);
    assertThat(extentLevels("shuffled")).as("depth of /shuffled").isGreaterThanOrEqualTo(2);
    assertThat(extentCount("seq")).isEqualTo(extents);
    assertContent("seq", seq.data(), name);
    assertContent("shuffled", shuffled.data(), name);

    long[] sizes = {(long) extents * bs, 5L * bs + 17, 2L * extents * bs, 0, 3L * bs};
    for (long size : sizes) {
      open();
      w.files().truncate(w.inode(seq.ino), size);
      seq.truncate(size);
      w.files().truncate(w.inode(shuffled.ino), size / 3);
      shuffled.truncate(size / 3);
      commitAndSave();
      fsckClean(name + " after truncating to " + size);
      assertContent("seq", seq.data(), name + " size " + size);
      assertContent("shuffled", shuffled.data(), name + " size " + size / 3);
    }
    assertThat(extentLevels("seq")).as("depth after truncation").isZero();
    // fill the hole and append block by block: each new block merges with the extent before
    open();
    MutableInode again = w.inode(seq.ino);
    for (int i = 1; i < 200; i++) {
      byte[] src = randomBytes(rnd, bs);
      w.files().write(again, (long) i * bs, ByteBuffer.wrap(src));
      seq.write((long) i * bs, src);
    }
    commitAndSave();
    fsckClean(name + " after refilling");
    assertContent("seq", seq.data(), name + " refilled");
    assertThat(extentCount("seq")).as(Oracles.runOk("debugfs", "-R", "ex /seq",
        image.toString())).isLessThanOrEqualTo(4);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext3-4k,-t ext3 -b 4096",
      "ext2-1k,-t ext2 -b 1024",
  })
  void sparse200MibFileWithRandomData(String name, String options) throws Exception {
    System.out.println(name + " seed 99");
    mkfs(name, options, "64M");
    Random rnd = new Random(99);
    long size = 200L << 20;
    Path model = work.resolve("model-" + name);
    open();
    long ino = w.createFile(2, "sparse", 0644);
    try (RandomAccessFile m = new RandomAccessFile(model.toFile(), "rw")) {
      MutableInode inode = w.inode(ino);
      for (int i = 0; i < 60; i++) {
        long pos = (long) (rnd.nextDouble() * (size - 70000));
        byte[] src = randomBytes(rnd, 1 + rnd.nextInt(65536));
        w.files().write(inode, pos, ByteBuffer.wrap(src));
        m.seek(pos);
        m.write(src);
      }
      w.files().truncate(inode, size);
      m.setLength(size);
    }
    commitAndSave();
    fsckClean(name + " sparse");
    Path got = dump("sparse");
    assertThat(Files.size(got)).isEqualTo(size);
    assertThat(Files.mismatch(got, model)).as("first difference").isEqualTo(-1L);
  }

  @Test
  void oneHundredMibInOneWriteUsesFewExtents() throws Exception {
    mkfs("big", "-t ext4 -b 4096", "256M");
    Random rnd = new Random(5);
    byte[] src = randomBytes(rnd, 100 << 20);
    open();
    long ino = w.createFile(2, "big", 0644);
    w.files().write(w.inode(ino), 0, ByteBuffer.wrap(src));
    commitAndSave();
    fsckClean("100 MiB");
    assertThat(extentCount("big")).isLessThanOrEqualTo(6);
    assertThat(Files.mismatch(dump("big"), writeTemp(src))).isEqualTo(-1L);
  }

  private Path writeTemp(byte[] data) throws IOException {
    Path p = work.resolve("expected");
    Files.write(p, data);
    return p;
  }

  private static long dumpe2fsField(String out, String field) {
    Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+)").matcher(out);
    assertThat(m.find()).as(field).isTrue();
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext4-1k,-t ext4 -b 1024",
      "ext3-1k,-t ext3 -b 1024",
      "ext2-4k,-t ext2 -b 4096",
  })
  void deletingFilesGivesEveryBlockBack(String name, String options) throws Exception {
    mkfs(name, options, "64M");
    String before = Oracles.runOk("dumpe2fs", "-h", image.toString());
    int bs = name.contains("1k") ? 1024 : 4096;
    Random rnd = new Random(3);
    open();
    long[] inos = new long[3];
    for (int i = 0; i < 3; i++) {
      inos[i] = w.createFile(2, "d" + i, 0644);
      MutableInode inode = w.inode(inos[i]);
      for (int k = 0; k < 700; k++) {
        w.files().write(inode, (long) k * 3 * bs + rnd.nextInt(bs),
            ByteBuffer.wrap(randomBytes(rnd, 1 + rnd.nextInt(2 * bs))));
      }
    }
    w.files().write(w.inode(inos[2]), 5L << 30, ByteBuffer.wrap(randomBytes(rnd, 10)));
    commitAndSave();
    fsckClean(name + " before deleting");
    open();
    for (long ino : inos) {
      MutableInode inode = w.inode(ino);
      inode.setLinks(0);
      inode.setDtime(w.now().getEpochSecond());
      w.files().freeAll(inode);
      assertThat(inode.sectors()).isZero();
      w.freeInode(ino, false);
    }
    commitAndSave();
    for (int i = 0; i < 3; i++) {
      Oracles.runOk("debugfs", "-w", "-R", "unlink /d" + i, image.toString());
    }
    fsckClean(name + " after deleting");
    String after = Oracles.runOk("dumpe2fs", "-h", image.toString());
    assertThat(dumpe2fsField(after, "Free blocks")).isEqualTo(dumpe2fsField(before,
        "Free blocks"));
    assertThat(dumpe2fsField(after, "Free inodes")).isEqualTo(dumpe2fsField(before,
        "Free inodes"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext2-1k,-t ext2 -b 1024",
  })
  void fastAndSlowSymbolicLinks(String name, String options) throws Exception {
    mkfs(name, options, "32M");
    String shortTarget = "hello.txt";
    String longTarget = "/" + "long-directory-name/".repeat(20) + "end";
    open();
    long[] inos = new long[2];
    String[] targets = {shortTarget, longTarget};
    for (int i = 0; i < 2; i++) {
      inos[i] = w.allocateInode(2, false);
      MutableInode inode = w.newInode(inos[i]);
      inode.setMode(MutableInode.S_IFLNK | 0777);
      inode.setLinks(1);
      java.time.Instant now = w.now();
      inode.touchModified(now);
      inode.setTime(MutableInode.Time.ACCESS, now);
      inode.setTime(MutableInode.Time.CREATE, now);
      w.files().initEmpty(inode);
      w.files().writeSymlink(inode, targets[i].getBytes(StandardCharsets.UTF_8));
    }
    commitAndSave();
    Oracles.runOk("debugfs", "-w", "-R", "ln <" + inos[0] + "> /short", image.toString());
    Oracles.runOk("debugfs", "-w", "-R", "ln <" + inos[1] + "> /long", image.toString());
    fsckClean(name + " symlinks");
    assertThat(Oracles.runOk("debugfs", "-R", "stat /short", image.toString()))
        .contains("Fast link dest: \"hello.txt\"");
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      assertThat(Files.readSymbolicLink(mnt.resolve("short")).toString()).isEqualTo(shortTarget);
      assertThat(Files.readSymbolicLink(mnt.resolve("long")).toString()).isEqualTo(longTarget);
      assertThat(Files.readString(mnt.resolve("short"))).isEqualTo("hello\n");
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    open();
    for (long ino : inos) {
      MutableInode inode = w.inode(ino);
      inode.setLinks(0);
      inode.setDtime(w.now().getEpochSecond());
      w.files().freeAll(inode);
      w.putInode(inode);
      w.freeInode(ino, false);
    }
    commitAndSave();
    Oracles.runOk("debugfs", "-w", "-R", "unlink /short", image.toString());
    Oracles.runOk("debugfs", "-w", "-R", "unlink /long", image.toString());
    fsckClean(name + " symlinks deleted");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext4-1k,-t ext4 -b 1024",
  })
  void writesIntoUnwrittenExtentsSplitThem(String name, String options) throws Exception {
    mkfs(name, options, "32M");
    Oracles.requireRoot("loop mounts (fallocate makes the unwritten extents)");
    Oracles.require("fallocate", "util-linux");
    int bs = name.contains("1k") ? 1024 : 4096;
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop", image.toString(), mnt.toString());
    try {
      Oracles.runOk("fallocate", "-l", String.valueOf(300 * bs), mnt.resolve("pre").toString());
      Oracles.runOk("fallocate", "-l", String.valueOf(40 * bs), mnt.resolve("pre2").toString());
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    assertThat(Oracles.runOk("debugfs", "-R", "ex /pre", image.toString())).contains("Uninit");
    byte[] pre = new byte[300 * bs];
    byte[] pre2 = new byte[40 * bs];
    Random rnd = new Random(21);
    open();
    long ino = inodeOf("pre");
    long ino2 = inodeOf("pre2");
    MutableInode inode = w.inode(ino);
    long[][] writes = {{10L * bs + 100, 3L * bs}, {0, 17}, {299L * bs + 5, 10},
        {150L * bs, bs}, {100L * bs - 3, 6}, {310L * bs, 2 * bs}};
    for (long[] wr : writes) {
      byte[] src = randomBytes(rnd, (int) wr[1]);
      w.files().write(inode, wr[0], ByteBuffer.wrap(src));
      if (wr[0] + src.length > pre.length) {
        pre = Arrays.copyOf(pre, (int) (wr[0] + src.length));
      }
      System.arraycopy(src, 0, pre, (int) wr[0], src.length);
    }
    MutableInode inode2 = w.inode(ino2);
    byte[] all = randomBytes(rnd, 40 * bs);
    w.files().write(inode2, 0, ByteBuffer.wrap(all));
    pre2 = all;
    commitAndSave();
    fsckClean(name + " unwritten");
    assertContent("pre", pre, name + " unwritten");
    assertContent("pre2", pre2, name + " unwritten, fully written");
    assertThat(Oracles.runOk("debugfs", "-R", "ex /pre", image.toString())).contains("Uninit");
    assertThat(Oracles.runOk("debugfs", "-R", "ex /pre2", image.toString()))
        .doesNotContain("Uninit");
    open();
    w.files().truncate(w.inode(ino), 120L * bs + 7);
    commitAndSave();
    fsckClean(name + " unwritten truncated");
    assertContent("pre", Arrays.copyOf(pre, 120 * bs + 7), name + " unwritten truncated");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext4-1k,-t ext4 -b 1024",
      "ext2-1k,-t ext2 -b 1024",
  })
  void fillingTheFileSystemFailsCleanly(String name, String options) throws Exception {
    mkfs(name, options, "8M");
    int bs = blockSize(name);
    Random rnd = new Random(8);
    open();
    List<ModelFile> files = new ArrayList<>();
    IOException full = null;
    for (int i = 0; i < 40 && full == null; i++) {
      ModelFile f = new ModelFile("fill" + i, w.createFile(2, "fill" + i, 0644));
      files.add(f);
      MutableInode inode = w.inode(f.ino);
      for (int k = 0; k < 64 * (4096 / bs); k++) {
        // every other block, so the maps need tree or indirect blocks too
        byte[] src = randomBytes(rnd, bs);
        long pos = 2L * k * bs;
        try {
          w.files().write(inode, pos, ByteBuffer.wrap(src));
        } catch (IOException e) {
          full = e;
          f.truncate(inode.size());
          break;
        }
        f.write(pos, src);
      }
      assertThat(inode.size()).isEqualTo(f.length());
    }
    assertThat(full).as("the file system filled up").isNotNull();
    assertThat(full.getMessage()).contains("no space left");
    commitAndSave();
    fsckClean(name + " full");
    for (ModelFile f : files) {
      assertContent(f.name, f.data(), name + " full");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext3-1k,-t ext3 -b 1024",
  })
  void theWritableVolumeReadsItsWritesAndTheKernelAgrees(String name, String options)
      throws Exception {
    System.out.println(name + " seed 31");
    mkfs(name, options, "32M");
    Random rnd = new Random(31);
    bytes = Files.readAllBytes(image);
    MemoryBlockDevice dev = new MemoryBlockDevice(bytes, true, image.toString(), 512);
    ModelFile model = new ModelFile("data.bin", 0);
    try (Volume v = new Ext4Driver().mount(dev,
        new MountOptions(false, 1 << 20))) {
      Node file = v.create(v.root(), "data.bin",
          NodeType.REGULAR_FILE, 0644);
      for (int i = 0; i < 60; i++) {
        if (i % 7 == 6) {
          long size = rnd.nextInt(2 << 20);
          v.truncate(file, size);
          model.truncate(size);
        } else {
          long pos = rnd.nextInt(3 << 20);
          byte[] src = randomBytes(rnd, 1 + rnd.nextInt(200_000));
          assertThat(v.write(file, pos, ByteBuffer.wrap(src))).isEqualTo(src.length);
          model.write(pos, src);
        }
        byte[] expected = model.data();
        ByteBuffer got = ByteBuffer.allocate(expected.length);
        long pos = 0;
        while (got.hasRemaining()) {
          int r = v.read(file, pos, got);
          assertThat(r).as("read at %d of %d", pos, expected.length).isPositive();
          pos += r;
        }
        assertThat(got.array()).as("read back after step %d", i).isEqualTo(expected);
      }
    }
    Files.write(image, bytes);
    fsckClean(name + " writable volume");
    assertContent("data.bin", model.data(), name + " writable volume");
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      assertThat(Files.readAllBytes(mnt.resolve("data.bin"))).isEqualTo(model.data());
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  @ParameterizedTest(name = "{0} seed {2}")
  @CsvSource({
      "ext4-1k,-t ext4 -b 1024,41",
      "ext4-4k-no-csum,'-t ext4 -b 4096 -O ^metadata_csum,uninit_bg',42",
      "ext3-1k,-t ext3 -b 1024,43",
  })
  void scatteredBlockWritesAndTruncationsKeepDeepMapsValid(String name, String options,
      long seed) throws Exception {
    System.out.println(name + " seed " + seed);
    mkfs(name, options, "64M");
    int bs = blockSize(name);
    Random rnd = new Random(seed);
    open();
    // two files written in turns, so neighbouring blocks of one file are not adjacent on disk
    ModelFile[] files = {new ModelFile("scatter", w.createFile(2, "scatter", 0644)),
        new ModelFile("other", w.createFile(2, "other", 0644))};
    commitAndSave();
    int span = 3000;
    for (int batch = 0; batch < 4; batch++) {
      open();
      MutableInode[] inodes = {w.inode(files[0].ino), w.inode(files[1].ino)};
      for (int op = 0; op < 1600; op++) {
        int which = op & 1;
        ModelFile f = files[which];
        MutableInode inode = inodes[which];
        int kind = rnd.nextInt(100);
        if (kind < 96) {
          long block = 2L * rnd.nextInt(span) + (rnd.nextInt(8) == 0 ? 1 : 0);
          long pos = block * bs + (rnd.nextInt(4) == 0 ? rnd.nextInt(bs) : 0);
          byte[] src = randomBytes(rnd, rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(8 * bs) : bs);
          w.files().write(inode, pos, ByteBuffer.wrap(src));
          f.write(pos, src);
        } else if (kind < 99) {
          long size = Math.max(0, f.length() - rnd.nextInt(64) * (long) bs - rnd.nextInt(bs));
          w.files().truncate(inode, size);
          f.truncate(size);
        } else {
          long size = f.length() + rnd.nextInt(16) * (long) bs + rnd.nextInt(bs);
          w.files().truncate(inode, size);
          f.truncate(size);
        }
      }
      commitAndSave();
      fsckClean(name + " seed " + seed + " batch " + batch);
      for (ModelFile f : files) {
        assertContent(f.name, f.data(), name + " seed " + seed + " batch " + batch);
        if (!name.startsWith("ext3")) {
          System.out.println(name + " batch " + batch + " " + f.name + ": "
              + extentCount(f.name) + " extents, depth " + extentLevels(f.name));
        }
      }
    }
    if (!name.startsWith("ext3")) {
      assertThat(extentLevels("scatter")).as("depth reached").isGreaterThanOrEqualTo(
          bs == 1024 ? 2 : 1);
    }
    // cut both files far back: whole subtrees and index blocks go
    open();
    for (ModelFile f : files) {
      long size = (long) rnd.nextInt(40) * bs + rnd.nextInt(bs);
      w.files().truncate(w.inode(f.ino), size);
      f.truncate(size);
    }
    commitAndSave();
    fsckClean(name + " seed " + seed + " cut back");
    for (ModelFile f : files) {
      assertContent(f.name, f.data(), name + " seed " + seed + " cut back");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-1k,-t ext4 -b 1024",
      "ext4-4k,-t ext4 -b 4096",
  })
  void editsKernelMadeExtentTrees(String name, String options) throws Exception {
    mkfs(name, options, "64M");
    Oracles.requireRoot("loop mounts (the kernel makes the extent tree)");
    Oracles.require("python3", "python3");
    int bs = blockSize(name);
    int blocks = 1500;
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    ModelFile f;
    Oracles.runOk("mount", "-o", "loop", image.toString(), mnt.toString());
    try {
      // every other block, each written and synced on its own: one extent per block
      Oracles.runOk("python3", "-c", "import os\n"
          + "fd = os.open('" + mnt.resolve("kernel") + "', os.O_CREAT | os.O_WRONLY, 0o644)\n"
          + "for i in range(" + blocks + "):\n"
          + "    os.pwrite(fd, os.urandom(" + bs + "), 2 * i * " + bs + ")\n"
          + "    if i % 50 == 0: os.fsync(fd)\n"
          + "os.close(fd)\n");
      byte[] content = Files.readAllBytes(mnt.resolve("kernel"));
      f = new ModelFile("kernel", 0);
      f.write(0, content);
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    fsckClean(name + " as the kernel left it");
    assertThat(extentLevels("kernel")).as("depth of the kernel's tree").isGreaterThanOrEqualTo(1);
    long ino = inodeOf("kernel");
    Random rnd = new Random(77);
    open();
    MutableInode inode = w.inode(ino);
    for (int i = 0; i < 300; i++) {
      long pos = (2L * rnd.nextInt(blocks) + 1) * bs;
      byte[] src = randomBytes(rnd, bs);
      w.files().write(inode, pos, ByteBuffer.wrap(src));
      f.write(pos, src);
    }
    long size = (long) blocks * bs + 123;
    w.files().truncate(inode, size);
    f.truncate(size);
    byte[] tail = randomBytes(rnd, 5 * bs);
    w.files().write(inode, size + 7L * bs, ByteBuffer.wrap(tail));
    f.write(size + 7L * bs, tail);
    commitAndSave();
    fsckClean(name + " kernel tree edited");
    assertContent("kernel", f.data(), name + " kernel tree edited");
  }

  @Test
  void inlineFilesGrowInPlaceThenMoveToBlocks() throws Exception {
    mkfs("inline", "-t ext4 -b 4096 -I 256 -O inline_data", "32M");
    Oracles.requireRoot("loop mounts (debugfs reads inline files wrongly)");
    long ino = inodeOf("hello.txt");
    assertThat(Oracles.runOk("debugfs", "-R", "stat /hello.txt", image.toString()))
        .contains("Size of inline data");
    Random rnd = new Random(12);
    ModelFile hello = new ModelFile("hello.txt", ino);
    hello.write(0, "hello\n".getBytes(StandardCharsets.US_ASCII));
    ModelFile small = new ModelFile("small.txt", ino);
    open();
    // in place: 60 bytes of i_block, then the system.data attribute
    byte[] a = randomBytes(rnd, 70);
    w.files().write(w.inode(ino), 20, ByteBuffer.wrap(a));
    hello.write(20, a);
    assertThat(w.inode(ino).hasFlag(dev.vdisk.ext4.internal.Inode.FL_INLINE_DATA)).isTrue();
    w.files().truncate(w.inode(ino), 50);
    hello.truncate(50);
    w.files().truncate(w.inode(ino), 64);
    hello.truncate(64);
    assertThat(w.inode(ino).hasFlag(dev.vdisk.ext4.internal.Inode.FL_INLINE_DATA)).isTrue();
    // a second inline file that grows past the inode by truncation
    long smallIno = w.createFile(2, "small.txt", 0644);
    small = new ModelFile("small.txt", smallIno);
    MutableInode si = w.inode(smallIno);
    assertThat(w.inline().capacity(si)).isGreaterThan(60);
    if (!si.hasFlag(dev.vdisk.ext4.internal.Inode.FL_INLINE_DATA)) {
      // made as an extent file: make it inline as the kernel makes new files here
      assertThat(w.inline().tryStore(si, new byte[0])).isTrue();
      w.putInode(si);
    }
    {
      byte[] b = randomBytes(rnd, 30);
      w.files().write(w.inode(smallIno), 0, ByteBuffer.wrap(b));
      small.write(0, b);
      assertThat(w.inode(smallIno).hasFlag(dev.vdisk.ext4.internal.Inode.FL_INLINE_DATA))
          .isTrue();
      w.files().truncate(w.inode(smallIno), 5000);
      small.truncate(5000);
      assertThat(w.inode(smallIno).hasFlag(dev.vdisk.ext4.internal.Inode.FL_INLINE_DATA))
          .isFalse();
    }
    commitAndSave();
    fsckClean("inline in place");
    open();
    // past the inode's room: moved to blocks, then written
    byte[] big = randomBytes(rnd, 10_000);
    w.files().write(w.inode(ino), 100, ByteBuffer.wrap(big));
    hello.write(100, big);
    MutableInode after = w.inode(ino);
    assertThat(after.hasFlag(dev.vdisk.ext4.internal.Inode.FL_INLINE_DATA)).isFalse();
    assertThat(after.hasFlag(dev.vdisk.ext4.internal.Inode.FL_EXTENTS)).isTrue();
    commitAndSave();
    fsckClean("inline moved to blocks");
    assertContent("hello.txt", hello.data(), "inline moved to blocks");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      assertThat(Files.readAllBytes(mnt.resolve("hello.txt"))).isEqualTo(hello.data());
      assertThat(Files.readAllBytes(mnt.resolve("small.txt"))).isEqualTo(small.data());
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }
}
