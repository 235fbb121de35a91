package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.CheckReport;
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
 * Kills (SIGKILL) a child JVM writing a monolithicSparse image at many points of the write path
 * (after the header is marked unclean, after the CID change, after grain data, its flush, the
 * grain table entries, their flush, the redundant entries, in-place writes, close) and proves
 * that the image then reads every grain as it was either before or after the interrupted write,
 * reopens for writing, and passes {@code qemu-img check} (clean, or leaked clusters only).
 */
class VmdkCrashIT {
  private static final long MIB = 1 << 20;
  private static final long SIZE = 24 * MIB;
  private static final int WRITES = 16;
  private static final int GRAIN = 65536;

  @TempDir Path dir;

  /** Runs the child; when it reports the halt step, kills it with SIGKILL. */
  private static CrashHarness.Run child(Path image, long seed, int haltAt) throws Exception {
    return CrashHarness.run(VmdkCrashChild.class, true, image, seed, WRITES, haltAt);
  }

  private static byte[] readAll(VmdkDisk disk) throws IOException {
    byte[] all = new byte[(int) disk.size()];
    disk.read(0, ByteBuffer.wrap(all));
    return all;
  }

  @Test
  void monolithicSparseSurvivesKills() throws Exception {
    VmdkFormat format = new VmdkFormat();
    Path template = dir.resolve("template.vmdk");
    try (VmdkDisk disk = format.create(template, new CreateSpec(SIZE, null, 0))) {
      byte[] data = new byte[(int) (3 * MIB)];
      new Random(5).nextBytes(data);
      disk.write(5 * MIB + 123, ByteBuffer.wrap(data));
    }
    crashes(template, null, 20_261_129L, 60);
  }

  /** A delta child: partial grains are completed from the parent before they are written. */
  @Test
  void deltaChildSurvivesKills() throws Exception {
    VmdkFormat format = new VmdkFormat();
    Path base = dir.resolve("base.vmdk");
    Path template = dir.resolve("template-child.vmdk");
    try (VmdkDisk disk = format.create(base, new CreateSpec(SIZE, null, 0))) {
      byte[] data = new byte[(int) (10 * MIB)];
      new Random(6).nextBytes(data);
      disk.write(2 * MIB + 7, ByteBuffer.wrap(data));
    }
    try (VmdkDisk parent = format.open(base, OpenOptions.readOnly());
        VmdkDisk child = format.createChild(parent, template)) {
      child.write(MIB, ByteBuffer.wrap(new byte[4096]));
    }
    crashes(template, base, 77L, 20);
  }

  private void crashes(Path template, Path parent, long seed, int points) throws Exception {
    System.out.println("crash seed " + seed + (parent != null ? " (delta)" : ""));
    VmdkFormat format = new VmdkFormat();
    byte[] initial;
    try (VmdkDisk disk = format.open(template, OpenOptions.readOnly())) {
      initial = readAll(disk);
    }
    List<byte[]> models = CrashHarness.models(initial, VmdkCrashChild.plan(seed, SIZE, WRITES));
    Path image = dir.resolve(parent != null ? "crash-child.vmdk" : "crash.vmdk");
    int total = CrashHarness.countSteps(VmdkCrashChild.class, template, image, seed, WRITES);
    TreeSet<Integer> halts = CrashHarness.haltPoints(seed, total, points);
    assertThat(halts.size()).isEqualTo(points);
    int leaks = 0;
    int ourLeaks = 0;
    for (int haltAt : halts) {
      Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
      CrashHarness.Run run = child(image, seed, haltAt);
      String step = run.haltStep();
      assertThat(step).as("halt at " + haltAt + ": " + run.lines()).isNotNull();
      int k = run.lastWrite(WRITES);
      byte[] before = models.get(Math.max(0, Math.min(k, WRITES)));
      byte[] after = models.get(Math.max(0, Math.min(k + 1, WRITES)));
      Path qemuCopy = dir.resolve(parent != null ? "qemu-child.vmdk" : "qemu.vmdk");
      Files.copy(image, qemuCopy, StandardCopyOption.REPLACE_EXISTING);
      byte[] actual;
      try (VmdkDisk disk = format.open(image, OpenOptions.readOnly())) {
        actual = readAll(disk);
      }
      assertThat(CrashHarness.tornBlock(actual, before, after, GRAIN)).as("kill after step "
          + haltAt + " (" + step + ") during write " + k + ": a grain neither before nor after")
          .isEqualTo(-1);
      CheckReport report = format.check(image);
      assertThat(report.isClean()).as(report.toString()).isTrue();
      ourLeaks += report.count(CheckReport.Severity.LEAK) > 0 ? 1 : 0;
      // qemu agrees on the content and finds nothing worse than leaks
      Oracles.Result check = Oracles.run(VmdkTesting.qemuImg(), "check", "-f", "vmdk",
          qemuCopy.toString());
      assertThat(check.exitCode()).as(check.describe()).isIn(0, 3);
      if (check.exitCode() == 3) {
        leaks++;
      }
      Path qemuRaw = VmdkTesting.qemuRaw(qemuCopy, dir);
      assertThat(Files.readAllBytes(qemuRaw)).as("qemu's view after kill at " + haltAt)
          .isEqualTo(actual);
      Files.delete(qemuRaw);
      // and it opens for writing again (uncleanShutdown found set, tables sound)
      try (VmdkDisk disk = format.open(image, OpenOptions.readWrite())) {
        disk.write(0, ByteBuffer.wrap(new byte[] {42}));
      }
    }
    System.out.println(halts.size() + " kill points verified; qemu-img check reported leaks for "
        + leaks + ", our check for " + ourLeaks);
    if (parent == null) {
      assertThat(ourLeaks).isPositive();
    }
  }
}
