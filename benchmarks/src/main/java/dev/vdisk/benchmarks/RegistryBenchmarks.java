package dev.vdisk.benchmarks;

import static dev.vdisk.benchmarks.Timing.exec;
import static dev.vdisk.benchmarks.Timing.median;
import static dev.vdisk.benchmarks.Timing.row;

import dev.vdisk.registry.Hive;
import dev.vdisk.registry.RegExport;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Registry export, whole hives as .reg text by vdisk and by {@code hivexregedit --export}: a
 * SOFTWARE-sized hive ({@code testdata/scripts/make-software-hive.sh}: about 50 MiB, 62 000 keys,
 * 360 000 values, built with hivexregedit) and the largest hive {@code make-hives.sh} builds (5000
 * subkeys under one key; about 100 MiB on disk, mostly cells hivex leaked while merging).
 */
final class RegistryBenchmarks {
  private RegistryBenchmarks() {}

  static List<String[]> rows(Path work) throws Exception {
    List<String[]> rows = new ArrayList<>();
    Path script = Path.of("testdata/scripts/make-software-hive.sh");
    if (!Files.exists(script)) {
      System.out.println("skipping registry: run from the repository root");
      return rows;
    }
    Path hives = work.resolve("hives");
    exec("sh", script.toString(), hives.toString());
    rows.add(export(work, hives.resolve("software.hive"), "SOFTWARE-sized "));
    rows.add(export(work, hives.resolve("many.hive"), ""));
    return rows;
  }

  private static String[] export(Path work, Path hive, String what) throws Exception {
    Path ours = work.resolve("ours.reg");
    Path theirs = work.resolve("theirs.reg");
    double vdisk = median(5, () -> {
      try (Hive h = Hive.open(hive);
          OutputStream out = new BufferedOutputStream(Files.newOutputStream(ours), 1 << 16)) {
        RegExport.export(h.root(), "", out);
      }
      return Files.size(ours);
    });
    double hivex = median(5, () -> exec("sh", "-c",
        "hivexregedit --export \"$0\" '\\' > \"$1\"", hive.toString(), theirs.toString()));
    if (Files.mismatch(ours, theirs) != -1) {
      throw new IllegalStateException("the exports differ: " + ours + " " + theirs);
    }
    return row("export a " + what + (Files.size(hive) >> 20) + " MiB hive as .reg", vdisk,
        hivex, "hivexregedit --export");
  }
}
