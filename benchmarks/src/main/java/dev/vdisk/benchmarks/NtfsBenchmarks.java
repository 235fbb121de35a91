package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.FileSystemBenchmarks.deleteTree;
import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.median;
import static dev.vdisk.benchmarks.Timing.row;

import dev.vdisk.core.fs.FileSystemDrivers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * NTFS reading: one large file and a tree of many small files on a volume made by {@code mkntfs}
 * and filled through an ntfs-3g mount, read by vdisk, by ntfs-3g's own tools ({@code ntfscat},
 * {@code ntfsls -R}) and, as root, through a read-only ntfs-3g FUSE mount made afresh for each run.
 */
final class NtfsBenchmarks {
  private NtfsBenchmarks() {}

  static List<String[]> rows(Path work, boolean quick) throws Exception {
    List<String[]> rows = new ArrayList<>();
    if (FileSystemDrivers.byName("ntfs").isEmpty()) {
      System.out.println("skipping ntfs: no ntfs driver registered");
      return rows;
    }
    if (!FileSystemBenchmarks.isRoot()) {
      System.out.println("skipping ntfs: filling a volume through ntfs-3g needs root");
      return rows;
    }
    long bigSize = quick ? 128L << 20 : 1L << 30;
    int smallFiles = quick ? 5_000 : 50_000;
    Path image = work.resolve("bench.ntfs");
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(ByteBuffer.allocate(1), bigSize + (768L << 20) - 1);
    }
    exec("mkntfs", "-q", "-F", "-f", "-L", "bench", image.toString());
    Path mount = Files.createDirectories(work.resolve("ntfs-mnt"));
    exec("ntfs-3g", image.toString(), mount.toString());
    try {
      byte[] chunk = new byte[1 << 20];
      new Random(4).nextBytes(chunk);
      try (FileChannel ch = FileChannel.open(mount.resolve("big"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        for (long at = 0; at < bigSize; at += chunk.length) {
          ch.write(ByteBuffer.wrap(chunk), at);
        }
      }
      for (int i = 0; i < smallFiles; i++) {
        Path d = Files.createDirectories(mount.resolve("tree/d" + (i / 500) + "/e" + (i / 50)));
        Files.writeString(d.resolve("f" + i), "small file " + i + "\n");
      }
    } finally {
      exec("umount", mount.toString());
    }

    String mib = (bigSize >> 20) + " MiB";
    double readOurs = median(5, FileSystemBenchmarks.readWhole(image, "/big"));
    rows.add(row("read a " + mib + " file from NTFS", readOurs,
        median(5, () -> exec("ntfscat", image.toString(), "/big")), "ntfscat"));
    rows.add(row("read a " + mib + " file from NTFS", readOurs,
        mounted(image, mount, () -> exec("cat", mount + "/big")), "ntfs-3g mount, cat"));

    String files = smallFiles / 1000 + "k";
    Callable<Long> walkOurs = FileSystemBenchmarks.walkStat(image, "/tree");
    double walk = median(5, walkOurs);
    rows.add(row("walk a " + files + "-file NTFS tree (stat each)", walk,
        median(5, () -> exec("ntfsls", "-R", "-l", "-p", "/tree", image.toString())),
        "ntfsls -R -l"));
    rows.add(row("walk a " + files + "-file NTFS tree (stat each)", walk,
        mounted(image, mount, () -> exec("find", mount + "/tree", "-printf", "%s\\n")),
        "ntfs-3g mount, find"));

    FileSystemBenchmarks.TreeOutputs out = FileSystemBenchmarks.TreeOutputs.in(work);
    Path outTheirs = out.theirs();
    double copyOurs = median(3, FileSystemBenchmarks.copyOut(image, "/tree", out.ours()));
    double copyTheirs = mounted(image, mount, () -> {
      deleteTree(outTheirs);
      return exec("cp", "-r", mount + "/tree", outTheirs.toString());
    });
    rows.add(row("copy out a " + files + "-file NTFS tree", copyOurs, copyTheirs,
        "ntfs-3g mount, cp -r"));
    Files.delete(image);
    out.remove();
    return rows;
  }

  /** Median time of {@code work} over five runs, each on a fresh read-only ntfs-3g mount. */
  private static double mounted(Path image, Path mount, Callable<?> work) throws Exception {
    return Timing.mountedMedian(mount, work, "ntfs-3g", "-o", "ro", image.toString(),
        mount.toString());
  }
}
