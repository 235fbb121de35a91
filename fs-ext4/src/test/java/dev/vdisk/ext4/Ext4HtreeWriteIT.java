package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.DirHash;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.Namespace;
import dev.vdisk.ext4.internal.Superblock;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hashed (htree) directories written by {@link Namespace}: 50,000 entries in one directory, then
 * half of them removed. {@code e2fsck -fn} is clean; the kernel lists exactly the remaining names
 * and finds each through its htree lookup (and none of the removed ones); and
 * {@code e2fsck -fyD} (the optimiser; {@code -D} cannot run with {@code -n}) reports nothing on
 * our image beyond what it reports on one the kernel built with the same operations, whose
 * directory has about as many blocks.
 */
class Ext4HtreeWriteIT {
  @TempDir Path work;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,'-t ext4 -b 4096 -N 120000',50000,1",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -N 120000 -O ^metadata_csum',50000,2",
  })
  void fiftyThousandEntriesThenHalfRemovedKeepAValidIndex(String fs, String options, int count,
      long seed) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("loop mounts");
    System.out.println(fs + " seed " + seed);
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "256M");
    Path kernelImage = work.resolve(fs + "-kernel.img");
    Files.copy(image, kernelImage);
    Random rnd = new Random(seed);
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(String.format("f%06d-%s", i, "z".repeat(rnd.nextInt(24))));
    }
    List<String> removed = new ArrayList<>(names);
    Collections.shuffle(removed, rnd);
    removed = removed.subList(0, count / 2);
    Set<String> remaining = new TreeSet<>(names);
    removed.forEach(remaining::remove);

    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long big = ns.mkdir(Namespace.ROOT_INO, "big", 0755, 0, 0);
    for (String n : names) {
      ns.create(big, n, 0644, 0, 0);
      w.maybeCommit();
    }
    w.commit();
    Files.write(image, bytes);
    fsckClean(image, "after " + count + " creates");
    for (String n : removed) {
      ns.unlink(big, n);
      w.maybeCommit();
    }
    w.commit();
    Files.write(image, bytes);
    fsckClean(image, "after removing half");

    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      Set<String> listed = new TreeSet<>();
      try (var s = Files.list(mnt.resolve("big"))) {
        s.forEach(p -> listed.add(p.getFileName().toString()));
      }
      assertThat(listed).isEqualTo(remaining);
      for (int i = 0; i < 4000; i++) {
        String n = names.get(rnd.nextInt(count));
        assertThat(Files.exists(mnt.resolve("big").resolve(n))).as(n)
            .isEqualTo(remaining.contains(n));
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }

    // the same operations by the kernel
    Oracles.runOk("mount", "-o", "loop", kernelImage.toString(), mnt.toString());
    try {
      Path kbig = Files.createDirectory(mnt.resolve("big"));
      for (String n : names) {
        Files.createFile(kbig.resolve(n));
      }
      for (String n : removed) {
        Files.delete(kbig.resolve(n));
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    fsckClean(kernelImage, "kernel-made");
    long ourBlocks = dirSize(image) / blockSize(image);
    long kernelBlocks = dirSize(kernelImage) / blockSize(kernelImage);
    String ours = optimise(image);
    String kernels = optimise(kernelImage);
    System.out.printf("%s: /big has %d blocks (kernel-made: %d)%n%s%n-- kernel-made:%n%s%n", fs,
        ourBlocks, kernelBlocks, ours, kernels);
    assertThat(ours.lines().toList()).as("e2fsck -fyD reports nothing beyond what it reports "
        + "for the kernel-made directory").isSubsetOf(kernels.lines().toList());
    assertThat(ours).startsWith("exit 0");
    assertThat((double) ourBlocks).isBetween(kernelBlocks * 0.8, kernelBlocks * 1.25);
  }

  /**
   * Names whose htree hashes collide pairwise (a birthday search over the image's hash seed and
   * version), so leaf splits sometimes fall between equal hashes and need the continuation bit.
   */
  static List<String> collidingNames(Superblock sb, int max) {
    int version = sb.defHashVersion + ((sb.flags & 0x2) != 0 ? 3 : 0);
    int n = 1 << 20;
    long[] keyed = new long[n];
    for (int i = 0; i < n; i++) {
      int h = DirHash.hash(version, ("c" + i).getBytes(StandardCharsets.UTF_8), sb.hashSeed);
      keyed[i] = ((h & 0xFFFFFFFFL) << 32) | i;
    }
    java.util.Arrays.sort(keyed);
    List<String> out = new ArrayList<>();
    for (int i = 1; i < n && out.size() < max; i++) {
      if ((keyed[i] >>> 32) == (keyed[i - 1] >>> 32)) {
        out.add("c" + (int) keyed[i - 1]);
        out.add("c" + (int) keyed[i]);
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0} seed {2}")
  @CsvSource({
      "ext4-1k,'-t ext4 -b 1024 -N 40000',31",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -N 40000 -O ^metadata_csum',32",
      "ext4-4k,'-t ext4 -b 4096 -N 40000',33",
      "ext3-1k,'-t ext3 -b 1024 -N 40000',34",
      "ext4-1k-tea,'-t ext4 -N 40000|tea',35",
      "ext4-1k-legacy,'-t ext4 -b 1024 -N 40000|legacy',37",
  })
  void randomChurnInAnHtreeWithCollidingHashes(String fs, String options, long seed)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    String[] parts = options.split("\\|");
    System.out.println(fs + " seed " + seed);
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, parts[0], "96M");
    if (parts.length > 1) {
      Oracles.runOk("tune2fs", "-E", "hash_alg=" + parts[1], image.toString());
    }
    // a fixed hash seed, so the seed alone decides the names and their collisions
    Oracles.runOk("debugfs", "-w", "-R", "ssv hash_seed 6c0b2a37-1f4e-4d8a-9b1c-2e3f4a5b6c7d",
        image.toString());
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    List<String> colliding = collidingNames(w.superblock(), 400);
    assertThat(colliding).hasSizeGreaterThan(100);
    Random rnd = new Random(seed);
    long big = ns.mkdir(Namespace.ROOT_INO, "big", 0755, 0, 0);
    long other = ns.mkdir(Namespace.ROOT_INO, "other", 0755, 0, 0);
    java.util.Map<String, Long> inBig = new java.util.HashMap<>();
    java.util.Map<String, Long> inOther = new java.util.HashMap<>();
    Set<String> everUsed = new TreeSet<>();
    int ops = 12000;
    for (int op = 1; op <= ops; op++) {
      int k = rnd.nextInt(100);
      String nm = rnd.nextInt(4) == 0 ? colliding.get(rnd.nextInt(colliding.size()))
          : "r" + rnd.nextInt(20000) + "-" + "q".repeat(rnd.nextInt(rnd.nextInt(8) == 0 ? 240 : 30));
      everUsed.add(nm);
      if (k < 60) {
        if (inBig.containsKey(nm)) {
          assertThatThrownBy(() -> ns.create(big, nm, 0644, 0, 0))
              .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
        } else {
          inBig.put(nm, ns.create(big, nm, 0644, 0, 0));
        }
      } else if (k < 80 && !inBig.isEmpty()) {
        String v = any(inBig, rnd);
        ns.unlink(big, v);
        inBig.remove(v);
      } else if (k < 90 && !inBig.isEmpty()) {
        String v = any(inBig, rnd);
        ns.rename(big, v, big, nm);
        long ino = inBig.remove(v);
        inBig.put(nm, ino);
      } else if (k < 95 && !inBig.isEmpty()) {
        String v = any(inBig, rnd);
        ns.rename(big, v, other, nm);
        inOther.put(nm, inBig.remove(v));
      } else if (!inOther.isEmpty()) {
        String v = any(inOther, rnd);
        ns.rename(other, v, big, nm);
        inBig.put(nm, inOther.remove(v));
      }
      w.maybeCommit();
      if (op % 3000 == 0) {
        w.commit();
        Files.write(image, bytes);
        fsckClean(image, "after " + op + " operations (" + fs + ", seed " + seed + ")");
      }
    }
    String htree = Oracles.runOk("debugfs", "-R", "htree /big", image.toString());
    Matcher m = Pattern.compile("Entry #\\d+: Hash 0x([0-9a-f]{8}), block").matcher(htree);
    int entries = 0;
    int continued = 0;
    while (m.find()) {
      entries++;
      if ((Long.parseLong(m.group(1), 16) & 1) != 0) {
        continued++;
      }
    }
    System.out.printf("%s seed %d: %d names in /big, %d index entries, %d with the continuation"
        + " bit%n", fs, seed, inBig.size(), entries, continued);
    assertThat(entries).isGreaterThan(50);
    if (!fs.equals("ext4-4k")) {
      assertThat(continued).as("index entries with the continuation bit").isPositive();
    }
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      for (var e : List.of(java.util.Map.entry("big", inBig), java.util.Map.entry("other",
          inOther))) {
        java.util.Map<String, Long> listed = new java.util.TreeMap<>();
        try (var s = Files.list(mnt.resolve(e.getKey()))) {
          for (Path p : (Iterable<Path>) s::iterator) {
            listed.put(p.getFileName().toString(),
                (Long) Files.getAttribute(p, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS));
          }
        }
        assertThat(listed).isEqualTo(new java.util.TreeMap<>(e.getValue()));
      }
      for (String n : everUsed) {
        assertThat(Files.exists(mnt.resolve("big").resolve(n))).as("kernel lookup of " + n)
            .isEqualTo(inBig.containsKey(n));
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-dir-nlink,'-t ext4 -b 1024 -N 70000 -I 128 -O ^metadata_csum,^uninit_bg',true",
      "ext2-no-dir-nlink,'-t ext2 -b 1024 -N 70000 -I 128',false",
  })
  void aDirectoryPast65000SubdirectoriesCountsOneLinkOrIsRefused(String fs, String options,
      boolean dirNlink) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "100M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long many = ns.mkdir(Namespace.ROOT_INO, "many", 0755, 0, 0);
    for (int i = 0; i < 64998; i++) {
      ns.mkdir(many, "d" + i, 0755, 0, 0);
      w.maybeCommit();
    }
    w.commit();
    assertThat(w.inode(many).links()).isEqualTo(65000);
    if (dirNlink) {
      ns.mkdir(many, "one-more", 0755, 0, 0);
      ns.mkdir(many, "and-another", 0755, 0, 0);
      w.commit();
      assertThat(w.inode(many).links()).isEqualTo(1);
    } else {
      assertThatThrownBy(() -> ns.mkdir(many, "one-more", 0755, 0, 0))
          .isInstanceOf(java.nio.file.FileSystemException.class)
          .hasMessageContaining("Too many links");
      ns.create(many, "a-file-still-fits", 0644, 0, 0);
      w.commit();
    }
    Files.write(image, bytes);
    fsckClean(image, "with 65000 subdirectories (" + fs + ")");
    assertThat(Oracles.runOk("debugfs", "-R", "stat /many", image.toString()))
        .containsPattern("Links: " + (dirNlink ? 1 : 65000) + "\\b");
    if (dirNlink) {
      ns.rmdir(many, "d17");
      w.commit();
      assertThat(w.inode(many).links()).as("stays 1, as the kernel keeps it").isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "large_dir {0}")
  @CsvSource({"false", "true"})
  void aThirdIndexLevelNeedsLargeDir(boolean largeDir) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    String options = "-t ext4 -b 1024 -N 60000 -O ^metadata_csum,^uninit_bg"
        + (largeDir ? ",large_dir" : "");
    Path image = Ext4Fixtures.mke2fsWithHello(work, "levels", options, "160M");
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long big = ns.mkdir(Namespace.ROOT_INO, "big", 0755, 0, 0);
    List<String> names = new ArrayList<>();
    java.io.IOException refusal = null;
    int levels = 0;
    for (int i = 0; i < 50_000 && refusal == null; i++) {
      String n = String.format("L%06d-%s", i, "p".repeat(230));
      try {
        ns.create(big, n, 0644, 0, 0);
        names.add(n);
      } catch (java.io.IOException e) {
        refusal = e;
      }
      w.maybeCommit();
      if (i % 500 == 0) {
        var dir = w.inode(big);
        levels = w.metaBlock(w.files().map(dir, 0))[0x1E];
        if (largeDir && levels == 2) {
          // a few thousand more beyond the third level's birth
          for (int k = 0; k < 3000; k++) {
            String m = String.format("M%06d-%s", k, "p".repeat(100));
            ns.create(big, m, 0644, 0, 0);
            names.add(m);
            w.maybeCommit();
          }
          break;
        }
      }
    }
    System.out.printf("large_dir %s: %d names, %d indirect levels, refusal: %s%n", largeDir,
        names.size(), levels, refusal);
    if (largeDir) {
      assertThat(levels).isEqualTo(2);
      assertThat(refusal).isNull();
      for (int k = 0; k < names.size(); k += 3) {
        ns.unlink(big, names.get(k));
        w.maybeCommit();
      }
    } else {
      assertThat(refusal).isNotNull().hasMessageContaining("large_dir");
      assertThat(names.size()).isGreaterThan(15000);
    }
    w.commit();
    Files.write(image, bytes);
    fsckClean(image, "with " + names.size() + " long names, large_dir " + largeDir);
    Oracles.requireRoot("loop mounts");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      Random rnd = new Random(7);
      for (int t = 0; t < 3000; t++) {
        int k = rnd.nextInt(names.size());
        assertThat(Files.exists(mnt.resolve("big").resolve(names.get(k)))).as(names.get(k))
            .isEqualTo(!largeDir || k % 3 != 0);
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-4k,-t ext4 -b 4096",
      "ext4-1k-no-csum,'-t ext4 -b 1024 -O ^metadata_csum'",
  })
  void aKernelMadeHtreeTakesOurAddsRemovesAndRenames(String fs, String options)
      throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("loop mounts");
    Path image = Ext4Fixtures.mke2fsWithHello(work, fs, options, "64M");
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Set<String> model = new TreeSet<>();
    Oracles.runOk("mount", "-o", "loop", image.toString(), mnt.toString());
    try {
      Path k = Files.createDirectory(mnt.resolve("k"));
      for (int i = 0; i < 6000; i++) {
        String n = "kernel-" + i + "-" + "h".repeat(i % 17);
        Files.createFile(k.resolve(n));
        model.add(n);
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    byte[] bytes = Files.readAllBytes(image);
    Ext4Writer w = Ext4Writer.open(new MemoryBlockDevice(bytes, true, image.toString(), 512));
    Namespace ns = w.namespace();
    long k = ns.lookup(Namespace.ROOT_INO, "k");
    assertThat(w.inode(k).hasFlag(dev.vdisk.ext4.internal.Inode.FL_INDEX)).isTrue();
    Random rnd = new Random(3);
    List<String> kernelNames = new ArrayList<>(model);
    for (int i = 0; i < 6000; i++) {
      String n = "ours-" + i + "-" + "o".repeat(rnd.nextInt(40));
      ns.create(k, n, 0644, 0, 0);
      model.add(n);
      w.maybeCommit();
    }
    for (int i = 0; i < kernelNames.size(); i += 2) {
      ns.unlink(k, kernelNames.get(i));
      model.remove(kernelNames.get(i));
      w.maybeCommit();
    }
    for (int i = 1; i < kernelNames.size(); i += 10) {
      String to = "moved-" + i;
      ns.rename(k, kernelNames.get(i), k, to);
      model.remove(kernelNames.get(i));
      model.add(to);
      w.maybeCommit();
    }
    w.commit();
    Files.write(image, bytes);
    fsckClean(image, "after our edits of a kernel-made htree (" + fs + ")");
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      Set<String> listed = new TreeSet<>();
      try (var s = Files.list(mnt.resolve("k"))) {
        s.forEach(p -> listed.add(p.getFileName().toString()));
      }
      assertThat(listed).isEqualTo(model);
      for (String n : kernelNames) {
        assertThat(Files.exists(mnt.resolve("k").resolve(n))).as(n)
            .isEqualTo(model.contains(n));
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  private static String any(java.util.Map<String, Long> m, Random rnd) {
    List<String> keys = new ArrayList<>(new TreeSet<>(m.keySet()));
    return keys.get(rnd.nextInt(keys.size()));
  }

  private static void fsckClean(Path image, String what) {
    Oracles.Result r = Oracles.run("e2fsck", "-fn", image.toString());
    assertThat(r.exitCode()).as("e2fsck -fn %s:%n%s", what,
        new String(r.out(), StandardCharsets.UTF_8)).isZero();
  }

  private static long dirSize(Path image) {
    Matcher m = Pattern.compile("Size: (\\d+)").matcher(
        Oracles.runOk("debugfs", "-R", "stat /big", image.toString()));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static long blockSize(Path image) {
    Matcher m = Pattern.compile("Block size:\\s+(\\d+)").matcher(
        Oracles.runOk("dumpe2fs", "-h", image.toString()));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** What {@code e2fsck -fyD} says and does on a copy, without the lines naming the image. */
  private String optimise(Path image) throws Exception {
    Path copy = work.resolve("optimise.img");
    Files.copy(image, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Oracles.Result r = Oracles.run("e2fsck", "-fyD", copy.toString());
    StringBuilder sb = new StringBuilder("exit " + r.exitCode() + "\n");
    for (String line : new String(r.out(), StandardCharsets.UTF_8).split("\n")) {
      if (!line.contains(copy.toString()) && !line.contains("files (")) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }
}
