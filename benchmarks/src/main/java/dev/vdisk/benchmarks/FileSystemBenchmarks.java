package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.median;
import static dev.vdisk.benchmarks.Timing.row;

import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.fs.FileSystemDrivers;
import dev.vdisk.core.fs.FileTrees;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * File-system work out of an ext4 image made by {@code mke2fs -d}: reading one large file and
 * walking (and copying out) a tree of many small files, against {@code debugfs} reading the same
 * image and, as root, against the kernel through a read-only loop mount (mounted afresh for each
 * run, so its page cache for the file system starts cold while the image file's stays warm, as
 * ours does).
 */
final class FileSystemBenchmarks {
  private FileSystemBenchmarks() {}

  static List<String[]> rows(Path work, boolean quick) throws Exception {
    List<String[]> rows = new ArrayList<>();
    if (FileSystemDrivers.byName("ext4").isEmpty()) {
      System.out.println("skipping ext4: no ext4 driver registered");
      return rows;
    }
    long bigSize = quick ? 128L << 20 : 1L << 30;
    int smallFiles = quick ? 5_000 : 50_000;
    Path source = Files.createDirectories(work.resolve("ext4-src"));
    byte[] chunk = new byte[1 << 20];
    new Random(4).nextBytes(chunk);
    try (FileChannel ch = FileChannel.open(source.resolve("big"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long at = 0; at < bigSize; at += chunk.length) {
        ch.write(ByteBuffer.wrap(chunk), at);
      }
    }
    for (int i = 0; i < smallFiles; i++) {
      Path d = Files.createDirectories(source.resolve("tree/d" + (i / 500) + "/e" + (i / 50)));
      Files.writeString(d.resolve("f" + i), "small file " + i + "\n");
    }
    Path image = work.resolve("bench.ext4");
    long imageSize = bigSize + (512L << 20);
    exec("mke2fs", "-q", "-F", "-t", "ext4", "-d", source.toString(), image.toString(),
        (imageSize >> 20) + "M");
    deleteTree(source);

    String mib = (bigSize >> 20) + " MiB";
    double readOurs = median(5, readWhole(image, "/big"));
    double readDebugfs = median(5, () -> exec("debugfs", "-R", "dump /big /dev/null",
        image.toString()));
    rows.add(row("read a " + mib + " file from ext4", readOurs, readDebugfs, "debugfs dump"));

    Callable<Long> walkOurs = walkStat(image, "/tree");
    // Trees are copied into memory (tmpfs) where there is one: the reader is measured, not the
    // host's disk.
    TreeOutputs out = TreeOutputs.in(work);
    Path outTheirs = out.theirs();
    Callable<Long> copyOurs = copyOut(image, "/tree", out.ours());
    double copyOursTime = median(3, copyOurs);
    double copyDebugfs = median(3, () -> {
      deleteTree(outTheirs);
      Files.createDirectories(outTheirs);
      return exec("debugfs", "-R", "rdump /tree " + outTheirs, image.toString());
    });
    String files = smallFiles / 1000 + "k";
    rows.add(row("copy out a " + files + "-file tree from ext4", copyOursTime, copyDebugfs,
        "debugfs rdump"));

    if (isRoot()) {
      Path mount = Files.createDirectories(work.resolve("mnt"));
      double readKernel = mounted(image, mount, () -> exec("cat", mount + "/big"));
      rows.add(row("read a " + mib + " file from ext4", readOurs, readKernel,
          "kernel: loop mount, cat"));
      double walkKernel = mounted(image, mount, () -> exec("find", mount + "/tree", "-printf",
          "%s\\n"));
      rows.add(row("walk a " + files + "-file tree (stat each)", median(5, walkOurs), walkKernel,
          "kernel: loop mount, find"));
      double copyKernel = mounted(image, mount, () -> {
        deleteTree(outTheirs);
        return exec("cp", "-a", mount + "/tree", outTheirs.toString());
      });
      rows.add(row("copy out a " + files + "-file tree from ext4", copyOursTime, copyKernel,
          "kernel: loop mount, cp -a"));
    } else {
      System.out.println("skipping kernel comparisons: loop mounts need root");
    }
    Files.delete(image);
    out.remove();
    return rows;
  }

  /**
   * Where trees are copied out to: in memory (tmpfs) where there is one, so that the reader is
   * measured rather than the host's disk.
   */
  record TreeOutputs(Path root, Path ours, Path theirs, boolean ownRoot) {
    static TreeOutputs in(Path work) throws IOException {
      Path shm = Path.of("/dev/shm");
      boolean tmpfs = Files.isDirectory(shm) && Files.isWritable(shm);
      Path root = tmpfs ? Files.createTempDirectory(shm, "vdisk-bench") : work;
      return new TreeOutputs(root, root.resolve("tree-ours"), root.resolve("tree-theirs"), tmpfs);
    }

    void remove() throws IOException {
      deleteTree(ours);
      deleteTree(theirs);
      if (ownRoot) {
        Files.delete(root);
      }
    }
  }

  /** Copies a tree out of an image as {@code vdisk get} does, into a fresh {@code out}. */
  static Callable<Long> copyOut(Path image, String path, Path out) {
    return () -> {
      deleteTree(out);
      try (VdiskFileSystem fs = VdiskFileSystems.open(image)) {
        return FileTrees.copy(fs.getPath(path), out, false);
      }
    };
  }

  /** Median time of {@code work} over five runs, each on a fresh read-only loop mount. */
  private static double mounted(Path image, Path mount, Callable<?> work) throws Exception {
    return Timing.mountedMedian(mount, work, "mount", "-o", "loop,ro,noload", image.toString(),
        mount.toString());
  }

  /** Reads a whole file of an image through the NIO provider; returns the bytes read. */
  static Callable<Long> readWhole(Path image, String path) {
    return () -> {
      try (VdiskFileSystem fs = VdiskFileSystems.open(image);
          SeekableByteChannel ch = Files.newByteChannel(fs.getPath(path))) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DiskCopier.CHUNK);
        long total = 0;
        int n;
        while ((n = ch.read(buffer.clear())) > 0) {
          total += n;
        }
        return total;
      }
    };
  }

  /** Walks a tree of an image, reading each entry's basic attributes; returns the sizes' sum. */
  static Callable<Long> walkStat(Path image, String path) {
    return () -> {
      try (VdiskFileSystem fs = VdiskFileSystems.open(image);
          Stream<Path> all = Files.walk(fs.getPath(path))) {
        long sum = 0;
        for (Path p : (Iterable<Path>) all::iterator) {
          sum += Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
              .size();
        }
        return sum;
      }
    };
  }

  static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
