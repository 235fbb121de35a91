package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.median;
import static dev.vdisk.benchmarks.Timing.row;

import dev.vdisk.core.fs.FileSystemDrivers;
import dev.vdisk.core.fs.FileTrees;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * Writing into ext4: {@code vdisk put} of a tree of many files (20k files, 500 MiB; quick: 4k
 * files, 100 MiB) into an empty image made by {@code mke2fs}, against {@code mke2fs -d} building
 * an image with the same tree, and, as root, a loop mount with {@code cp -a} and {@code umount}.
 * Every variant starts from nothing and includes making the file system, so the work compared
 * is "an image holding this tree".
 */
final class ExtWriteBenchmarks {
  private ExtWriteBenchmarks() {}

  static List<String[]> rows(Path work, boolean quick) throws Exception {
    List<String[]> rows = new ArrayList<>();
    if (FileSystemDrivers.byName("ext4").isEmpty()) {
      System.out.println("skipping ext4 writes: no ext4 driver registered");
      return rows;
    }
    int files = quick ? 4_000 : 20_000;
    long bigEvery = 50;
    long bigSize = quick ? 256L << 10 : 1L << 20;
    Path source = Files.createDirectories(work.resolve("put-src"));
    Random rnd = new Random(6);
    long total = 0;
    for (int i = 0; i < files; i++) {
      Path d = Files.createDirectories(source.resolve("d" + (i / 1000) + "/e" + (i / 100)));
      byte[] content = new byte[i % bigEvery == 0 ? (int) bigSize : 1 + rnd.nextInt(10_000)];
      rnd.nextBytes(content);
      Files.write(d.resolve("f" + i), content);
      total += content.length;
    }
    long imageMiB = Math.max(256, (total >> 20) * 2 + 128);
    String size = imageMiB + "M";
    Path image = work.resolve("put.ext4");
    double ours = median(3, () -> {
      Files.deleteIfExists(image);
      exec("mke2fs", "-q", "-F", "-t", "ext4", image.toString(), size);
      try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty(),
          new MountOptions(false, MountOptions.DEFAULT_CACHE_BYTES))) {
        return FileTrees.copy(source, fs.getPath("/tree"), false);
      }
    });
    exec("e2fsck", "-fn", image.toString());
    double mke2fs = median(3, () -> {
      Files.deleteIfExists(image);
      return exec("mke2fs", "-q", "-F", "-t", "ext4", "-d", source.toString(), image.toString(),
          size);
    });
    String what = "put a " + files / 1000 + "k-file, " + (total >> 20) + " MiB tree into ext4";
    rows.add(row(what, ours, mke2fs, "mke2fs -d"));
    if (FileSystemBenchmarks.isRoot()) {
      Path mount = Files.createDirectories(work.resolve("put-mnt"));
      double kernel = median(3, () -> {
        Files.deleteIfExists(image);
        exec("mke2fs", "-q", "-F", "-t", "ext4", image.toString(), size);
        exec("mount", "-o", "loop", image.toString(), mount.toString());
        try {
          return exec("cp", "-a", source.toString(), mount.resolve("tree").toString());
        } finally {
          exec("umount", mount.toString());
        }
      });
      rows.add(row(what, ours, kernel, "kernel: loop mount, cp -a, umount"));
    } else {
      System.out.println("skipping the kernel comparison: loop mounts need root");
    }
    Files.deleteIfExists(image);
    FileSystemBenchmarks.deleteTree(source);
    return rows;
  }
}
