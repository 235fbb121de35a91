package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.ext4.internal.Ext4Writer;
import dev.vdisk.ext4.internal.Namespace;
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
    }
    w.commit();
    Files.write(image, bytes);
    fsckClean(image, "after " + count + " creates");
    for (String n : removed) {
      ns.unlink(big, n);
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
