package dev.vdisk.compliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.testdata.Oracles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan of issue 11's acceptance: a dynamic baseline over the signed test repository on the
 * Debian 12 debootstrap guest ({@link ComplianceFixtures}) finds MISSING exactly the packages
 * that real {@code apt-get -s upgrade} in a chroot of the same image lists as {@code Inst}, with
 * the same candidate versions; the repository also holds a newer {@code hostname} that needs a
 * package the guest lacks, which apt keeps back. The same holds with the repository served over
 * http. Images without an operating system, unreadable images and missing files are UNKNOWN with
 * the reason; scanning never changes the image (its SHA-256), even while another process holds
 * a write lock on it.
 */
class ScanVsAptIT {
  @TempDir static Path work;
  static Scanner scanner;
  static String baseSha;

  @BeforeAll
  static void load() throws Exception {
    ComplianceFixtures.root();
    baseSha = ComplianceFixtures.sha256(ComplianceFixtures.base());
    BaselineSet set = BaselineSet.load(ComplianceFixtures.baseline(work,
        ComplianceFixtures.repo().toString()));
    scanner = Scanner.create(set, ComplianceFixtures.options(work.resolve("cache"), 2));
  }

  @Test
  void missingIsWhatAptGetUpgradeInstallsWithTheSameVersions() throws Exception {
    Path image = ComplianceFixtures.base();
    TargetReport r = scanner.scan(image, Set.of());
    assertEquals(Compliance.NON_COMPLIANT, r.compliance(), r.reason());
    assertEquals(2, r.partition());
    assertEquals(List.of("bookworm-vdisk"), r.baselines());
    assertNotNull(r.os());
    assertTrue(r.os().contains("Debian"), r.os());
    Map<String, String> missing = ComplianceFixtures.missing(r);

    String apt;
    try (ComplianceFixtures.Mounted m = new ComplianceFixtures.Mounted(image, work, "oracle")) {
      apt = m.aptUpgradeSimulation();
    }
    Map<String, String> inst = ComplianceFixtures.instLines(apt);
    assertFalse(inst.isEmpty(), apt);
    assertEquals(inst, missing, "MISSING (vdisk) vs Inst lines (apt-get -s upgrade):\n" + apt
        + "\nfindings: " + r.findings());
    // not trivial: apt keeps back a newer version the repository has
    assertTrue(apt.contains("kept back"), apt);
    assertFalse(missing.containsKey("hostname"));
    // every MISSING finding names its installed version and the source
    for (Finding f : r.inState(RequirementState.MISSING)) {
      assertNotNull(f.installedVersion(), f.toString());
      assertEquals(f.candidateVersion(), f.requiredVersion(), f.toString());
    }
    assertEquals(baseSha, ComplianceFixtures.sha256(image), "the scan wrote the image");
    assertTrue(r.warnings().stream().noneMatch(w -> w.contains("in use")), r.warnings()
        .toString());
  }

  @Test
  void withAllowNewMissingIsWhatUpgradeWithNewPackagesInstalls() throws Exception {
    Path dir = Files.createDirectories(work.resolve("allow-new"));
    Scanner withNew = Scanner.create(BaselineSet.load(ComplianceFixtures.baseline(dir,
        ComplianceFixtures.repo().toString(), true)),
        ComplianceFixtures.options(dir.resolve("cache"), 1));
    TargetReport r = withNew.scan(ComplianceFixtures.base(), Set.of());
    assertEquals(Compliance.NON_COMPLIANT, r.compliance(), r.reason());
    Map<String, String> missing = ComplianceFixtures.missing(r);
    String apt;
    try (ComplianceFixtures.Mounted m = new ComplianceFixtures.Mounted(ComplianceFixtures.base(),
        dir, "oracle-new")) {
      apt = m.aptUpgradeSimulation(true);
    }
    // apt's Inst lines name the new packages the upgrades need too; the baseline requires them
    // (rule "new")
    Map<String, String> inst = ComplianceFixtures.instLines(apt);
    assertEquals(inst, missing, apt + "\nfindings: " + r.findings());
    assertTrue(missing.containsKey("hostname"), missing.toString());
    for (Finding f : r.inState(RequirementState.MISSING)) {
      boolean isNew = ComplianceFixtures.newInstalls(apt).contains(f.name());
      assertEquals(isNew, f.installedVersion() == null, f.toString());
      assertEquals(isNew ? "new" : "upgrade", f.rule(), f.toString());
    }
  }

  @Test
  void anHttpSourceGivesTheSameFindings() throws Exception {
    TargetReport local = scanner.scan(ComplianceFixtures.base(), Set.of());
    try (ComplianceFixtures.Served served =
        new ComplianceFixtures.Served(ComplianceFixtures.repo(), false)) {
      Path dir = Files.createDirectories(work.resolve("http"));
      Scanner http = Scanner.create(BaselineSet.load(ComplianceFixtures.baseline(dir,
          served.url)), ComplianceFixtures.options(dir.resolve("cache"), 1));
      TargetReport r = http.scan(ComplianceFixtures.base(), Set.of());
      assertEquals(Compliance.NON_COMPLIANT, r.compliance(), r.reason());
      assertEquals(ComplianceFixtures.missing(local), ComplianceFixtures.missing(r));
      assertTrue(served.requests.stream().anyMatch(q -> q.contains("InRelease")),
          served.requests.toString());
    }
  }

  @Test
  void imagesWithoutAnOperatingSystemAreUnknownWithTheReason() throws Exception {
    Oracles.require("mke2fs", "e2fsprogs");
    Path blank = work.resolve("blank.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", blank.toString(), "16M");
    TargetReport r = scanner.scan(blank, Set.of());
    assertEquals(Compliance.UNKNOWN, r.compliance());
    assertTrue(r.reason().contains("no operating system"), r.reason());
    assertTrue(r.findings().isEmpty());

    // an operating system without a package database: os-release only, made by mke2fs -d
    Path tree = Files.createDirectories(work.resolve("nodb/etc"));
    Files.writeString(tree.resolve("os-release"), "ID=debian\nVERSION_ID=\"12\"\n"
        + "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    Path nodb = work.resolve("nodb.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", "-d", work.resolve("nodb").toString(),
        nodb.toString(), "16M");
    TargetReport n = scanner.scan(nodb, Set.of());
    assertEquals(Compliance.UNKNOWN, n.compliance());
    assertTrue(n.reason().contains("no package database"), n.reason());
    assertEquals(0, n.partition());
    assertEquals("Debian GNU/Linux 12 (bookworm)", n.os());

    Path garbage = work.resolve("garbage.vmdk");
    Files.write(garbage, "KDMV this is not a disk".getBytes(StandardCharsets.US_ASCII));
    TargetReport g = scanner.scan(garbage, Set.of());
    assertEquals(Compliance.UNKNOWN, g.compliance());
    assertTrue(g.reason().startsWith("cannot read the image"), g.reason());

    TargetReport none = scanner.scan(work.resolve("no-such.vmdk"), Set.of());
    assertEquals(Compliance.UNKNOWN, none.compliance());
    assertTrue(none.reason().contains("no such file"), none.reason());
  }

  @Test
  void scanAllKeepsTheInputOrderAndCountsEveryImage() throws Exception {
    Path blank = work.resolve("blank2.img");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", blank.toString(), "16M");
    List<Path> images = List.of(ComplianceFixtures.base(), blank, ComplianceFixtures.base(),
        work.resolve("missing.raw"));
    List<Integer> progress = Collections.synchronizedList(new ArrayList<>());
    List<TargetReport> reports = scanner.scanAll(images, Set.of(), progress::add);
    assertEquals(images.size(), reports.size());
    for (int i = 0; i < images.size(); i++) {
      assertEquals(images.get(i).toString(), reports.get(i).target());
    }
    assertEquals(Compliance.NON_COMPLIANT, reports.get(0).compliance());
    assertEquals(Compliance.UNKNOWN, reports.get(1).compliance());
    assertEquals(reports.get(0).findings(), reports.get(2).findings());
    assertEquals(Compliance.UNKNOWN, reports.get(3).compliance());
    assertEquals(List.of(1, 2, 3, 4), progress.stream().sorted().toList());
  }

  @Test
  void anImageAnotherProcessHoldsLockedIsStillScannedReadOnly() throws Exception {
    Oracles.require("python3", "python3");
    Path image = ComplianceFixtures.copy(work, "locked.vmdk");
    String sha = ComplianceFixtures.sha256(image);
    // a POSIX write lock on the whole file, as a process writing it holds one
    Process p = new ProcessBuilder("python3", "-c",
        "import fcntl,sys,time\n"
            + "f=open(sys.argv[1],'r+b')\n"
            + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
            + "print('locked', flush=True)\n"
            + "time.sleep(120)\n", image.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());
      TargetReport r = scanner.scan(image, Set.of());
      assertEquals(Compliance.NON_COMPLIANT, r.compliance(), r.reason());
      assertTrue(r.warnings().stream().anyMatch(w -> w.contains("in use by another process")),
          r.warnings().toString());
      // and writing is refused while the lock is held: remediation fails, the image unchanged
      RemediationReport rr = Remediator.create(scanner,
          new RemediateOptions(null, false, false)).remediate(image, Set.of());
      assertEquals(RemediationReport.Outcome.FAILED, rr.outcome());
      assertTrue(rr.error().contains("another process"), rr.error());
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertEquals(sha, ComplianceFixtures.sha256(image));
  }
}
