package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.Namespace;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeded random sequences of create, mkdir, link, unlink, rmdir and rename through
 * {@link Namespace} on file systems made by {@code mke2fs} with many feature sets, checked against
 * an in-memory model of the tree: every operation's outcome (success or the POSIX error) matches
 * the model, {@code e2fsck -fn} is clean after every 50 operations, and at the end the kernel
 * (a loop mount) sees exactly the model's tree with its inode numbers and link counts.
 */
class Ext4NamespaceIT {
  @TempDir Path work;

  /** The model: directories by inode with their entries, and each inode's type. */
  static final class Model {
    final Map<Long, TreeMap<String, Long>> dirs = new HashMap<>();
    final Map<Long, Long> parent = new HashMap<>();
    final Map<Long, Character> type = new HashMap<>();

    int links(long ino) {
      if (type.get(ino) == 'd') {
        int n = 2;
        for (long c : dirs.get(ino).values()) {
          if (type.get(c) == 'd') {
            n++;
          }
        }
        return n;
      }
      int n = 0;
      for (TreeMap<String, Long> d : dirs.values()) {
        for (long c : d.values()) {
          if (c == ino) {
            n++;
          }
        }
      }
      return n;
    }

    boolean inside(long dir, long ancestor) {
      for (long cur = dir; ; cur = parent.get(cur)) {
        if (cur == ancestor) {
          return true;
        }
        if (cur == 2) {
          return false;
        }
      }
    }

    void tree(long dir, String path, TreeSet<String> out) {
      for (Map.Entry<String, Long> e : dirs.get(dir).entrySet()) {
        long ino = e.getValue();
        String p = path + "/" + e.getKey();
        if (p.equals("/lost+found")) {
          continue;
        }
        out.add(p + ":" + type.get(ino) + ":" + ino + ":" + links(ino));
        if (type.get(ino) == 'd') {
          tree(ino, p, out);
        }
      }
    }
  }

  /**
   * Whether this build has the full {@code FileData} (extent trees, block maps, freeing,
   * symbolic links: the files helper's {@code ExtentTree}). The tests of operations that free a
   * directory's blocks, write symbolic links or grow directories past four extents or twelve
   * blocks run only with it; they enable themselves once it is merged.
   */
  private static String name(Random rnd) {
    int k = rnd.nextInt(10);
    String base = "n" + rnd.nextInt(40);
    if (k < 6) {
      return base;
    }
    if (k < 9) {
      return base + "-" + "x".repeat(rnd.nextInt(60));
    }
    return base + "-" + "y".repeat(100 + rnd.nextInt(150));
  }

  private static void fsck(Path image, byte[] bytes, String what) throws IOException {
    Files.write(image, bytes);
    Oracles.Result r = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(r.out(), StandardCharsets.UTF_8)
        + new String(r.err(), StandardCharsets.UTF_8);
    assertThat(r.exitCode()).as("e2fsck -fn %s:%n%s", what, out).isZero();
  }

  @ParameterizedTest(name = "{0} seed {2}")
  @CsvSource({
      "ext2-4k,-t ext2 -b 4096,11",
      "ext2-1k-no-dir-index,'-t ext2 -b 1024 -O ^dir_index',12",
      "ext3-1k,-t ext3 -b 1024,13",
      "ext4-default,-t ext4,14",
      "ext4-default,-t ext4,15",
      "ext4-1k,-t ext4 -b 1024,16",
      "ext4-1k,-t ext4 -b 1024,17",
      "ext4-no-csum,'-t ext4 -O ^metadata_csum',18",
      "ext4-no-csum-1k,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg',19",
      "ext4-64bit-flex,'-t ext4 -O 64bit,flex_bg -G 4',20",
      "ext4-128-inodes-1k,'-t ext4 -b 1024 -I 128',21",
      "ext4-inline-data,'-t ext4 -O inline_data',22",
      "ext4-inline-data-1k,'-t ext4 -b 1024 -I 512 -O inline_data',23",
      "ext4-2k,'-t ext4 -b 2048',24",
      "ext2-no-filetype,'-t ext2 -b 1024 -O ^filetype',25",
  })
  void randomNamespaceSequencesStayCleanAndMatchTheModel(String fs, String options, long seed)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    System.out.println(fs + " seed " + seed);
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "32M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    Model m = new Model();
    m.dirs.put(2L, new TreeMap<>());
    m.parent.put(2L, 2L);
    m.type.put(2L, 'd');
    m.dirs.get(2L).put("hello.txt", ns.lookup(2, "hello.txt"));
    m.type.put(ns.lookup(2, "hello.txt"), 'f');
    long lf = ns.lookup(2, "lost+found");
    if (lf != 0) {
      m.dirs.get(2L).put("lost+found", lf);
      m.dirs.put(lf, new TreeMap<>());
      m.parent.put(lf, 2L);
      m.type.put(lf, 'd');
    }
    Random rnd = new Random(seed);
    int[] done = new int[8];
    int ops = 400;
    for (int op = 1; op <= ops; op++) {
      List<Long> dirList = new ArrayList<>(m.dirs.keySet());
      java.util.Collections.sort(dirList);
      long dir = dirList.get(rnd.nextInt(dirList.size()));
      TreeMap<String, Long> entries = m.dirs.get(dir);
      String nm = name(rnd);
      int kind = rnd.nextInt(100);
      String what = "op " + op + " seed " + seed;
      Class<? extends Exception> expected = null;
      Exception thrown = null;
      int k;
      try {
        if (kind < 4) {
          k = 7;
          String target = "t".repeat(1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 300));
          expected = entries.containsKey(nm) ? FileAlreadyExistsException.class : null;
          long ino = ns.symlink(dir, nm, target, 0, 0);
          entries.put(nm, ino);
          m.type.put(ino, 'l');
        } else if (kind < 30) {
          k = 0;
          expected = entries.containsKey(nm) ? FileAlreadyExistsException.class : null;
          long ino = ns.create(dir, nm, 0100644, 1000, 1000);
          entries.put(nm, ino);
          m.type.put(ino, 'f');
        } else if (kind < 45) {
          k = 1;
          expected = entries.containsKey(nm) ? FileAlreadyExistsException.class : null;
          long ino = ns.mkdir(dir, nm, 0755, 0, 0);
          entries.put(nm, ino);
          m.type.put(ino, 'd');
          m.dirs.put(ino, new TreeMap<>());
          m.parent.put(ino, dir);
        } else if (kind < 55) {
          k = 2;
          List<Long> files = new ArrayList<>();
          m.type.forEach((key, v) -> {
            if (v == 'f') {
              files.add(key);
            }
          });
          java.util.Collections.sort(files);
          long target = files.get(rnd.nextInt(files.size()));
          expected = entries.containsKey(nm) ? FileAlreadyExistsException.class : null;
          ns.link(dir, nm, target);
          entries.put(nm, target);
        } else if (kind < 70) {
          k = 3;
          String victim = pick(entries, rnd, nm);
          Long ino = entries.get(victim);
          expected = ino == null ? NoSuchFileException.class
              : m.type.get(ino) == 'd' ? FileSystemException.class : null;
          ns.unlink(dir, victim);
          entries.remove(victim);
          if (m.links(ino) == 0) {
            m.type.remove(ino);
          }
        } else if (kind < 80) {
          k = 4;
          String victim = pick(entries, rnd, nm);
          if (rnd.nextInt(3) > 0) {
            for (Map.Entry<String, Long> e : entries.entrySet()) {
              if (m.type.get(e.getValue()) == 'd' && m.dirs.get(e.getValue()).isEmpty()
                  && rnd.nextBoolean()) {
                victim = e.getKey();
                break;
              }
            }
          }
          Long ino = entries.get(victim);
          expected = ino == null ? NoSuchFileException.class
              : m.type.get(ino) != 'd' ? NotDirectoryException.class
              : !m.dirs.get(ino).isEmpty() ? DirectoryNotEmptyException.class : null;
          ns.rmdir(dir, victim);
          entries.remove(victim);
          m.dirs.remove(ino);
          m.parent.remove(ino);
          m.type.remove(ino);
        } else {
          k = 5;
          String from = pick(entries, rnd, nm);
          long toDir = dirList.get(rnd.nextInt(dirList.size()));
          String to = rnd.nextInt(3) == 0 ? pick(m.dirs.get(toDir), rnd, nm) : name(rnd);
          expected = renameError(m, dir, from, toDir, to);
          ns.rename(dir, from, toDir, to);
          renameInModel(m, dir, from, toDir, to);
        }
        assertThat(expected).as(what + ": succeeded where the model expects an error").isNull();
        done[k]++;
      } catch (IOException e) {
        thrown = e;
      }
      if (thrown != null) {
        if (expected == null || thrown.getClass() != expected) {
          throw new AssertionError(what + ": expected " + expected + " but got " + thrown,
              thrown);
        }
        done[6]++;
      }
      w.maybeCommit();
      if (op % 50 == 0) {
        w.commit();
        fsck(image, bytes, "after " + op + " operations (" + fs + ", seed " + seed + ")");
      } else if (rnd.nextInt(10) == 0) {
        w.commit();
      }
    }
    System.out.printf("%s seed %d: create %d, mkdir %d, link %d, unlink %d, rmdir %d, rename %d,"
        + " symlink %d, refused %d%n", fs, seed, done[0], done[1], done[2], done[3], done[4],
        done[5], done[7], done[6]);
    assertThat(done[0] + done[1]).isGreaterThan(100);
    assertThat(done[3]).isPositive();
    assertThat(done[4]).isPositive();
    assertThat(done[5]).isPositive();
    TreeSet<String> expected = new TreeSet<>();
    m.tree(2, "", expected);
    assertThat(kernelTree(image)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext2,-t ext2 -b 1024",
      "ext4,-t ext4",
      "ext4-no-csum,'-t ext4 -b 1024 -O ^metadata_csum,uninit_bg'",
  })
  void renameEdgeCasesFollowPosixAndKeepLinkCountsAndDotDot(String fs, String options)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "16M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long a = ns.mkdir(2, "a", 0755, 0, 0);
    long b = ns.mkdir(2, "b", 0755, 0, 0);
    long c = ns.mkdir(2, "c", 0755, 0, 0);
    long sub = ns.mkdir(a, "sub", 0755, 0, 0);
    long deep = ns.mkdir(sub, "deep", 0755, 0, 0);
    long f1 = ns.create(a, "f1", 0644, 0, 0);
    long f2 = ns.create(b, "f2", 0644, 0, 0);
    ns.link(b, "f1link", f1);
    long empty = ns.mkdir(b, "empty", 0700, 0, 0);
    long nonempty = ns.mkdir(c, "nonempty", 0755, 0, 0);
    ns.create(nonempty, "x", 0644, 0, 0);
    long gone = ns.create(c, "gone", 0644, 0, 0);
    long keep = ns.create(c, "keep", 0644, 0, 0);
    long e1 = ns.mkdir(c, "e1", 0755, 0, 0);
    long e2 = ns.mkdir(c, "e2", 0755, 0, 0);

    // into its own subtree, or onto itself
    assertThatThrownBy(() -> ns.rename(a, "sub", deep, "x"))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("Invalid argument");
    assertThatThrownBy(() -> ns.rename(2, "a", sub, "y"))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("Invalid argument");
    assertThatThrownBy(() -> ns.rename(a, "sub", sub, "z"))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("Invalid argument");
    ns.rename(a, "sub", a, "sub");
    // two names of one inode: nothing happens
    ns.rename(a, "f1", b, "f1link");
    assertThat(ns.lookup(a, "f1")).isEqualTo(f1);
    assertThat(ns.lookup(b, "f1link")).isEqualTo(f1);
    // type mismatches, non-empty target, missing source
    assertThatThrownBy(() -> ns.rename(a, "sub", b, "f2"))
        .isInstanceOf(NotDirectoryException.class);
    assertThatThrownBy(() -> ns.rename(b, "f2", a, "sub"))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("Is a directory");
    assertThatThrownBy(() -> ns.rename(b, "empty", c, "nonempty"))
        .isInstanceOf(DirectoryNotEmptyException.class);
    assertThatThrownBy(() -> ns.rename(b, "nothing", c, "x"))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> ns.rename(b, "..", c, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    // a directory over an empty directory in another parent
    ns.rename(a, "sub", b, "empty");
    assertThat(ns.lookup(b, "empty")).isEqualTo(sub);
    assertThat(ns.lookup(a, "sub")).isZero();
    // a file over the last-but-one name of another inode, then over the last name of one
    ns.rename(b, "f2", b, "f1link");
    ns.rename(c, "keep", c, "gone");
    // a directory over an empty directory in the same parent; a plain rename of a directory
    ns.rename(c, "e1", c, "e2");
    ns.rename(c, "e2", c, "e3");
    // a directory moved to another parent without replacing anything
    ns.rename(c, "e3", a, "moved");
    w.commit();
    Files.write(image, bytes);
    fsck(image, bytes, "after the rename edge cases on " + fs);

    String lsB = Oracles.runOk("debugfs", "-R", "ls -l /b/empty", image.toString());
    assertThat(lsB).containsPattern("\\b" + b + "\\s.*\\.\\.").contains("deep");
    Map<String, String> expected = new TreeMap<>();
    expected.put("/a", "d:" + a + ":3");
    expected.put("/a/f1", "f:" + f1 + ":1");
    expected.put("/a/moved", "d:" + e1 + ":2");
    expected.put("/b", "d:" + b + ":3");
    expected.put("/b/empty", "d:" + sub + ":3");
    expected.put("/b/empty/deep", "d:" + deep + ":2");
    expected.put("/b/f1link", "f:" + f2 + ":1");
    expected.put("/c", "d:" + c + ":3");
    expected.put("/c/nonempty", "d:" + nonempty + ":2");
    expected.put("/c/nonempty/x", "f:" + ns.lookup(nonempty, "x") + ":1");
    expected.put("/c/gone", "f:" + keep + ":1");
    expected.put("/hello.txt", "f:" + ns.lookup(2, "hello.txt") + ":1");
    TreeSet<String> want = new TreeSet<>();
    expected.forEach((k, v) -> want.add(k + ":" + v));
    assertThat(kernelTree(image)).isEqualTo(want);
    String stat = Oracles.runOk("debugfs", "-R", "stat <" + gone + ">", image.toString());
    assertThat(stat).containsPattern("Links: 0\\b").containsPattern("dtime: 0x[0-9a-f]+");
    assertThat(Oracles.runOk("debugfs", "-R", "testi <" + e2 + ">", image.toString()))
        .contains("not in use");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ext2,-t ext2", "ext4,-t ext4"})
  void devicesFifosAndSocketsAsTheKernelSeesThem(String fs, String options) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "16M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long dev = ns.mkdir(2, "dev", 0755, 0, 0);
    ns.create(dev, "null", 0020666, 0, 0, (1 << 8) | 3);
    ns.create(dev, "sdx", 0060660, 0, 6, (8 << 8) | (300 & 0xFF) | ((300 & ~0xFF) << 12));
    ns.create(dev, "fifo", 0010600, 1000, 1000);
    ns.create(dev, "sock", 0140755, 70000, 70001);
    w.commit();
    fsck(image, bytes, "after mknod on " + fs);
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      Path d = mnt.resolve("dev");
      assertThat(Files.getAttribute(d.resolve("null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo((1L << 8) | 3);
      assertThat(Files.getAttribute(d.resolve("sdx"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo((8L << 8) | (300 & 0xFF) | ((300L & ~0xFF) << 12));
      assertThat(Files.getAttribute(d.resolve("null"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(0020666);
      assertThat(Files.getAttribute(d.resolve("sdx"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(0060660);
      assertThat(Files.getAttribute(d.resolve("sdx"), "unix:gid", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(6);
      assertThat(Files.getAttribute(d.resolve("fifo"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(0010600);
      assertThat(Files.getAttribute(d.resolve("sock"), "unix:mode", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(0140755);
      assertThat(Files.getAttribute(d.resolve("sock"), "unix:uid", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(70000);
      assertThat(Files.getAttribute(d.resolve("sock"), "unix:gid", LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(70001);
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    Ext4Writer w2 = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    for (String n : List.of("null", "sdx", "fifo", "sock")) {
      w2.namespace().unlink(dev, n);
    }
    w2.namespace().rmdir(2, "dev");
    w2.commit();
    fsck(image, bytes, "after removing the special files on " + fs);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-1k,'-t ext4 -b 1024 -N 4096',41",
      "ext2-1k,'-t ext2 -b 1024 -N 4096',42",
      "ext4-4k-inodes,'-t ext4 -b 4096 -N 256',43",
  })
  void runningOutOfBlocksOrInodesFailsClearlyAndLeavesACleanFileSystem(String fs,
      String options, long seed) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    System.out.println(fs + " seed " + seed);
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "3M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    Random rnd = new Random(seed);
    List<Long> dirs = new ArrayList<>(List.of(2L));
    int made = 0;
    IOException refusal = null;
    for (int i = 0; i < 100_000 && refusal == null; i++) {
      long parent = dirs.get(rnd.nextInt(dirs.size()));
      String n = "e" + i + "-" + "w".repeat(rnd.nextInt(200));
      try {
        if (rnd.nextBoolean()) {
          dirs.add(ns.mkdir(parent, n, 0755, 0, 0));
        } else {
          ns.create(parent, n, 0644, 0, 0);
        }
        made++;
        w.maybeCommit();
      } catch (IOException e) {
        refusal = e;
      }
    }
    assertThat(refusal).isNotNull();
    assertThat(refusal.getMessage()).containsAnyOf("no space left", "no free inodes");
    System.out.println(fs + ": " + made + " made, then: " + refusal.getMessage());
    w.commit();
    fsck(image, bytes, "after running out (" + fs + ")");
    // what remains possible still works, and removal gives the space back
    ns.rmdir(2, "lost+found");
    w.commit();
    fsck(image, bytes, "after a removal at the limit (" + fs + ")");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-inline,'-t ext4 -O inline_data'",
      "ext4-inline-1k-no-csum,'-t ext4 -b 1024 -I 1024 -O inline_data,^metadata_csum'",
  })
  void inlineDirectoriesGrowIntoABlockAndKeepTheirParent(String fs, String options)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "16M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long d = ns.mkdir(2, "d", 0755, 0, 0);
    long d2 = ns.mkdir(2, "d2", 0755, 0, 0);
    long sub = ns.mkdir(d2, "sub", 0755, 0, 0);
    ns.create(d, "a", 0644, 0, 0);
    w.commit();
    fsck(image, bytes, "with inline directories (" + fs + ")");
    String stat = Oracles.runOk("debugfs", "-R", "stat /d", image.toString());
    assertThat(stat).contains("Flags: 0x10000000").contains("Size of inline data: 60");
    // moving an inline directory rewrites its inline '..'
    ns.rename(d2, "sub", d, "sub");
    w.commit();
    fsck(image, bytes, "after moving an inline directory (" + fs + ")");
    assertThat(Oracles.runOk("debugfs", "-R", "ls -l /d/sub", image.toString()))
        .containsPattern("\\b" + d + "\\s.*\\.\\.");
    // grow d through the system.data area into a block
    Set<String> names = new TreeSet<>(List.of("a", "sub"));
    boolean grewXattr = false;
    int i = 0;
    while (true) {
      String n = "entry-" + i++ + "-" + "k".repeat(i % 13);
      ns.create(d, n, 0644, 0, 0);
      names.add(n);
      w.commit();
      fsck(image, bytes, "after " + i + " entries in an inline directory (" + fs + ")");
      String st = Oracles.runOk("debugfs", "-R", "stat /d", image.toString());
      if (!st.contains("Flags: 0x10000000")) {
        break;
      }
      grewXattr |= !st.contains("Size of inline data: 60");
      assertThat(i).isLessThan(200);
    }
    assertThat(grewXattr).as("the entries grew into system.data before the block").isTrue();
    // remove a few, then everything, from the (now block) directory and an inline one
    List<String> all = new ArrayList<>(names);
    for (int k = 0; k < all.size(); k += 2) {
      if (!all.get(k).equals("sub")) {
        ns.unlink(d, all.get(k));
        names.remove(all.get(k));
      }
    }
    long inl = ns.mkdir(2, "inl", 0755, 0, 0);
    ns.create(inl, "x", 0644, 0, 0);
    ns.create(inl, "y", 0644, 0, 0);
    ns.unlink(inl, "x");
    ns.rename(inl, "y", inl, "z");
    w.commit();
    fsck(image, bytes, "after removals (" + fs + ")");
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      Set<String> listed = new TreeSet<>();
      try (var st = Files.list(mnt.resolve("d"))) {
        st.forEach(p -> listed.add(p.getFileName().toString()));
      }
      assertThat(listed).isEqualTo(names);
      try (var st = Files.list(mnt.resolve("inl"))) {
        assertThat(st.map(p -> p.getFileName().toString())).containsExactly("z");
      }
      assertThat(Files.isDirectory(mnt.resolve("d/sub"))).isTrue();
      assertThat(Files.exists(mnt.resolve("d2/sub"))).isFalse();
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    ns.unlink(inl, "z");
    ns.rmdir(2, "inl");
    ns.rmdir(d, "sub");
    ns.rmdir(2, "d2");
    w.commit();
    fsck(image, bytes, "after removing inline directories (" + fs + ")");
    assertThat(inl).isPositive();
    assertThat(sub).isPositive();
  }

  /** The error POSIX rename gives for this model state, or null. */
  static Class<? extends Exception> renameError(Model m, long fromDir, String from, long toDir,
      String to) {
    Long src = m.dirs.get(fromDir).get(from);
    if (src == null) {
      return NoSuchFileException.class;
    }
    Long dst = m.dirs.get(toDir).get(to);
    if (dst != null && dst.equals(src)) {
      return null;
    }
    boolean srcDir = m.type.get(src) == 'd';
    if (srcDir && m.inside(toDir, src)) {
      return FileSystemException.class;
    }
    if (dst != null) {
      boolean dstDir = m.type.get(dst) == 'd';
      if (srcDir && !dstDir) {
        return NotDirectoryException.class;
      }
      if (!srcDir && dstDir) {
        return FileSystemException.class;
      }
      if (dstDir && !m.dirs.get(dst).isEmpty()) {
        return DirectoryNotEmptyException.class;
      }
    }
    return null;
  }

  /** Applies a (valid) rename to the model. */
  static void renameInModel(Model m, long fromDir, String from, long toDir, String to) {
    Long src = m.dirs.get(fromDir).get(from);
    Long dst = m.dirs.get(toDir).get(to);
    if (dst != null && dst.equals(src)) {
      return;
    }
    m.dirs.get(fromDir).remove(from);
    m.dirs.get(toDir).put(to, src);
    if (m.type.get(src) == 'd') {
      m.parent.put(src, toDir);
    }
    if (dst != null) {
      if (m.type.get(dst) == 'd') {
        m.dirs.remove(dst);
        m.parent.remove(dst);
        m.type.remove(dst);
      } else if (m.links(dst) == 0) {
        m.type.remove(dst);
      }
    }
  }

  private static String pick(Map<String, Long> entries, Random rnd, String fallback) {
    if (entries.isEmpty() || rnd.nextInt(8) == 0) {
      return fallback;
    }
    List<String> names = new ArrayList<>(entries.keySet());
    return names.get(rnd.nextInt(names.size()));
  }

  /** The tree as a loop mount shows it: path, type, inode number, link count. */
  TreeSet<String> kernelTree(Path image) throws Exception {
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    TreeSet<String> kernel = new TreeSet<>();
    try (var walk = Files.walk(mnt)) {
      walk.filter(x -> !x.equals(mnt)).forEach(x -> {
        String rel = "/" + mnt.relativize(x).toString();
        if (rel.startsWith("/lost+found")) {
          return;
        }
        try {
          char t = Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS) ? 'd'
              : Files.isSymbolicLink(x) ? 'l' : 'f';
          long ino = (Long) Files.getAttribute(x, "unix:ino", LinkOption.NOFOLLOW_LINKS);
          int nlink = (Integer) Files.getAttribute(x, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
          kernel.add(rel + ":" + t + ":" + ino + ":" + nlink);
        } catch (IOException e) {
          fail("stat " + x + ": " + e);
        }
      });
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    return kernel;
  }
}
