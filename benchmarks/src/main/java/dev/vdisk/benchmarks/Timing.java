package dev.vdisk.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Timing, process and formatting helpers shared by the end-to-end benchmarks. */
final class Timing {
  private Timing() {}

  /**
   * The packaged CLI ({@code samples/cli/target/*-all.jar}) when run from the repository root with
   * the named fixture script present, else null after printing why the benchmark is skipped.
   */
  static Path cliJar(String benchmark, String script) throws IOException {
    Path target = Path.of("samples/cli/target");
    if (!java.nio.file.Files.exists(Path.of("testdata/scripts", script))
        || !java.nio.file.Files.isDirectory(target)) {
      System.out.println("skipping " + benchmark
          + ": run from the repository root after packaging the CLI");
      return null;
    }
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(target)) {
      Path jar = s.filter(p -> p.getFileName().toString().endsWith("-all.jar")).findFirst()
          .orElse(null);
      if (jar == null) {
        System.out.println("skipping " + benchmark + ": no samples/cli/target/*-all.jar");
      }
      return jar;
    }
  }

  static long exec(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    int code = p.waitFor();
    if (code != 0) {
      throw new IOException(String.join(" ", command) + " exited " + code);
    }
    return code;
  }

  /** Median wall time in seconds over {@code runs} runs, after one warm-up run. */
  static double median(int runs, Callable<?> work) throws Exception {
    work.call();
    double[] times = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      Object result = work.call();
      times[i] = (System.nanoTime() - start) / 1e9;
      if (result == null) {
        throw new IllegalStateException("no result");
      }
    }
    Arrays.sort(times);
    return times[runs / 2];
  }

  /**
   * Median time of {@code work} over five runs (after a warm-up run), each between {@code
   * mountCommand} and an unmount of {@code mount}: the file system's caches start cold each run.
   */
  static double mountedMedian(Path mount, Callable<?> work, String... mountCommand)
      throws Exception {
    double[] times = new double[5];
    for (int i = -1; i < times.length; i++) {
      exec(mountCommand);
      try {
        long start = System.nanoTime();
        work.call();
        if (i >= 0) {
          times[i] = (System.nanoTime() - start) / 1e9;
        }
      } finally {
        exec("umount", mount.toString());
      }
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }

  static String[] row(String what, double ours, double theirs, String tool) {
    return new String[] {
      what, seconds(ours), seconds(theirs),
      String.format(Locale.ROOT, "%.2f", ours / theirs), tool
    };
  }

  static String seconds(double s) {
    return s >= 1 ? String.format(Locale.ROOT, "%.2f s", s)
        : s >= 1e-3 ? String.format(Locale.ROOT, "%.2f ms", s * 1e3)
        : String.format(Locale.ROOT, "%.1f us", s * 1e6);
  }
}
