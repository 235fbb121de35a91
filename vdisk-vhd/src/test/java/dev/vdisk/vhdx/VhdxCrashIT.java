package dev.vdisk.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.testdata.CrashHarness;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
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
 * Kills a writing process at many points of the write path (between data write and flush, log
 * write and flush, log flush and apply, between the two header writes, ...) and proves that the
 * image then opens, replays, reads every block as it was either before or after the interrupted
 * write, and passes {@code qemu-img check}. Where the kill left a log to replay, qemu's own replay
 * must produce the same content as ours.
 */
class VhdxCrashIT {
  private static final long MIB = 1 << 20;
  private static final long SIZE = 24 * MIB;
  private static final int WRITES = 10;

  @TempDir Path dir;

  private static CrashHarness.Run child(Path image, long seed, int haltAt) throws Exception {
    return CrashHarness.run(VhdxCrashChild.class, false, image, seed, WRITES, haltAt);
  }

  private static byte[] readAll(VhdxDisk disk) throws IOException {
    byte[] all = new byte[(int) disk.size()];
    disk.read(0, ByteBuffer.wrap(all));
    return all;
  }

  private void crashes(Path template, long seed, int points, boolean differencing)
      throws Exception {
    System.out.println("crash seed " + seed + (differencing ? " (differencing)" : ""));
    VhdxFormat format = new VhdxFormat();
    byte[] initial;
    try (VhdxDisk disk = format.open(template, OpenOptions.readOnly())) {
      initial = readAll(disk);
    }
    List<byte[]> models = CrashHarness.models(initial, VhdxCrashChild.plan(seed, SIZE, WRITES));
    Path image = dir.resolve(differencing ? "crash.avhdx" : "crash.vhdx");
    int total = CrashHarness.countSteps(VhdxCrashChild.class, template, image, seed, WRITES);
    TreeSet<Integer> halts = CrashHarness.haltPoints(seed, total, points);
    int qemuReplays = 0;
    for (int haltAt : halts) {
      Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
      CrashHarness.Run run = child(image, seed, haltAt);
      assertThat(run.exitCode()).as("halt at " + haltAt + ": " + run.lines()).isEqualTo(77);
      int k = run.lastWrite(WRITES);
      String step = run.haltStep();
      byte[] before = models.get(Math.max(0, Math.min(k, WRITES)));
      byte[] after = models.get(Math.max(0, Math.min(k + 1, WRITES)));
      Path qemuCopy = null;
      if (!differencing && (step.equals("log-flush") || step.equals("apply-sector"))) {
        qemuCopy = dir.resolve("qemu-" + haltAt + ".vhdx");
        Files.copy(image, qemuCopy, StandardCopyOption.REPLACE_EXISTING);
      }
      byte[] actual;
      try (VhdxDisk disk = format.open(image, OpenOptions.readWrite())) {
        actual = readAll(disk);
      }
      assertThat(CrashHarness.tornBlock(actual, before, after, (int) MIB)).as("halt at step "
          + haltAt + " (" + step + ") during write " + k + ": a block neither before nor after")
          .isEqualTo(-1);
      assertThat(format.check(image).isClean()).as(format.check(image).toString()).isTrue();
      if (!differencing) {
        VhdxTesting.qemuCheckClean(image);
      }
      if (qemuCopy != null) {
        Path qemu = Oracles.require("qemu-img", "qemu-utils");
        Oracles.run(qemu.toString(), "check", "-r", "all", "-f", "vhdx", qemuCopy.toString());
        Path qemuRaw = VhdxTesting.qemuRaw(qemuCopy, dir);
        assertThat(Files.readAllBytes(qemuRaw)).as("qemu's replay after halt at " + haltAt)
            .isEqualTo(actual);
        Files.delete(qemuRaw);
        Files.delete(qemuCopy);
        qemuReplays++;
      }
    }
    System.out.println(halts.size() + " kill points verified, " + qemuReplays
        + " of them also replayed by qemu");
  }

  @Test
  void dynamicSurvivesKillsAtEveryStep() throws Exception {
    Path template = dir.resolve("template.vhdx");
    try (VhdxDisk disk = new VhdxFormat().create(template, new CreateSpec(SIZE, "dynamic", MIB))) {
      byte[] data = new byte[(int) (3 * MIB)];
      new Random(5).nextBytes(data);
      disk.write(5 * MIB + 123, ByteBuffer.wrap(data));
    }
    crashes(template, 20_240_601L, 60, false);
  }

  @Test
  void differencingSurvivesKills() throws Exception {
    Path base = dir.resolve("base.vhdx");
    Path template = dir.resolve("template.avhdx");
    VhdxFormat format = new VhdxFormat();
    try (VhdxDisk disk = format.create(base, new CreateSpec(SIZE, "dynamic", MIB))) {
      byte[] data = new byte[(int) (8 * MIB)];
      new Random(6).nextBytes(data);
      disk.write(2 * MIB + 7, ByteBuffer.wrap(data));
    }
    try (VhdxDisk parent = format.open(base, OpenOptions.readOnly());
        VhdxDisk child = format.createChild(parent, template)) {
      child.write(MIB, ByteBuffer.wrap(new byte[4096]));
    }
    crashes(template, 77L, 30, true);
  }
}
