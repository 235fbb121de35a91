package dev.vdisk.compliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.testdata.Oracles;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remediation of issue 11's acceptance on the Debian 12 debootstrap guest ({@link
 * ComplianceFixtures}): remediate, then the scan is COMPLIANT; {@code qemu-img check} and {@code
 * e2fsck -fn} find the image clean; in a chroot of it the first boot's work ({@code
 * vdisk-firstboot}, {@code dpkg --configure -a}) leaves {@code dpkg --audit} silent and real
 * {@code apt-get -s upgrade} with nothing to upgrade. A dry run leaves the image's SHA-256 as it
 * was; a snapshot leaves the parent's and writes a child {@code qemu-img check} accepts and that
 * scans COMPLIANT (here from the repository served over http, whose first response for every
 * package breaks off midway, so every package download is resumed with {@code Range}). Of
 * several images, a corrupt one and one whose file system cannot be written fail, unchanged,
 * and the good one is remediated.
 */
class RemediateIT {
  @TempDir static Path work;
  static Scanner scanner;

  @BeforeAll
  static void load() throws Exception {
    ComplianceFixtures.root();
    BaselineSet set = BaselineSet.load(ComplianceFixtures.baseline(work,
        ComplianceFixtures.repo().toString()));
    scanner = Scanner.create(set, ComplianceFixtures.options(work.resolve("cache"), 2));
  }

  private static Remediator remediator(Scanner s, boolean snapshot, boolean dryRun) {
    return Remediator.create(s, new RemediateOptions(null, snapshot, dryRun));
  }

  /** "name version" of the MISSING findings. */
  private static List<String> missingAsApplied(TargetReport r) {
    List<String> out = new ArrayList<>();
    for (Finding f : r.inState(RequirementState.MISSING)) {
      out.add(f.name() + " " + f.candidateVersion());
    }
    Collections.sort(out);
    return out;
  }

  private static List<String> sorted(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    Collections.sort(out);
    return out;
  }

  @Test
  void remediatedImageIsCompliantAndAptHasNothingToUpgrade() throws Exception {
    Path image = ComplianceFixtures.copy(work, "remediate.vmdk");
    RemediationReport r = remediator(scanner, false, false).remediate(image, Set.of());
    assertEquals(RemediationReport.Outcome.REMEDIATED, r.outcome(), r.error());
    assertEquals(image.toString(), r.written());
    assertNull(r.error());
    assertEquals(Compliance.NON_COMPLIANT, r.before().compliance());
    assertEquals(Compliance.COMPLIANT, r.after().compliance(), r.after().reason() + " "
        + r.after().findings());
    // what was applied is what was missing (hostname stays kept back: it needs a new package)
    assertEquals(missingAsApplied(r.before()), sorted(r.applied(), r.staged()));
    assertFalse(r.applied().isEmpty());
    // an independent rescan agrees: no MISSING left, the upgrades pending the first boot
    TargetReport again = scanner.scan(image, Set.of());
    assertEquals(Compliance.COMPLIANT, again.compliance());
    assertTrue(again.inState(RequirementState.MISSING).isEmpty());
    assertFalse(again.inState(RequirementState.INSTALLED_PENDING_REBOOT).isEmpty(),
        again.findings().toString());

    // a second remediation has nothing to do
    RemediationReport twice = remediator(scanner, false, false).remediate(image, Set.of());
    assertEquals(RemediationReport.Outcome.NOTHING_TO_DO, twice.outcome(), twice.error());
    assertNull(twice.written());

    Oracles.Result check = Oracles.run("qemu-img", "check", image.toString());
    assertEquals(0, check.exitCode(), check.describe());
    try (ComplianceFixtures.Mounted m = new ComplianceFixtures.Mounted(image, work, "r")) {
      // the first boot, standing in: vdisk's first-boot script, then dpkg
      if (Files.exists(m.root().resolve("usr/local/sbin/vdisk-firstboot"))) {
        m.chroot("/usr/local/sbin/vdisk-firstboot");
      }
      m.chroot("dpkg", "--configure", "-a");
      assertEquals("", m.chroot("dpkg", "--audit"));
      Map<String, String> installed = new TreeMap<>();
      for (String line : m.chroot("dpkg-query", "-W", "-f", "${Package} ${Version}\n")
          .split("\n")) {
        String[] f = line.split(" ");
        installed.put(f[0], f[1]);
      }
      ComplianceFixtures.missing(r.before()).forEach((name, version) ->
          assertEquals(version, installed.get(name), name));
      String apt = m.aptUpgradeSimulation();
      assertTrue(apt.contains("0 upgraded"), apt);
      assertEquals(Map.of(), ComplianceFixtures.instLines(apt), apt);
    }
  }

  @Test
  void withAllowNewTheNeededNewPackageIsInstalledToo() throws Exception {
    Path dir = Files.createDirectories(work.resolve("allow-new"));
    Scanner withNew = Scanner.create(BaselineSet.load(ComplianceFixtures.baseline(dir,
        ComplianceFixtures.repo().toString(), true)),
        ComplianceFixtures.options(dir.resolve("cache"), 1));
    Path image = ComplianceFixtures.copy(dir, "new.vmdk");
    RemediationReport r = remediator(withNew, false, false).remediate(image, Set.of());
    assertEquals(RemediationReport.Outcome.REMEDIATED, r.outcome(), r.error());
    assertEquals(missingAsApplied(r.before()), sorted(r.applied(), r.staged()));
    assertTrue(sorted(r.applied(), r.staged()).stream().anyMatch(p -> p.startsWith("hostname ")));
    assertEquals(Compliance.COMPLIANT, r.after().compliance(), r.after().findings().toString());
    try (ComplianceFixtures.Mounted m = new ComplianceFixtures.Mounted(image, dir, "n")) {
      if (Files.exists(m.root().resolve("usr/local/sbin/vdisk-firstboot"))) {
        m.chroot("/usr/local/sbin/vdisk-firstboot");
      }
      m.chroot("dpkg", "--configure", "-a");
      assertEquals("", m.chroot("dpkg", "--audit"));
      String apt = m.aptUpgradeSimulation(true);
      assertTrue(apt.contains("0 upgraded, 0 newly installed"), apt);
      assertEquals(Map.of(), ComplianceFixtures.instLines(apt), apt);
    }
  }

  @Test
  void sourcesSignedByDifferentKeysAreAppliedInOneTransaction() throws Exception {
    Path dir = Files.createDirectories(work.resolve("two-keys"));
    Path root = ComplianceFixtures.root();
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    try (Stream<Path> s = Files.list(root.resolve("debs"))) {
      for (Path p : s.filter(p -> p.toString().endsWith(".deb")).sorted().toList()) {
        (p.getFileName().toString().startsWith("login_") ? b : a).add(p.toString());
      }
    }
    assertEquals(1, b.size());
    Path repoA = dir.resolve("repo-a");
    Path repoB = dir.resolve("repo-b");
    makeRepo(repoA, root.resolve("keys/good.sigfpr"), a);
    makeRepo(repoB, root.resolve("keys/other.fpr"), b);
    Path baseline = dir.resolve("two.yaml");
    Files.writeString(baseline, "baselines:\n"
        + "  - name: two-sources\n"
        + "    sources:\n"
        + "      - repo: " + repoA + "\n"
        + "        suites: [" + ComplianceFixtures.SUITE + "]\n"
        + "        trust: [" + ComplianceFixtures.key("good") + "]\n"
        + "      - repo: " + repoB + "\n"
        + "        suites: [" + ComplianceFixtures.SUITE + "]\n"
        + "        trust: [" + root.resolve("keys/other.gpg") + "]\n"
        + "    dynamic: {}\n");
    Scanner two = Scanner.create(BaselineSet.load(baseline),
        ComplianceFixtures.options(dir.resolve("cache"), 1));
    Path image = ComplianceFixtures.copy(dir, "two.vmdk");
    RemediationReport r = remediator(two, false, false).remediate(image, Set.of());
    assertEquals(RemediationReport.Outcome.REMEDIATED, r.outcome(), r.error());
    assertTrue(sorted(r.applied(), r.staged()).stream().anyMatch(p -> p.startsWith("login ")));
    assertTrue(sorted(r.applied(), r.staged()).stream().anyMatch(p -> p.startsWith("bash ")));
    assertEquals(Compliance.COMPLIANT, r.after().compliance(), r.after().findings().toString());
    // no temporary keyring is left behind
    try (Stream<Path> s = Files.list(Files.createDirectories(dir.resolve("cache/tmp")))) {
      assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".gpg")).toList());
    }
  }

  private static void makeRepo(Path out, Path fingerprintFile, List<String> debs)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash",
        dev.vdisk.testdata.ProjectPaths.script("make-apt-repo.sh").toString(), out.toString(),
        ComplianceFixtures.root().resolve("keys/home").toString(),
        Files.readString(fingerprintFile).strip() + "!"));
    cmd.addAll(debs);
    Oracles.runOk(cmd.toArray(String[]::new));
  }

  @Test
  void aDryRunChangesNothing() throws Exception {
    Path image = ComplianceFixtures.copy(work, "dry.vmdk");
    String sha = ComplianceFixtures.sha256(image);
    RemediationReport r = remediator(scanner, false, true).remediate(image, Set.of());
    assertEquals(RemediationReport.Outcome.DRY_RUN, r.outcome(), r.error());
    assertNull(r.written());
    assertNull(r.after());
    assertEquals(missingAsApplied(r.before()), sorted(r.applied(), r.staged()));
    assertEquals(sha, ComplianceFixtures.sha256(image));
    assertEquals(Compliance.NON_COMPLIANT, scanner.scan(image, Set.of()).compliance());
    try (Stream<Path> s = Files.list(work)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("dry.remediated")));
    }
  }

  @Test
  void aSnapshotFromAnHttpSourceWithBrokenTransfersLeavesTheParent() throws Exception {
    Path dir = Files.createDirectories(work.resolve("snap"));
    Path image = ComplianceFixtures.copy(dir, "web1.vmdk");
    String sha = ComplianceFixtures.sha256(image);
    try (ComplianceFixtures.Served served =
        new ComplianceFixtures.Served(ComplianceFixtures.repo(), true)) {
      Scanner http = Scanner.create(BaselineSet.load(ComplianceFixtures.baseline(dir,
          served.url)), ComplianceFixtures.options(dir.resolve("cache"), 1));
      RemediationReport r = remediator(http, true, false).remediate(image, Set.of());
      assertEquals(RemediationReport.Outcome.REMEDIATED, r.outcome(), r.error());
      assertNotNull(r.written());
      Path child = Path.of(r.written());
      assertEquals(dir, child.getParent());
      assertTrue(child.getFileName().toString()
          .matches("web1\\.remediated-\\d{8}T\\d{6}Z\\.vmdk"), child.toString());
      assertEquals(sha, ComplianceFixtures.sha256(image), "the parent was written");
      Oracles.Result check = Oracles.run("qemu-img", "check", child.toString());
      assertEquals(0, check.exitCode(), check.describe());
      assertTrue(Oracles.runOk("qemu-img", "info", child.toString())
          .contains("backing file: " + image.getFileName()), "a child of the image");
      assertEquals(Compliance.COMPLIANT, r.after().compliance());
      assertEquals(Compliance.COMPLIANT, http.scan(child, Set.of()).compliance());
      assertEquals(Compliance.NON_COMPLIANT, http.scan(image, Set.of()).compliance());
      // every package was cut off once and resumed from where it broke off
      List<String> debs = served.requests.stream().filter(q -> q.contains(".deb")).toList();
      assertEquals(r.applied().size() + r.staged().size(), served.cut.size(), debs.toString());
      for (String deb : served.cut) {
        assertTrue(debs.stream().anyMatch(q -> q.startsWith(deb + " Range: bytes=")
            && !q.endsWith("bytes=0-")), deb + " " + debs);
      }
      // the child passes the kernel's and e2fsck's reading too
      try (ComplianceFixtures.Mounted m = new ComplianceFixtures.Mounted(child, dir, "c")) {
        m.chroot("dpkg", "--configure", "-a");
        assertEquals("", m.chroot("dpkg", "--audit"));
      }
    }
  }

  @Test
  void imagesRemediatedInParallelShareTheDownloadCache() throws Exception {
    Path dir = Files.createDirectories(work.resolve("parallel"));
    List<Path> images = List.of(ComplianceFixtures.copy(dir, "p1.vmdk"),
        ComplianceFixtures.copy(dir, "p2.vmdk"));
    try (ComplianceFixtures.Served served =
        new ComplianceFixtures.Served(ComplianceFixtures.repo(), true)) {
      Scanner http = Scanner.create(BaselineSet.load(ComplianceFixtures.baseline(dir,
          served.url)), ComplianceFixtures.options(dir.resolve("cache"), 2));
      List<RemediationReport> reports = remediator(http, false, false)
          .remediateAll(images, Set.of(), null);
      for (RemediationReport r : reports) {
        assertEquals(RemediationReport.Outcome.REMEDIATED, r.outcome(), r.error());
        assertEquals(Compliance.COMPLIANT, r.after().compliance());
      }
      // each package: its first transfer cut, one resume, then the cache (by SHA-256) serves
      // both images
      Map<String, Integer> perDeb = new TreeMap<>();
      for (String q : served.requests) {
        if (q.contains(".deb")) {
          perDeb.merge(q.split(" ")[0], 1, Integer::sum);
        }
      }
      assertEquals(reports.get(0).applied().size() + reports.get(0).staged().size(),
          perDeb.size(), perDeb.toString());
      perDeb.forEach((deb, n) -> assertEquals(2, n, deb + " " + served.requests));
    }
  }

  @Test
  void aFailingImageNeverStopsTheOthers() throws Exception {
    Path dir = Files.createDirectories(work.resolve("many"));
    Path good = ComplianceFixtures.copy(dir, "good.vmdk");
    // a VMDK cut short: its grain tables point past the end
    Path corrupt = ComplianceFixtures.copy(dir, "corrupt.vmdk");
    try (FileChannel ch = FileChannel.open(corrupt, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 3);
    }
    // a root file system marked as having errors: readable, but refused for writing
    Path dirty = dir.resolve("dirty.vmdk");
    Path raw = dir.resolve("dirty.raw");
    Oracles.runOk("qemu-img", "convert", "-O", "raw", ComplianceFixtures.base().toString(),
        raw.toString());
    String[] part = Oracles.runOk("partx", "-g", "-o", "START,SECTORS", "-n", "2",
        raw.toString()).strip().split("\\s+");
    Path loop = Path.of(Oracles.runOk("losetup", "--show", "-f", "-o",
        String.valueOf(Long.parseLong(part[0]) * 512), "--sizelimit",
        String.valueOf(Long.parseLong(part[1]) * 512), raw.toString()).strip());
    try {
      Oracles.runOk("debugfs", "-w", "-R", "ssv state 2", loop.toString());
    } finally {
      Oracles.run("losetup", "-d", loop.toString());
    }
    Oracles.runOk("qemu-img", "convert", "-O", "vmdk", raw.toString(), dirty.toString());
    Files.delete(raw);
    String corruptSha = ComplianceFixtures.sha256(corrupt);
    String dirtySha = ComplianceFixtures.sha256(dirty);

    List<Integer> progress = Collections.synchronizedList(new ArrayList<>());
    List<Path> images = List.of(corrupt, dirty, good);
    List<RemediationReport> reports = remediator(scanner, false, false)
        .remediateAll(images, Set.of(), progress::add);
    assertEquals(3, reports.size());
    for (int i = 0; i < images.size(); i++) {
      assertEquals(images.get(i).toString(), reports.get(i).target());
    }
    RemediationReport c = reports.get(0);
    assertEquals(RemediationReport.Outcome.FAILED, c.outcome());
    assertNotNull(c.error());
    RemediationReport d = reports.get(1);
    assertEquals(RemediationReport.Outcome.FAILED, d.outcome(), d.toString());
    assertEquals(Compliance.NON_COMPLIANT, d.before().compliance(), "it could be scanned");
    assertTrue(d.error().contains("recorded errors"), d.error());
    RemediationReport g = reports.get(2);
    assertEquals(RemediationReport.Outcome.REMEDIATED, g.outcome(), g.error());
    assertEquals(Compliance.COMPLIANT, g.after().compliance());
    assertEquals(corruptSha, ComplianceFixtures.sha256(corrupt));
    assertEquals(dirtySha, ComplianceFixtures.sha256(dirty));
    assertEquals(List.of(1, 2, 3), progress.stream().sorted().toList());
    // the good image's file systems are clean for e2fsck
    try (ComplianceFixtures.Mounted m = new ComplianceFixtures.Mounted(good, dir, "g")) {
      assertTrue(Files.exists(m.root().resolve("var/lib/dpkg/status")));
    }
  }
}
