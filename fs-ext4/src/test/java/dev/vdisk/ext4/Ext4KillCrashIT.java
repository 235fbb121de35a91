package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with a real process kill: a child JVM ({@link Ext4CrashChild}) writes a batch of
 * files into an ext4 image (journaled) or an ext2 image (metadata through the redo record) and is
 * halted at 100 random points (before its Nth device write; no shutdown hooks run). After each
 * kill, the image is recovered — by {@code e2fsck -fy} replaying the journal, or by opening it
 * with vdisk, which finishes or drops the redo record — then {@code e2fsck -fn} must find it clean, and every file whose flush had returned
 * before the kill must be intact (dumped with {@code debugfs}, compared by SHA-256). The last
 * recovered image is mounted by the kernel.
 */
class Ext4KillCrashIT {
  private static final int FILES = 12;
  private static final int POINTS = Integer.getInteger("vdisk.crashPoints", 100);

  @TempDir Path work;

  private record Child(int exit, Map<String, String> done, long writes, String err) {}

  private Child run(Path image, long seed, long killAt) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), Ext4CrashChild.class.getName(),
        image.toString(), Long.toString(seed), Integer.toString(FILES)));
    if (killAt > 0) {
      cmd.add(Long.toString(killAt));
    }
    Path out = work.resolve("child.out");
    Path err = work.resolve("child.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the child did not finish in 120 s");
    }
    Map<String, String> done = new LinkedHashMap<>();
    long writes = -1;
    for (String line : Files.readAllLines(out)) {
      if (line.startsWith("DONE ")) {
        String[] f = line.split(" ");
        done.put(f[1], f[2]);
      } else if (line.startsWith("WRITES ")) {
        writes = Long.parseLong(line.substring(7));
      }
    }
    return new Child(p.exitValue(), done, writes, Files.readString(err));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "ext4-journal,-t ext4 -b 4096",
      "ext2-redo-record,-t ext2 -b 4096",
  })
  void killedAtRandomPointsTheImageRecoversCleanWithEveryFlushedFileIntact(String name,
      String options) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.requireRoot("the kernel mounts the recovered image");
    Path pristine = Ext4Fixtures.mke2fsWithHello(work, "pristine", options, "64M");
    boolean journal = !name.startsWith("ext2");
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("Ext4KillCrashIT seed " + seed);
    Random rnd = new Random(seed);

    Path full = work.resolve("full.img");
    Files.copy(pristine, full);
    Child all = run(full, seed, -1);
    assertThat(all.exit()).as("child without a kill:%n%s", all.err()).isZero();
    assertThat(all.done()).hasSize(FILES);
    assertThat(all.writes()).isGreaterThan(POINTS);
    checkClean(full, "the uninterrupted run");

    TreeSet<Long> points = new TreeSet<>();
    while (points.size() < POINTS) {
      points.add(1 + (long) rnd.nextInt((int) all.writes()));
    }
    Path image = work.resolve("crash.img");
    int recoveredFiles = 0;
    for (long point : points) {
      Files.copy(pristine, image, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(VdiskFileSystems.redoRecord(image, 0));
      Child c = run(image, seed, point);
      assertThat(c.exit()).as("kill at write %d:%n%s", point, c.err()).isEqualTo(137);
      if (journal) {
        Oracles.Result fix = Oracles.run("e2fsck", "-fy", image.toString());
        assertThat(fix.exitCode()).as("e2fsck -fy after a kill at write %d:%n%s", point,
            new String(fix.out(), StandardCharsets.UTF_8)).isLessThanOrEqualTo(1);
      } else {
        // no journal: opening the image with vdisk finishes or drops the redo record
        try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.empty(),
            MountOptions.writable())) {
          assertThat(Files.exists(fs.getPath("/hello.txt"))).isTrue();
        }
        assertThat(Files.exists(VdiskFileSystems.redoRecord(image, 0))).isFalse();
      }
      checkClean(image, "a kill at write " + point);
      for (Map.Entry<String, String> f : c.done().entrySet()) {
        Path dumped = work.resolve("dumped");
        Files.deleteIfExists(dumped);
        Oracles.runOk("debugfs", "-R", "dump " + f.getKey() + " " + dumped, image.toString());
        assertThat(sha256(dumped)).as("%s after a kill at write %d", f.getKey(), point)
            .isEqualTo(f.getValue());
        recoveredFiles++;
      }
    }
    assertThat(recoveredFiles).isPositive();
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      assertThat(Files.readString(mnt.resolve("hello.txt"))).isEqualTo("hello\n");
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  private static void checkClean(Path image, String what) throws IOException {
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn after %s:%n%s", what, out).isZero();
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(file)));
  }
}
