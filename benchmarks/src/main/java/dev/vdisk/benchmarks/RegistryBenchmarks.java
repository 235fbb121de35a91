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
 * Registry export: the largest hive {@code testdata/scripts/make-hives.sh} builds with
 * hivexregedit (5000 subkeys under one key, about 100 MiB on disk) exported whole as .reg text by
 * vdisk and by {@code hivexregedit --export}.
 */
final class RegistryBenchmarks {
  private RegistryBenchmarks() {}

  static List<String[]> rows(Path work) throws Exception {
    List<String[]> rows = new ArrayList<>();
    Path script = Path.of("testdata/scripts/make-hives.sh");
    if (!Files.exists(script)) {
      System.out.println("skipping registry: run from the repository root");
      return rows;
    }
    Path hives = work.resolve("hives");
    exec("sh", script.toString(), hives.toString());
    Path hive = hives.resolve("many.hive");
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
    rows.add(row("export a " + (Files.size(hive) >> 20) + " MiB hive as .reg", vdisk, hivex,
        "hivexregedit --export"));
    return rows;
  }
}
