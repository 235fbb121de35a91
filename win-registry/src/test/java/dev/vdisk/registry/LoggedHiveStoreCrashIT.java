package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.HiveLogs;
import dev.vdisk.registry.internal.LogFile;
import dev.vdisk.registry.internal.LoggedHiveStore;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash test of {@link LoggedHiveStore}: a child JVM ({@link LogCrashChild}) commits a seeded
 * series of changes to a copy of a real hive (dfwinreg's NTUSER.DAT: random bytes inside free
 * cells and new empty hive bins) and halts at 50+ random write-path steps. After each halt,
 * {@link HiveLogs#readRecovered} and a reopened store give byte for byte the state before or after
 * the interrupted commit, and {@code hivexsh} opens the recovered hive. The finished run leaves a
 * clean primary and logs that parse as valid new-format logs.
 */
class LoggedHiveStoreCrashIT {
  private static final int COMMITS = 9;
  private static final int POINTS = 52;

  @TempDir Path dir;

  @Test
  void everyHaltRecoversTheStateBeforeOrAfterTheInterruptedCommit() throws Exception {
    Oracles.require("hivexsh", "libhivex-bin");
    Path source = ProjectPaths.corpus().resolve("dfwinreg/test_data/NTUSER.DAT");
    Oracles.requireFile(source, "the shared corpus");
    byte[] initial = Files.readAllBytes(source);
    long seed = System.nanoTime();
    System.out.println("LoggedHiveStoreCrashIT seed " + seed);
    List<byte[]> states = LogCrashChild.states(initial, seed, COMMITS);

    Path full = copy(initial, "full");
    List<String> out = child(full, seed, 0);
    String last = out.get(out.size() - 1);
    assertThat(last).startsWith("steps ");
    int total = Integer.parseInt(last.substring(6));
    assertFinished(full, states.get(COMMITS));
    assertThat(total).isGreaterThanOrEqualTo(POINTS);

    TreeSet<Integer> points = CrashChildren.points(seed, total, POINTS);
    int before = 0;
    int after = 0;
    for (int point : points) {
      Path hive = copy(initial, "halt-" + point);
      List<String> lines = child(hive, seed, point);
      assertThat(lines.get(lines.size() - 1)).as("halted at " + point).startsWith("halt ");
      int commit = CrashChildren.lastCommit(lines);
      byte[] old = states.get(Math.max(commit, 0));
      byte[] neu = commit < 0 ? old : states.get(commit + 1);
      byte[] recovered = LogFixtures.bytes(HiveLogs.readRecovered(hive));
      String what = "halt at step " + point + " (" + lines.get(lines.size() - 1) + ") in commit "
          + commit + ", seed " + seed;
      boolean isOld = sameState(recovered, old);
      boolean isNew = sameState(recovered, neu);
      assertThat(isOld || isNew).as(what).isTrue();
      if (isNew && !isOld) {
        after++;
      } else {
        before++;
      }
      BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(recovered), what);
      assertThat(bb.clean()).as(what).isTrue();
      Path file = hive.resolveSibling("recovered");
      Files.write(file, recovered);
      Oracles.Result sh = Oracles.run("cd \\\nls\n".getBytes(StandardCharsets.UTF_8), Map.of(),
          "hivexsh", file.toString());
      assertThat(sh.exitCode()).as(what + ": " + sh.stderr()).isZero();
      assertThat(sh.stdout()).as(what).contains("Software");
      // the writer's own open replays into the file and loads the same bytes
      try (LoggedHiveStore store = LoggedHiveStore.open(hive)) {
        assertThat(sameState(LogFixtures.bytes(store.load()), recovered)).as(what).isTrue();
      }
      assertThat(HiveLogs.recover(hive).dirty()).as(what).isFalse();
    }
    System.out.printf("%d halts over %d steps: %d recovered the state before the commit, %d the"
        + " state after%n", points.size(), total, before, after);
    assertThat(after).isPositive();
  }

  private void assertFinished(Path hive, byte[] expected) throws IOException {
    byte[] file = Files.readAllBytes(hive);
    BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(file), hive.toString());
    assertThat(bb.clean()).isTrue();
    assertThat(sameState(Arrays.copyOf(file, 4096 + bb.hiveBinsDataSize()), expected)).isTrue();
    for (String suffix : List.of(".LOG1", ".LOG2")) {
      Path log = hive.resolveSibling(hive.getFileName() + suffix);
      LogFile f = LogFile.of(ByteBuffer.wrap(Files.readAllBytes(log)), log.toString());
      assertThat(f.baseBlockValid()).as(suffix).isTrue();
      assertThat(f.fileType()).isEqualTo(LogFile.TYPE_NEW);
      LogFile.Entries e = f.entries();
      assertThat(e.stoppedBy()).isNull();
      assertThat(e.end()).isEqualTo(Files.size(log));
      if (suffix.equals(".LOG1")) {
        assertThat(e.entries()).hasSize(COMMITS);
      }
    }
    Oracles.Result sh = Oracles.run("ls\n".getBytes(StandardCharsets.UTF_8), Map.of(), "hivexsh",
        hive.toString());
    assertThat(sh.exitCode()).as(sh.stderr()).isZero();
  }

  /**
   * Same hive bins data and base block, except the sequence numbers and the checksum (a replayed
   * hive carries the last entry's sequence number, a committed one that number plus one).
   */
  static boolean sameState(byte[] got, byte[] expected) {
    ByteBuffer g = ByteBuffer.wrap(got).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    ByteBuffer e = ByteBuffer.wrap(expected).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int size = e.getInt(40);
    return got.length == 4096 + size
        && Arrays.equals(got, 12, 508, expected, 12, 508)
        && Arrays.equals(got, 512, 4096 + size, expected, 512, 4096 + size);
  }

  private Path copy(byte[] initial, String name) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Path hive = d.resolve("NTUSER.DAT");
    Files.write(hive, initial);
    return hive;
  }

  private static List<String> child(Path hive, long seed, int haltAt) throws Exception {
    return CrashChildren.run(LogCrashChild.class, haltAt, hive.toString(), Long.toString(seed),
        Integer.toString(COMMITS));
  }

}
