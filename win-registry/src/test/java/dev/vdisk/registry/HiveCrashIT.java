package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.HiveLogs;
import dev.vdisk.registry.internal.LoggedHiveStore;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end crash test of hive writing: a child JVM ({@link HiveCrashChild}) opens a copy of a
 * real hive (dfwinreg's NTUSER.DAT) with {@link Hive#openWritable(Path)} and commits batches of
 * key and value edits, halted at 50 random write-path steps. After each halt the hive is reopened
 * for writing (which replays the log into the file); {@code hivexregedit --export} of the file
 * must then be the export after the last completed batch or after the interrupted one, and our
 * {@link RegExport} must agree. The expected exports are hivex's exports of the same batches
 * committed without interruption.
 */
class HiveCrashIT {
  private static final int BATCHES = 7;
  private static final int POINTS = 50;

  @TempDir Path dir;

  @Test
  void everyHaltReopensAsTheStateBeforeOrAfterTheInterruptedBatch() throws Exception {
    Oracles.require("hivexregedit", "libwin-hivex-perl");
    Path source = ProjectPaths.corpus().resolve("dfwinreg/test_data/NTUSER.DAT");
    Oracles.requireFile(source, "the shared corpus");
    long seed = System.nanoTime();
    System.out.println("HiveCrashIT seed " + seed);

    // the expected states, committed without interruption
    Path reference = copy(source, "reference");
    List<byte[]> expected = new ArrayList<>();
    expected.add(RegExportIT.hivexExport(reference));
    try (Hive h = Hive.openWritable(reference)) {
      for (int b = 0; b < BATCHES; b++) {
        HiveCrashChild.batch(h, seed, b);
        h.commit();
        expected.add(RegExportIT.hivexExport(reference));
      }
    }
    for (int b = 1; b <= BATCHES; b++) {
      assertThat(expected.get(b)).as("batch " + b + " changes the hive")
          .isNotEqualTo(expected.get(b - 1));
    }

    Path full = copy(source, "full");
    List<String> out = child(full, seed, 0);
    String last = out.get(out.size() - 1);
    assertThat(last).startsWith("steps ");
    int total = Integer.parseInt(last.substring(6));
    assertThat(RegExportIT.hivexExport(full)).isEqualTo(expected.get(BATCHES));
    assertThat(total).isGreaterThanOrEqualTo(POINTS);

    TreeSet<Integer> points = CrashChildren.points(seed, total, POINTS);
    int before = 0;
    int after = 0;
    for (int point : points) {
      Path hive = copy(source, "halt-" + point);
      List<String> lines = child(hive, seed, point);
      String halt = lines.get(lines.size() - 1);
      assertThat(halt).as("halted at " + point).startsWith("halt ");
      int batch = CrashChildren.lastCommit(lines);
      String what = "halt at step " + point + " (" + halt + ") in batch " + batch + ", seed "
          + seed;
      byte[] ours;
      try (Hive h = Hive.open(hive)) { // replay in memory
        ours = RegExportIT.ours(h.root(), null);
      }
      LoggedHiveStore.open(hive).close(); // replay into the file
      assertThat(BaseBlock.parse(ByteBuffer.wrap(Files.readAllBytes(hive)), what).clean())
          .isTrue();
      assertThat(HiveLogs.recover(hive).dirty()).isFalse();
      byte[] hivex = RegExportIT.hivexExport(hive);
      assertThat(ours).as(what).isEqualTo(hivex);
      byte[] old = expected.get(Math.max(batch, 0));
      byte[] neu = expected.get(batch + 1);
      boolean isOld = java.util.Arrays.equals(hivex, old);
      boolean isNew = java.util.Arrays.equals(hivex, neu);
      assertThat(isOld || isNew).as(what).isTrue();
      if (isNew) {
        after++;
      } else {
        before++;
      }
    }
    System.out.printf("HiveCrashIT: %d halts over %d steps: %d before the batch, %d after%n",
        POINTS, total, before, after);
    assertThat(after).isPositive();
    assertThat(before).isPositive();
  }

  private Path copy(Path source, String name) throws java.io.IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Path hive = d.resolve("NTUSER.DAT");
    Files.copy(source, hive);
    return hive;
  }

  private static List<String> child(Path hive, long seed, int haltAt) throws Exception {
    return CrashChildren.run(HiveCrashChild.class, haltAt, hive.toString(), Long.toString(seed),
        Integer.toString(BATCHES));
  }

}
