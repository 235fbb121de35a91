package dev.vdisk.core.tx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.CrashHarness;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a child JVM in the middle of a transaction's commit, after each of its steps
 * (commit begun, redo record durable, each change written to the image, image flushed, record
 * deleted, committed), and proves the image then holds, once recovered, either everything from
 * before the transaction or everything from after it: never a mixture.
 */
class TransactionCrashIT {
  private static final int SIZE = 16 << 20;
  private static final int WRITES = 24;

  @TempDir Path dir;

  private static byte[] readAll(Path image) throws Exception {
    // opening for writing finishes (or drops) what the killed commit left
    try (VirtualDisk d = VirtualDisks.open(image, OpenOptions.readWrite())) {
      byte[] all = new byte[(int) d.size()];
      d.read(0, ByteBuffer.wrap(all));
      return all;
    }
  }

  @Test
  void aKilledCommitLeavesBeforeOrAfter() throws Exception {
    long seed = System.nanoTime();
    System.out.println("TransactionCrashIT seed " + seed);
    Path template = dir.resolve("template.img");
    byte[] initial = new byte[SIZE];
    new Random(seed).nextBytes(initial);
    Files.write(template, initial);
    List<CrashHarness.Write> plan = TransactionCrashChild.plan(seed, SIZE, WRITES);
    List<byte[]> models = CrashHarness.models(initial, plan);
    byte[] after = models.get(models.size() - 1);

    Path image = dir.resolve("disk.img");
    int total = CrashHarness.countSteps(TransactionCrashChild.class, template, image, seed,
        WRITES);
    assertThat(readAll(image)).isEqualTo(after);
    TreeSet<Integer> halts = CrashHarness.haltPoints(seed, total, 25);
    int before = 0;
    int finished = 0;
    for (int haltAt : halts) {
      Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(TransactionCrashChild.record(image));
      CrashHarness.Run run = CrashHarness.run(TransactionCrashChild.class, true, image, seed,
          WRITES, haltAt);
      assertThat(run.haltStep()).as("child output %s", run.lines()).isNotNull();
      byte[] got = readAll(image);
      boolean isBefore = java.util.Arrays.equals(got, initial);
      boolean isAfter = java.util.Arrays.equals(got, after);
      assertThat(isBefore || isAfter)
          .as("halted after step %d (%s): image is neither before nor after", haltAt,
              run.haltStep())
          .isTrue();
      if (isBefore) {
        before++;
      } else {
        finished++;
      }
      assertThat(Files.exists(TransactionCrashChild.record(image))).isFalse();
    }
    System.out.println("halts " + halts.size() + ": " + before + " before, " + finished
        + " after");
    assertThat(before).isPositive();
    assertThat(finished).isPositive();
  }
}
