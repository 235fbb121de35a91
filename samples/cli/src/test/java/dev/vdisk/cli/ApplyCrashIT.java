package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk apply} killed at random points of its write path, commit included (a child JVM
 * halted right after a write-path step: see {@link ApplyCrashChild}), on the Debian 12 VMDK of
 * {@link ApplyCommandIT}'s fixtures. After each kill the image is opened for writing once (which
 * finishes or drops an interrupted commit) and then judged by the real tools only: {@code
 * qemu-img check} (clean or leaked clusters only), {@code qemu-img convert} to raw, {@code e2fsck
 * -fn} on both partitions, and {@code debugfs} reading dpkg's status file, which must be byte for
 * byte the one from before the apply or the one a complete apply writes: never a mixture.
 */
class ApplyCrashIT {
  @TempDir static Path work;

  private record Run(int exitCode, List<String> lines) {}

  private static Run child(Path image, Path debs, Path keyring, Path repo, int haltAt)
      throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        "-XX:TieredStopAtLevel=1", ApplyCrashChild.class.getName(), image.toString(),
        debs.toString(), keyring.toString(), repo.toString(), Integer.toString(haltAt))
        .redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    return new Run(p.waitFor(), lines);
  }

  /** dpkg's status file of the root partition, read by debugfs from a raw copy. */
  private static String status(Path image, String name) throws Exception {
    Path raw = work.resolve(name + ".raw");
    Oracles.runOk("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
    try {
      String text = null;
      for (int p = 1; p <= 2; p++) {
        String[] f = Oracles.runOk("partx", "-g", "-o", "START,SECTORS", "-n",
            String.valueOf(p), raw.toString()).strip().split("\\s+");
        Path part = work.resolve(name + ".p" + p);
        Oracles.runOk("dd", "if=" + raw, "of=" + part, "bs=512", "skip=" + f[0],
            "count=" + f[1], "conv=sparse", "status=none");
        try {
          Oracles.Result fsck = Oracles.run("e2fsck", "-fn", part.toString());
          assertThat(fsck.exitCode()).as(fsck.describe()).isZero();
          if (p == 2) {
            text = Oracles.runOk("debugfs", "-R", "cat /var/lib/dpkg/status", part.toString());
          }
        } finally {
          Files.deleteIfExists(part);
        }
      }
      return text;
    } finally {
      Files.deleteIfExists(raw);
    }
  }

  @Test
  void aKilledApplyLeavesTheImageBeforeOrAfter() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("debugfs", "e2fsprogs");
    Oracles.require("partx", "util-linux");
    Oracles.require("apt-ftparchive", "apt-utils");
    Oracles.require("gpg", "gpg");
    Oracles.requireRoot("debootstrap and dpkg-deb -b with owners");
    Path base = work.resolve("debian.vmdk");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-inspect-vmdk.sh").toString(),
        base.toString());
    Path keys = work.resolve("keys");
    Oracles.runOk("bash", ProjectPaths.script("make-test-keys.sh").toString(), keys.toString());
    Path debs = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-newer-debs.sh").toString(), debs.toString());
    Path repo = work.resolve("repo");
    List<String> cmd = new ArrayList<>(List.of("bash",
        ProjectPaths.script("make-apt-repo.sh").toString(), repo.toString(),
        keys.resolve("home").toString(),
        Files.readString(keys.resolve("good.sigfpr")).strip() + "!"));
    try (var s = Files.list(debs)) {
      s.filter(p -> p.toString().endsWith(".deb")).sorted().forEach(p -> cmd.add(p.toString()));
    }
    Oracles.runOk(cmd.toArray(String[]::new));
    Path keyring = keys.resolve("good.gpg");
    String before = status(base, "before");

    Path image = work.resolve("disk.vmdk");
    Files.copy(base, image, StandardCopyOption.REPLACE_EXISTING);
    Run full = child(image, debs, keyring, repo, 0);
    assertThat(full.exitCode()).as(String.join("\n", full.lines())).isZero();
    String after = status(image, "after");
    assertThat(after).isNotEqualTo(before);
    List<String> names = new ArrayList<>();
    int commitStart = -1;
    for (String l : full.lines()) {
      if (l.startsWith("step ")) {
        String[] f = l.split(" ", 3);
        names.add(f[2]);
        if (f[2].equals("tx.begin-commit") && commitStart < 0) {
          commitStart = Integer.parseInt(f[1]);
        }
      }
    }
    assertThat(commitStart).as("the commit's first step").isPositive();
    long seed = System.nanoTime();
    System.out.println("ApplyCrashIT seed " + seed + ": " + names.size() + " steps, commit from "
        + commitStart);
    Random rnd = new Random(seed);
    TreeSet<Integer> halts = new TreeSet<>();
    halts.add(commitStart);
    halts.add(names.size());
    if (commitStart > 1) {
      halts.add(1 + rnd.nextInt(commitStart - 1)); // one while still writing the overlay
    }
    while (halts.size() < Math.min(10, names.size() - commitStart + 2)) {
      halts.add(commitStart + rnd.nextInt(names.size() - commitStart + 1));
    }
    int sawBefore = 0;
    int sawAfter = 0;
    for (int haltAt : halts) {
      Files.copy(base, image, StandardCopyOption.REPLACE_EXISTING);
      Files.deleteIfExists(dev.vdisk.core.tx.Transaction.record(image));
      Run run = child(image, debs, keyring, repo, haltAt);
      assertThat(run.lines()).as("halted at %d", haltAt).contains("halt");
      // the next open for writing finishes or drops the interrupted commit
      try (VirtualDisk d = VirtualDisks.open(image, OpenOptions.readWrite())) {
        assertThat(d.size()).isPositive();
      }
      assertThat(Files.exists(dev.vdisk.core.tx.Transaction.record(image))).isFalse();
      Oracles.Result check = Oracles.run("qemu-img", "check", image.toString());
      assertThat(check.exitCode()).as("halt after step %d (%s): %s", haltAt,
          names.get(haltAt - 1), check.describe()).isIn(0, 3);
      String got = status(image, "halt" + haltAt);
      assertThat(got.equals(before) || got.equals(after))
          .as("halt after step %d (%s): dpkg status is neither before nor after", haltAt,
              names.get(haltAt - 1)).isTrue();
      if (got.equals(before)) {
        sawBefore++;
      } else {
        sawAfter++;
      }
    }
    System.out.println("ApplyCrashIT: " + halts.size() + " kills, " + sawBefore + " before, "
        + sawAfter + " after");
    assertThat(sawBefore).isPositive();
    assertThat(sawAfter).isPositive();
  }
}
