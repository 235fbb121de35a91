package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.apply.Applier;
import dev.vdisk.apply.ApplyOptions;
import dev.vdisk.testdata.MountedGuest;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import dev.vdisk.trust.TrustStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of {@code vdisk apply} (issue 10) on a Debian 12 debootstrap guest in a
 * GPT inside a monolithicSparse VMDK, {@code /boot} on partition 1 ({@code
 * make-debian-inspect-vmdk.sh}), with the newer versions of several installed packages ({@code
 * make-newer-debs.sh}) in a repository signed by the test key ({@code make-test-keys.sh}, {@code
 * make-apt-repo.sh}).
 *
 * <p>Oracles, on the same bytes: {@code qemu-img check} and {@code qemu-img convert} to raw,
 * {@code e2fsck -fn} on both partitions, the kernel's ext4 (loop mounts), and real dpkg in a
 * chroot: the status file, {@code info/} and {@code triggers/} our apply leaves equal what {@code
 * dpkg --no-triggers --unpack} of the same packages leaves in a chroot of an identical copy
 * (without {@code --no-triggers} dpkg also runs the activated triggers at the end of its run:
 * configuration work that the first boot does here), and so do the
 * unpacked files (content, type, mode, owner, link target; a regular file's mtime too — the
 * timestamps not compared are directories' and symbolic links' mtimes and every ctime); then
 * {@code dpkg --configure -a} (through the first-boot script when there is one, standing in for
 * the first boot) leaves {@code dpkg --audit} and {@code dpkg -V} silent and {@code dpkg-query
 * -W} showing the new versions. Refusals (tampered package, untrusted key, failure injected
 * midway, dry run) leave the image's SHA-256 unchanged; {@code --snapshot} leaves the parent
 * unchanged and puts the result in a child {@code qemu-img check} accepts.
 */
class ApplyCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  static Path base;
  static Path debs;
  static Path keys;
  static Path repo;
  static List<Path> packages;
  static Map<String, String> newVersions;

  @BeforeAll
  static void fixtures() throws Exception {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("sgdisk", "gdisk");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.require("dpkg", "dpkg");
    Oracles.require("dpkg-deb", "dpkg");
    Oracles.require("gpg", "gpg");
    Oracles.require("apt-ftparchive", "apt-utils");
    Oracles.require("partx", "util-linux");
    Oracles.requireRoot("debootstrap, loop mounts and chroot");
    base = work.resolve("debian.vmdk");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-inspect-vmdk.sh").toString(),
        base.toString());
    keys = work.resolve("keys");
    Oracles.runOk("bash", ProjectPaths.script("make-test-keys.sh").toString(), keys.toString());
    debs = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-newer-debs.sh").toString(), debs.toString());
    packages = listPackages(debs);
    assertThat(packages).isNotEmpty();
    newVersions = new TreeMap<>();
    for (Path p : packages) {
      String[] f = Oracles.runOk("dpkg-deb", "--show", "--showformat=${Package} ${Version}",
          p.toString()).strip().split(" ");
      newVersions.put(f[0], f[1]);
    }
    repo = work.resolve("repo");
    List<String> cmd = new ArrayList<>(List.of("bash",
        ProjectPaths.script("make-apt-repo.sh").toString(), repo.toString(),
        keys.resolve("home").toString(),
        Files.readString(keys.resolve("good.sigfpr")).strip() + "!"));
    packages.forEach(p -> cmd.add(p.toString()));
    Oracles.runOk(cmd.toArray(String[]::new));
  }

  /** The packages in make-newer-debs.sh's unpack order (packages.txt), else all, sorted. */
  private static List<Path> listPackages(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    Path list = dir.resolve("packages.txt");
    if (Files.exists(list)) {
      for (String line : Files.readAllLines(list)) {
        String first = line.strip().split("\\s+")[0];
        if (first.endsWith(".deb")) {
          Path p = dir.resolve(first);
          if (Files.isRegularFile(p)) {
            out.add(p);
          }
        }
      }
    }
    if (out.isEmpty()) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.toString().endsWith(".deb")).sorted().forEach(out::add);
      }
    }
    return out;
  }

  private static Path copy(String name) throws IOException {
    Path p = work.resolve(name);
    Files.copy(base, p, StandardCopyOption.REPLACE_EXISTING);
    return p;
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static List<String> applyArgs(Path image, String key, String... more) {
    List<String> args = new ArrayList<>(List.of("apply", image.toString(), debs.toString(),
        "--trust", keys.resolve(key).toString(), "--repo", repo.toString()));
    args.addAll(List.of(more));
    return args;
  }

  @Test
  void applyEqualsDpkgUnpackAndConfiguresCleanly() throws Exception {
    Path a = copy("a.vmdk");
    CliRunner r = CliRunner.run(applyArgs(a, "good.gpg", "--json").toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode report = JSON.readTree(r.out());
    assertThat(report.get("written").asText()).isEqualTo(a.toString());
    assertThat(report.get("partition").asInt()).isEqualTo(2);
    List<String> unpacked = new ArrayList<>();
    Map<String, String> action = new LinkedHashMap<>();
    for (JsonNode p : report.get("packages")) {
      action.put(p.get("name").asText(), p.get("action").asText());
      if (p.get("action").asText().equals("unpacked")) {
        unpacked.add(p.get("name").asText());
      }
    }
    assertThat(action.keySet()).containsExactlyInAnyOrderElementsOf(newVersions.keySet());
    assertThat(unpacked).as("packages unpacked (the rest staged): %s", action).isNotEmpty();
    Oracles.Result check = Oracles.run("qemu-img", "check", a.toString());
    assertThat(check.exitCode()).as(check.describe()).isZero();

    // B: real dpkg --unpack of the packages we unpacked, in the same order, on a copy. With
    // --no-triggers: otherwise dpkg runs the triggers it activated at the end of the run (ldconfig,
    // update-shells), which is configuration, the first boot's work, not unpacking.
    Path b = copy("b.vmdk");
    try (MountedGuest ma = new MountedGuest(a, work, "a");
        MountedGuest mb = new MountedGuest(b, work, "b")) {
      Path in = Files.createDirectories(mb.root().resolve("tmp/vdisk-debs"));
      List<String> cmd = new ArrayList<>(List.of("dpkg", "--no-triggers", "--unpack"));
      for (String name : unpacked) {
        Path deb = packages.stream().filter(p -> p.getFileName().toString()
            .startsWith(name + "_")).findFirst().orElseThrow();
        Files.copy(deb, in.resolve(deb.getFileName()));
        cmd.add("/tmp/vdisk-debs/" + deb.getFileName());
      }
      mb.chroot(cmd.toArray(String[]::new));
      Path dpkgA = ma.root().resolve("var/lib/dpkg");
      Path dpkgB = mb.root().resolve("var/lib/dpkg");
      assertThat(Files.readString(dpkgA.resolve("status")))
          .isEqualTo(Files.readString(dpkgB.resolve("status")));
      // dpkg's own files: their mtimes are when they were written, not compared
      assertThat(differences(tree(dpkgA.resolve("info")), tree(dpkgB.resolve("info"))))
          .as("info/ (ours, dpkg's)").isEmpty();
      assertThat(differences(tree(dpkgA.resolve("triggers")), tree(dpkgB.resolve("triggers"))))
          .as("triggers/ (ours, dpkg's)").isEmpty();
      // the unpacked packages' files
      for (String name : unpacked) {
        Path list = dpkgB.resolve("info/" + name + ".list");
        if (!Files.exists(list)) {
          list = dpkgB.resolve("info/" + name + ":amd64.list");
        }
        for (String path : Files.readAllLines(list)) {
          if (path.equals("/.") || path.startsWith("/boot/") || path.equals("/boot")) {
            continue;
          }
          String rel = path.substring(1);
          assertThat(facts(ma.root().resolve(rel), true)).as("%s of %s", path, name)
              .isEqualTo(facts(mb.root().resolve(rel), true));
        }
      }

      // first boot, standing in: the first-boot script if vdisk installed one, else dpkg
      if (Files.exists(ma.root().resolve("usr/local/sbin/vdisk-firstboot"))) {
        ma.chroot("/usr/local/sbin/vdisk-firstboot");
      }
      ma.chroot("dpkg", "--configure", "-a");
      assertThat(ma.chroot("dpkg", "--audit")).isEmpty();
      assertThat(ma.chroot("dpkg", "-V")).isEmpty();
      Map<String, String> installed = new TreeMap<>();
      for (String line : ma.chroot("dpkg-query", "-W", "-f", "${Package} ${Version}\n")
          .split("\n")) {
        String[] f = line.split(" ");
        installed.put(f[0], f[1]);
      }
      newVersions.forEach((name, version) ->
          assertThat(installed.get(name)).as(name).isEqualTo(version));
    }
  }

  /** The entries two maps disagree on, each as "key: ours | theirs". */
  private static List<String> differences(Map<String, String> ours, Map<String, String> theirs) {
    List<String> out = new ArrayList<>();
    java.util.Set<String> keys = new java.util.TreeSet<>(ours.keySet());
    keys.addAll(theirs.keySet());
    for (String k : keys) {
      if (!java.util.Objects.equals(ours.get(k), theirs.get(k))) {
        out.add(k + ": " + ours.get(k) + " | " + theirs.get(k));
      }
    }
    return out;
  }

  /** A directory's files: relative name to their facts without mtimes. */
  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(dir.relativize(p).toString(), facts(p, false));
      }
    }
    return out;
  }

  /** Type, mode, owner, size, content hash, link target and (regular files) mtime. */
  private static String facts(Path p, boolean mtime) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return "missing";
    }
    Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
    StringBuilder sb = new StringBuilder();
    int mode = (Integer) a.get("mode");
    sb.append(Integer.toOctalString(mode)).append(' ').append(a.get("uid")).append(':')
        .append(a.get("gid"));
    if (Files.isSymbolicLink(p)) {
      sb.append(" -> ").append(Files.readSymbolicLink(p));
    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      try {
        sb.append(' ').append(a.get("size")).append(' ').append(sha256(p));
        if (mtime) {
          sb.append(' ').append(a.get("lastModifiedTime"));
        }
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
    return sb.toString();
  }

  @Test
  void untrustedOrTamperedInputIsRefusedAndTheImageIsUnchanged() throws Exception {
    Path image = copy("refused.vmdk");
    String before = sha256(image);
    // a key that did not sign the repository
    CliRunner other = CliRunner.run(applyArgs(image, "other.gpg").toArray(String[]::new));
    assertThat(other.exitCode()).as(other.err()).isEqualTo(ExitCode.REFUSED);
    assertThat(sha256(image)).isEqualTo(before);
    // one byte changed in one package: its SHA-256 no longer matches the signed index
    Path tampered = Files.createDirectories(work.resolve("tampered"));
    for (Path p : packages) {
      Files.copy(p, tampered.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    Path victim = tampered.resolve(packages.get(0).getFileName());
    byte[] bytes = Files.readAllBytes(victim);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(victim, bytes);
    CliRunner t = CliRunner.run("apply", image.toString(), tampered.toString(), "--trust",
        keys.resolve("good.gpg").toString(), "--repo", repo.toString());
    assertThat(t.exitCode()).as(t.err()).isEqualTo(ExitCode.REFUSED);
    assertThat(t.err()).contains(victim.getFileName().toString());
    assertThat(sha256(image)).isEqualTo(before);
    // no repository and no detached signature
    CliRunner bare = CliRunner.run("apply", image.toString(), debs.toString(), "--trust",
        keys.resolve("good.gpg").toString());
    assertThat(bare.exitCode()).as(bare.err()).isEqualTo(ExitCode.REFUSED);
    assertThat(sha256(image)).isEqualTo(before);
  }

  @Test
  void aFailureMidwayLeavesTheImageUnchanged() throws Exception {
    Path image = copy("failing.vmdk");
    String before = sha256(image);
    ApplyOptions options = ApplyOptions.of(TrustStore.load(List.of(keys.resolve("good.gpg"))))
        .withRepositories(List.of(repo.toString())).withFailAfterFiles(25);
    assertThatThrownBy(() -> Applier.apply(image, List.of(debs), options))
        .isInstanceOf(IOException.class);
    assertThat(sha256(image)).isEqualTo(before);
    assertThat(Files.exists(dev.vdisk.core.tx.Transaction.record(image))).isFalse();
  }

  @Test
  void aDryRunChangesNothing() throws Exception {
    Path image = copy("dry.vmdk");
    String before = sha256(image);
    CliRunner r = CliRunner.run(applyArgs(image, "good.gpg", "--dry-run", "--json")
        .toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode report = JSON.readTree(r.out());
    assertThat(report.get("dryRun").asBoolean()).isTrue();
    assertThat(report.get("packages").size()).isEqualTo(newVersions.size());
    assertThat(report.get("written").isNull()).isTrue();
    assertThat(sha256(image)).isEqualTo(before);
    // with a snapshot: the child is created for the run and removed again
    Path child = work.resolve("dry-child.vmdk");
    CliRunner s = CliRunner.run(applyArgs(image, "good.gpg", "--dry-run", "--snapshot",
        child.toString()).toArray(String[]::new));
    assertThat(s.exitCode()).as(s.err()).isZero();
    assertThat(Files.exists(child)).isFalse();
    assertThat(sha256(image)).isEqualTo(before);
  }

  @Test
  void aSnapshotTakesTheResultAndTheParentIsUnchanged() throws Exception {
    Path image = copy("parent.vmdk");
    String before = sha256(image);
    Path child = work.resolve("child.vmdk");
    CliRunner r = CliRunner.run(applyArgs(image, "good.gpg", "--snapshot", child.toString(),
        "--json").toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(JSON.readTree(r.out()).get("written").asText()).isEqualTo(child.toString());
    assertThat(sha256(image)).isEqualTo(before);
    Oracles.Result check = Oracles.run("qemu-img", "check", child.toString());
    assertThat(check.exitCode()).as(check.describe()).isZero();
    // the child, read by qemu-img through its parent, holds the new versions in dpkg's status
    try (MountedGuest m = new MountedGuest(child, work, "child")) {
      String status = Files.readString(m.root().resolve("var/lib/dpkg/status"));
      for (JsonNode p : JSON.readTree(r.out()).get("packages")) {
        if (p.get("action").asText().equals("unpacked")) {
          String name = p.get("name").asText();
          int at = status.indexOf("Package: " + name + "\n");
          assertThat(at).as(name).isNotNegative();
          int end = status.indexOf("\n\n", at);
          assertThat(status.substring(at, end < 0 ? status.length() : end))
              .contains("\nVersion: " + newVersions.get(name) + "\n")
              .contains("\nStatus: install ok unpacked\n");
        }
      }
    }
    // and the same apply on an existing child is refused
    CliRunner again = CliRunner.run(applyArgs(image, "good.gpg", "--snapshot",
        child.toString()).toArray(String[]::new));
    assertThat(again.exitCode()).isEqualTo(ExitCode.REFUSED);
  }

  @Test
  void anImageARunningQemuHoldsIsRefused() throws Exception {
    Path qemuIo = Oracles.require("qemu-io", "qemu-utils");
    Path image = copy("busy.vmdk");
    // qemu-io opens the image read-write (taking QEMU's locks) and waits for commands on stdin
    Process qemu = new ProcessBuilder(qemuIo.toString(), "-f", "vmdk", image.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (java.io.OutputStream stdin = qemu.getOutputStream()) {
      long inode = (Long) Files.getAttribute(image, "unix:ino");
      boolean locked = false;
      for (int i = 0; i < 200 && !locked; i++) {
        locked = Files.readAllLines(Path.of("/proc/locks")).stream()
            .anyMatch(l -> l.contains("OFDLCK") && l.contains(":" + inode + " "));
        Thread.sleep(50);
      }
      assertThat(locked).as("qemu-io locked the image").isTrue();
      String before = sha256(image);
      CliRunner r = CliRunner.run(applyArgs(image, "good.gpg").toArray(String[]::new));
      assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.REFUSED);
      assertThat(r.err()).contains("lock");
      assertThat(sha256(image)).isEqualTo(before);
      stdin.write("quit\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(qemu.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aPartitionWithoutAnOperatingSystemIsBadInput() throws Exception {
    Path image = copy("boot-only.vmdk");
    String before = sha256(image);
    // partition 1 is the guest's /boot: a file system, but no operating system root
    CliRunner r = CliRunner.run(applyArgs(image, "good.gpg", "--partition", "1")
        .toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err()).contains("partition 1");
    assertThat(sha256(image)).isEqualTo(before);
  }

  @Test
  void aRootFileSystemWithRecordedErrorsIsRefused() throws Exception {
    Oracles.require("debugfs", "e2fsprogs");
    // the root's superblock marked "not clean with errors" by debugfs, on a raw copy
    Path raw = work.resolve("errors.raw");
    Oracles.runOk("qemu-img", "convert", "-O", "raw", base.toString(), raw.toString());
    long[] root = MountedGuest.partition(raw, 2);
    String loop = Oracles.runOk("losetup", "--show", "-f", "-o", String.valueOf(root[0]),
        "--sizelimit", String.valueOf(root[1]), raw.toString()).strip();
    try {
      Oracles.runOk("debugfs", "-w", "-R", "ssv state 2", loop);
      assertThat(Oracles.runOk("dumpe2fs", "-h", loop)).contains("with errors");
    } finally {
      Oracles.run("losetup", "-d", loop);
    }
    Path image = work.resolve("errors.vmdk");
    Oracles.runOk("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(),
        image.toString());
    Files.delete(raw);
    String before = sha256(image);
    CliRunner r = CliRunner.run(applyArgs(image, "good.gpg").toArray(String[]::new));
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.REFUSED);
    assertThat(r.err()).contains("errors");
    assertThat(sha256(image)).isEqualTo(before);
  }

  @Test
  void aGuestWithoutDpkgIsBadInput() throws Exception {
    Path raw = ProjectPaths.image("gpt5.img");
    Path copy = work.resolve("gpt5.img");
    Files.copy(raw, copy, StandardCopyOption.REPLACE_EXISTING);
    String before = sha256(copy);
    CliRunner r = CliRunner.run("apply", copy.toString(), debs.toString(), "--trust",
        keys.resolve("good.gpg").toString(), "--repo", repo.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(sha256(copy)).isEqualTo(before);
  }

  @Test
  void unsatisfiedDependenciesAreRefusedAndTheImageIsUnchanged() throws Exception {
    Path pkg = Files.createDirectories(work.resolve("needs/pkg/DEBIAN"));
    Files.writeString(pkg.resolve("control"), "Package: vdisk-needs-missing\nVersion: 1.0\n"
        + "Architecture: all\nMaintainer: vdisk <vdisk@vdisk.test>\n"
        + "Depends: vdisk-missing-package (>= 1)\nDescription: depends on what is absent\n");
    Path deb = work.resolve("needs/vdisk-needs-missing_1.0_all.deb");
    Oracles.runOk("dpkg-deb", "--root-owner-group", "-b", pkg.getParent().toString(),
        deb.toString());
    Path repo2 = work.resolve("needs/repo");
    Oracles.runOk("bash", ProjectPaths.script("make-apt-repo.sh").toString(), repo2.toString(),
        keys.resolve("home").toString(),
        Files.readString(keys.resolve("good.sigfpr")).strip() + "!", deb.toString());
    Path image = copy("needs.vmdk");
    String before = sha256(image);
    CliRunner r = CliRunner.run("apply", image.toString(), deb.toString(), "--trust",
        keys.resolve("good.gpg").toString(), "--repo", repo2.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.REFUSED);
    assertThat(r.err()).contains("vdisk-missing-package");
    assertThat(sha256(image)).isEqualTo(before);
  }
}
