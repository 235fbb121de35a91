package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.median;
import static dev.vdisk.benchmarks.Timing.row;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.partition.PartitionTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * End-to-end benchmarks of the foundation: each does the same work with vdisk and with the C tool
 * in the same run, and prints both times and their ratio (vdisk time / tool time; below 1 means
 * vdisk is faster).
 *
 * <p>Run from the repository root: {@code java -jar benchmarks/target/vdisk-benchmarks.jar
 * [--quick]}. Work files go to a temporary directory that is removed at the end.
 */
public final class BenchmarkMain {
  private BenchmarkMain() {}

  /**
   * Runs every comparison.
   *
   * @param args {@code --quick} for smaller inputs, {@code --file-systems} for the file-system
   *     rows only, {@code --ext-write} for the ext write rows only, {@code --ntfs} for the NTFS rows only, {@code --registry} for the registry row only, {@code --inspect} for the inspect row only, {@code --apply} for the apply row only, {@code --scan} for the 50-image scan row only
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    boolean quick = Arrays.asList(args).contains("--quick");
    boolean onlyFileSystems = Arrays.asList(args).contains("--file-systems");
    Path work = Files.createTempDirectory("vdisk-bench");
    List<String[]> rows = new ArrayList<>();
    try {
      if (onlyFileSystems) {
        rows.addAll(FileSystemBenchmarks.rows(work, quick));
        rows.addAll(ExtWriteBenchmarks.rows(work, quick));
        rows.addAll(NtfsBenchmarks.rows(work, quick));
        return;
      }
      if (Arrays.asList(args).contains("--ntfs")) {
        rows.addAll(NtfsBenchmarks.rows(work, quick));
        return;
      }
      if (Arrays.asList(args).contains("--inspect")) {
        rows.addAll(InspectBenchmarks.rows(work));
        return;
      }
      if (Arrays.asList(args).contains("--scan")) {
        rows.addAll(ScanBenchmarks.rows(work));
        return;
      }
      if (Arrays.asList(args).contains("--apply")) {
        rows.addAll(ApplyBenchmarks.rows(work));
        return;
      }
      if (Arrays.asList(args).contains("--registry")) {
        rows.addAll(RegistryBenchmarks.rows(work));
        return;
      }
      if (Arrays.asList(args).contains("--ext-write")) {
        rows.addAll(ExtWriteBenchmarks.rows(work, quick));
        return;
      }
      rows.add(sequentialRead(work, quick ? 128L << 20 : 1L << 30));
      rows.add(allocationMap(work, quick ? 1L << 30 : 16L << 30, quick ? 200 : 4000));
      rows.add(partitionTable(work));
      long imageSize = quick ? 128L << 20 : 1L << 30;
      String[][] images = {
        {"vhdx", "dynamic"}, {"vhd", "dynamic"}, {"vmdk", "monolithicSparse"},
        {"vmdk", "streamOptimized"}};
      for (String[] image : images) {
        if (VirtualDisks.byName(image[0]).isPresent()) {
          rows.addAll(imageFormat(work, image[0], image[1], imageSize));
        } else {
          System.out.println("skipping " + image[0] + ": format not registered");
        }
      }
      if (VirtualDisks.byName("vmdk").isPresent()) {
        rows.add(convertFromRaw(work, "vmdk", "streamOptimized", imageSize));
      }
      rows.addAll(FileSystemBenchmarks.rows(work, quick));
      rows.addAll(ExtWriteBenchmarks.rows(work, quick));
      rows.addAll(NtfsBenchmarks.rows(work, quick));
      rows.addAll(RegistryBenchmarks.rows(work));
      rows.addAll(InspectBenchmarks.rows(work));
      rows.addAll(ApplyBenchmarks.rows(work));
      rows.addAll(ScanBenchmarks.rows(work));
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      print(rows);
    }
  }

  private static void print(List<String[]> rows) {
    System.out.printf("%n%-44s %12s %12s %8s  %s%n", "work", "vdisk", "C tool", "ratio", "tool");
    for (String[] row : rows) {
      System.out.printf("%-44s %12s %12s %8s  %s%n", (Object[]) row);
    }
  }

  /** Reads a fully allocated raw image sequentially in {@link DiskCopier#CHUNK} requests, vs dd. */
  private static String[] sequentialRead(Path work, long size) throws Exception {
    Path image = work.resolve("full.raw");
    byte[] chunk = new byte[1 << 20];
    new Random(1).nextBytes(chunk);
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long at = 0; at < size; at += chunk.length) {
        ch.write(ByteBuffer.wrap(chunk), at);
      }
    }
    double ours = median(5, () -> {
      try (VirtualDisk disk = VirtualDisks.open(image)) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DiskCopier.CHUNK);
        long sum = 0;
        for (long at = 0; at < disk.size(); at += buffer.capacity()) {
          buffer.clear();
          disk.read(at, buffer);
          sum += buffer.get(0);
        }
        return sum;
      }
    });
    double theirs = median(5, () -> exec("dd", "if=" + image, "of=/dev/null", "bs=1M"));
    return row("sequential read, " + (size >> 20) + " MiB raw (page cache)", ours, theirs,
        "dd bs=1M");
  }

  /** Walks the allocation map of a sparse raw file, against qemu-img map. */
  private static String[] allocationMap(Path work, long size, int islands) throws Exception {
    Path image = work.resolve("sparse.raw");
    Random random = new Random(2);
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), size - 1);
      byte[] data = new byte[64 * 1024];
      random.nextBytes(data);
      for (int i = 0; i < islands; i++) {
        long at = ((random.nextLong() & Long.MAX_VALUE) % (size - data.length)) & ~65535L;
        ch.write(ByteBuffer.wrap(data), at);
      }
    }
    double ours = median(7, () -> {
      try (VirtualDisk disk = VirtualDisks.open(image)) {
        long data = 0;
        long offset = 0;
        while (offset < disk.size()) {
          Allocation run = disk.allocation(offset);
          if (run.state() == Allocation.State.DATA) {
            data += run.length();
          }
          offset = run.end();
        }
        return data;
      }
    });
    double theirs = median(7,
        () -> exec("qemu-img", "map", "--output=json", "-f", "raw", image.toString()));
    return row("allocation map, " + (size >> 30) + " GiB raw, " + islands + " islands", ours,
        theirs, "qemu-img map");
  }

  /**
   * A raw file that is half data, half holes; the data half is half random (incompressible) and
   * half a repeating pattern (compressible), so compressed formats see both kinds of grain.
   */
  private static Path halfData(Path work, String name, long size) throws IOException {
    Path raw = work.resolve(name);
    byte[] chunk = new byte[1 << 20];
    new Random(3).nextBytes(chunk);
    for (int i = chunk.length / 2; i < chunk.length; i++) {
      chunk[i] = (byte) (i % 251);
    }
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), size - 1);
      for (long at = 0; at < size; at += 2L * chunk.length) {
        ch.write(ByteBuffer.wrap(chunk), at);
      }
    }
    return raw;
  }

  private static String qemuFormat(String format) {
    return format.equals("vhd") ? "vpc" : format;
  }

  /**
   * An image of {@code format} and {@code subformat} (qemu-img's name, which is also vdisk's
   * variant name) made by qemu-img from {@link #halfData}: a full sequential read (against qemu-io
   * reading the same ranges) and a conversion to raw (against qemu-img convert).
   */
  private static List<String[]> imageFormat(Path work, String format, String subformat,
      long size) throws Exception {
    Path raw = halfData(work, "half-" + format + ".raw", size);
    String qemuFormat = qemuFormat(format);
    Path image = work.resolve(subformat + "." + format);
    exec("qemu-img", "convert", "-f", "raw", "-O", qemuFormat, "-o", "subformat=" + subformat,
        raw.toString(), image.toString());
    Files.delete(raw);
    double readOurs = median(5, () -> {
      try (VirtualDisk disk = VirtualDisks.open(image)) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(DiskCopier.CHUNK);
        long sum = 0;
        for (long at = 0; at < disk.size(); at += buffer.capacity()) {
          buffer.clear().limit((int) Math.min(buffer.capacity(), disk.size() - at));
          disk.read(at, buffer);
          sum += buffer.get(0);
        }
        return sum;
      }
    });
    List<String> qemuIo = new ArrayList<>(List.of("qemu-io", "-r", "-f", qemuFormat));
    for (long at = 0; at < size; at += 64L << 20) {
      qemuIo.add("-c");
      qemuIo.add("read -q " + at + " " + Math.min(64L << 20, size - at));
    }
    qemuIo.add(image.toString());
    double readTheirs = median(5, () -> exec(qemuIo.toArray(String[]::new)));
    Path outOurs = work.resolve("ours.raw");
    Path outTheirs = work.resolve("theirs.raw");
    double convertOurs = median(5, () -> {
      Files.deleteIfExists(outOurs);
      try (VirtualDisk src = VirtualDisks.open(image);
          VirtualDisk dst = VirtualDisks.byName("raw").orElseThrow()
              .create(outOurs, dev.vdisk.core.CreateSpec.ofSize(src.size()))) {
        return dev.vdisk.core.copy.DiskCopier.copy(src, dst,
            dev.vdisk.core.copy.ProgressListener.NONE);
      }
    });
    double convertTheirs = median(5, () -> {
      Files.deleteIfExists(outTheirs);
      return exec("qemu-img", "convert", "-f", qemuFormat, "-O", "raw", image.toString(),
          outTheirs.toString());
    });
    Files.delete(image);
    Files.deleteIfExists(outOurs);
    Files.deleteIfExists(outTheirs);
    String mib = (size >> 20) + " MiB";
    return List.of(
        row("sequential read, " + mib + " " + subformat + " " + format, readOurs, readTheirs,
            "qemu-io read"),
        row("convert " + mib + " " + subformat + " " + format + " to raw", convertOurs,
            convertTheirs, "qemu-img convert"));
  }

  /** Converts {@link #halfData} to {@code format}/{@code variant}, against qemu-img convert. */
  private static String[] convertFromRaw(Path work, String format, String variant, long size)
      throws Exception {
    Path raw = halfData(work, "to-" + variant + ".raw", size);
    Path outOurs = work.resolve("ours." + format);
    Path outTheirs = work.resolve("theirs." + format);
    double ours = median(5, () -> {
      Files.deleteIfExists(outOurs);
      try (VirtualDisk src = VirtualDisks.open(raw);
          VirtualDisk dst = VirtualDisks.byName(format).orElseThrow()
              .create(outOurs, new dev.vdisk.core.CreateSpec(src.size(), variant, 0))) {
        var copied = dev.vdisk.core.copy.DiskCopier.copy(src, dst,
            dev.vdisk.core.copy.ProgressListener.NONE);
        dst.flush();
        return copied;
      }
    });
    double theirs = median(5, () -> {
      Files.deleteIfExists(outTheirs);
      return exec("qemu-img", "convert", "-f", "raw", "-O", qemuFormat(format), "-o",
          "subformat=" + variant, raw.toString(), outTheirs.toString());
    });
    Files.delete(raw);
    return row("convert " + (size >> 20) + " MiB raw to " + variant + " " + format, ours, theirs,
        "qemu-img convert");
  }

  /** Reads the GPT of the fixture image, against sfdisk --json (a process per read). */
  private static String[] partitionTable(Path work) throws Exception {
    Path image = work.resolve("gpt5.img");
    Files.copy(projectRoot().resolve("testdata/images/gpt5.img"), image);
    int repeat = 200;
    double ours = median(5, () -> {
      int n = 0;
      for (int i = 0; i < repeat; i++) {
        try (VirtualDisk disk = VirtualDisks.open(image)) {
          n += PartitionTable.read(disk).partitions().size();
        }
      }
      return n;
    }) / repeat;
    double theirs = median(5, () -> {
      for (int i = 0; i < 20; i++) {
        exec("sfdisk", "--json", image.toString());
      }
      return 0;
    }) / 20;
    return row("open + read GPT (in-process vs a process)", ours, theirs, "sfdisk --json");
  }

  private static Path projectRoot() {
    String env = System.getenv("VDISK_PROJECT_ROOT");
    Path dir = Path.of(env != null ? env : "").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("testdata/images"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("run from the repository (testdata/images not found)");
    }
    return dir;
  }
}
