package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.MountedGuest;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk scan} and {@code vdisk remediate} as commands (issue 11), on the Debian 12
 * debootstrap guest of {@code make-debian-inspect-vmdk.sh} (a VMDK) and a repository signed by
 * the test key ({@code make-test-keys.sh}, {@code make-apt-repo.sh}) holding {@code
 * make-newer-debs.sh}'s newer versions of some of its packages (and one package it does not
 * have), with a baseline file whose dynamic rule takes that repository.
 *
 * <p>Oracles: real {@code apt-get -s upgrade} against the same repository and the guest's dpkg
 * status file (read from a loop mount of {@code qemu-img convert}'s raw copy) for what scan lists
 * as missing, and again on a remediated image after its first boot (vdisk's first-boot script
 * and {@code dpkg --configure -a} in a chroot), where apt must find nothing left to install;
 * {@code qemu-img check} on a remediated image; {@code sha256} of the image file for
 * a dry run; Chromium renders the HTML report in {@code HtmlReportChromiumIT}, here the file is
 * checked to be written and self-contained.
 */
class ScanCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern INST =
      Pattern.compile("(?m)^Inst (\\S+) (?:\\[(\\S+)\\] )?\\((\\S+) ");

  @TempDir static Path work;
  static Path base;
  static Path keys;
  static Path repo;
  static Path baseline;
  /** What apt-get -s upgrade installs in the guest: name to candidate version. */
  static Map<String, String> aptUpgrade;

  @BeforeAll
  static void fixtures() throws Exception {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("sgdisk", "gdisk");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("dpkg-deb", "dpkg");
    Oracles.require("gpg", "gpg");
    Oracles.require("apt-ftparchive", "apt-utils");
    Oracles.require("apt-get", "apt");
    Oracles.require("partx", "util-linux");
    Oracles.requireRoot("debootstrap and loop mounts");
    base = work.resolve("debian.vmdk");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-inspect-vmdk.sh").toString(),
        base.toString());
    keys = work.resolve("keys");
    Oracles.runOk("bash", ProjectPaths.script("make-test-keys.sh").toString(), keys.toString());
    Path debs = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-newer-debs.sh").toString(), debs.toString());
    repo = work.resolve("repo");
    List<String> cmd = new ArrayList<>(List.of("bash",
        ProjectPaths.script("make-apt-repo.sh").toString(), repo.toString(),
        keys.resolve("home").toString(),
        Files.readString(keys.resolve("good.sigfpr")).strip() + "!"));
    try (Stream<Path> s = Files.list(debs)) {
      s.filter(p -> p.toString().endsWith(".deb")).sorted().forEach(p -> cmd.add(p.toString()));
    }
    Oracles.runOk(cmd.toArray(String[]::new));
    baseline = baseline("baseline.yaml", "good.gpg");
    aptUpgrade = aptGetUpgrade(status(base), keys.resolve("good.gpg"));
    assertThat(aptUpgrade).as("apt-get -s upgrade has work to do").isNotEmpty();
  }

  static Path baseline(String name, String key) throws IOException {
    return Files.writeString(work.resolve(name), """
        # the test repository's updates, as apt-get upgrade would take them
        baselines:
          - name: test-updates
            description: newer versions from the signed test repository
            sources:
              - repo: %s
                suites: [bookworm-vdisk]
                components: [main]
                architectures: [amd64, all]
                trust: [%s]
            dynamic: {}
        """.formatted(repo, keys.resolve(key)));
  }

  /** The guest's dpkg status file, read by the kernel from a loop-mounted raw copy. */
  static Path status(Path image) throws IOException {
    Path copy = work.resolve("status-" + image.getFileName());
    try (MountedGuest m = new MountedGuest(image, work, "status")) {
      Files.copy(m.root().resolve("var/lib/dpkg/status"), copy,
          StandardCopyOption.REPLACE_EXISTING);
    }
    return copy;
  }

  /**
   * Boots the guest's packages in a chroot of a loop-mounted raw copy: vdisk's first-boot script
   * when there is one, then {@code dpkg --configure -a}; returns the dpkg status file afterwards.
   */
  static Path firstBoot(Path image) throws IOException {
    Path copy = work.resolve("status-booted-" + image.getFileName());
    try (MountedGuest m = new MountedGuest(image, work, "boot")) {
      if (Files.exists(m.root().resolve("usr/local/sbin/vdisk-firstboot"))) {
        m.chroot("/usr/local/sbin/vdisk-firstboot");
      }
      m.chroot("dpkg", "--configure", "-a");
      assertThat(m.chroot("dpkg", "--audit")).isEmpty();
      Files.copy(m.root().resolve("var/lib/dpkg/status"), copy,
          StandardCopyOption.REPLACE_EXISTING);
    }
    return copy;
  }

  /** {@code apt-get -s upgrade} for a dpkg status file against the test repository. */
  static Map<String, String> aptGetUpgrade(Path status, Path key) throws IOException {
    Path apt = Files.createTempDirectory(work, "apt");
    Files.createDirectories(apt.resolve("lists/partial"));
    Files.createDirectories(apt.resolve("cache/archives/partial"));
    Files.createDirectories(apt.resolve("none"));
    Files.writeString(apt.resolve("sources.list"), "deb [signed-by=" + key + "] file:" + repo
        + " bookworm-vdisk main\n");
    List<String> options = List.of("-o", "Dir::State::status=" + status,
        "-o", "Dir::State=" + apt, "-o", "Dir::State::Lists=" + apt.resolve("lists"),
        "-o", "Dir::Cache=" + apt.resolve("cache"),
        "-o", "Dir::Etc::SourceList=" + apt.resolve("sources.list"),
        "-o", "Dir::Etc::SourceParts=" + apt.resolve("none"),
        "-o", "Dir::Etc::PreferencesParts=" + apt.resolve("none"),
        "-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64",
        "-o", "APT::Sandbox::User=root", "-o", "Debug::NoLocking=1");
    List<String> update = new ArrayList<>(List.of("apt-get", "-q"));
    update.addAll(options);
    update.add("update");
    Oracles.runOk(update.toArray(String[]::new));
    List<String> upgrade = new ArrayList<>(List.of("apt-get", "-s"));
    upgrade.addAll(options);
    upgrade.add("upgrade");
    String out = Oracles.runOk(upgrade.toArray(String[]::new));
    Map<String, String> m = new TreeMap<>();
    Matcher matcher = INST.matcher(out);
    while (matcher.find()) {
      m.put(matcher.group(1), matcher.group(3));
    }
    return m;
  }

  private static Path copy(String name) throws IOException {
    Path p = work.resolve(name);
    Files.copy(base, p, StandardCopyOption.REPLACE_EXISTING);
    return p;
  }

  /** The MISSING findings of a target's JSON: name to candidate version. */
  private static Map<String, String> missing(JsonNode target) {
    Map<String, String> m = new TreeMap<>();
    for (JsonNode f : target.get("findings")) {
      if (f.get("state").asText().equals("MISSING")) {
        m.put(f.get("name").asText(), f.get("candidateVersion").asText());
      }
    }
    return m;
  }

  @Test
  void scanListsWhatAptGetUpgradeInstallsAndExitsFour() throws Exception {
    Path image = copy("scan.vmdk");
    String before = ApplyCommandIT.sha256(image);
    CliRunner r = CliRunner.run("scan", image.toString(), "--baseline", baseline.toString(),
        "--json", "--progress");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.NON_COMPLIANT);
    // the progress bar goes to stderr; stdout is the JSON alone
    assertThat(r.err()).contains("scanning").contains("1 / 1 images");
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("compliant").asBoolean()).isFalse();
    assertThat(json.get("baseline").asText()).isEqualTo(baseline.toString());
    JsonNode summary = json.get("summary");
    assertThat(summary.get("targets").asInt()).isEqualTo(1);
    assertThat(summary.get("nonCompliant").asInt()).isEqualTo(1);
    JsonNode t = json.get("targets").get(0);
    assertThat(t.get("target").asText()).isEqualTo(image.toString());
    assertThat(t.get("compliance").asText()).isEqualTo("NON_COMPLIANT");
    assertThat(t.get("partition").asInt()).isEqualTo(2);
    assertThat(t.get("os").asText()).contains("Debian");
    assertThat(t.get("baselines").get(0).asText()).isEqualTo("test-updates");
    assertThat(missing(t)).as("scan's MISSING vs apt-get -s upgrade")
        .isEqualTo(aptUpgrade);
    assertThat(t.get("counts").get("MISSING").asInt()).isEqualTo(aptUpgrade.size());
    for (JsonNode f : t.get("findings")) {
      assertThat(f.fieldNames()).toIterable().containsExactly("baseline", "kind", "rule",
          "name", "arch", "installedVersion", "requiredVersion", "candidateVersion", "source",
          "state", "compliant", "reason");
    }
    // scanning reads only
    assertThat(ApplyCommandIT.sha256(image)).isEqualTo(before);

    CliRunner text = CliRunner.run("scan", image.toString(), "--baseline",
        baseline.toString());
    assertThat(text.exitCode()).isEqualTo(ExitCode.NON_COMPLIANT);
    assertThat(text.out().lines().findFirst().orElseThrow()).startsWith("NON_COMPLIANT")
        .contains(image.toString()).contains(aptUpgrade.size() + " missing");
    aptUpgrade.forEach((name, version) -> assertThat(text.out()).contains(name + ":")
        .contains(version));
  }

  @Test
  void remediateThenScanIsCompliant() throws Exception {
    Path image = copy("remediate.vmdk");
    CliRunner r = CliRunner.run("remediate", image.toString(), "--baseline",
        baseline.toString(), "--json", "-j", "1");
    assertThat(r.exitCode()).as(r.err() + r.out()).isEqualTo(ExitCode.OK);
    JsonNode json = JSON.readTree(r.out());
    assertThat(json.get("dryRun").asBoolean()).isFalse();
    assertThat(json.get("summary").get("remediated").asInt()).isEqualTo(1);
    JsonNode t = json.get("targets").get(0);
    assertThat(t.get("outcome").asText()).isEqualTo("REMEDIATED");
    assertThat(t.get("written").asText()).isEqualTo(image.toString());
    assertThat(t.get("before").get("compliance").asText()).isEqualTo("NON_COMPLIANT");
    assertThat(t.get("after").get("compliance").asText()).isEqualTo("COMPLIANT");
    List<String> done = new ArrayList<>();
    t.get("applied").forEach(p -> done.add(p.asText()));
    t.get("staged").forEach(p -> done.add(p.asText()));
    List<String> expected = new ArrayList<>();
    aptUpgrade.forEach((name, version) -> expected.add(name + " " + version));
    assertThat(done).containsExactlyInAnyOrderElementsOf(expected);
    Oracles.Result check = Oracles.run("qemu-img", "check", image.toString());
    assertThat(check.exitCode()).as(check.describe()).isZero();

    CliRunner again = CliRunner.run("scan", image.toString(), "--baseline",
        baseline.toString(), "--json");
    assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.OK);
    assertThat(JSON.readTree(again.out()).get("compliant").asBoolean()).isTrue();
    // the first boot, standing in (vdisk's first-boot script installs the staged packages,
    // then dpkg --configure -a), in a chroot of a raw copy: apt then has nothing to install
    assertThat(aptGetUpgrade(firstBoot(image), keys.resolve("good.gpg"))).isEmpty();
  }

  @Test
  void aDryRunChangesNothing() throws Exception {
    Path image = copy("dry.vmdk");
    String before = ApplyCommandIT.sha256(image);
    CliRunner r = CliRunner.run("remediate", image.toString(), "--baseline",
        baseline.toString(), "--dry-run", "--json");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode t = JSON.readTree(r.out()).get("targets").get(0);
    assertThat(t.get("outcome").asText()).isEqualTo("DRY_RUN");
    assertThat(t.get("written").isNull()).isTrue();
    assertThat(t.get("applied").size() + t.get("staged").size()).isEqualTo(aptUpgrade.size());
    assertThat(ApplyCommandIT.sha256(image)).isEqualTo(before);
    try (Stream<Path> s = Files.list(work)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("dry") && !n.equals("dry.vmdk"));
    }
  }

  @Test
  void htmlReportIsWrittenAndSelfContained() throws Exception {
    Path image = copy("html.vmdk");
    Path html = work.resolve("report.html");
    CliRunner r = CliRunner.run("scan", image.toString(), "--baseline", baseline.toString(),
        "--html", html.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.NON_COMPLIANT);
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains(image.toString())
        .contains("NON_COMPLIANT").doesNotContain("http://").doesNotContain("https://");
    aptUpgrade.forEach((name, version) -> assertThat(page).contains(name).contains(version));
    Path remediation = work.resolve("remediation.html");
    CliRunner d = CliRunner.run("remediate", image.toString(), "--baseline",
        baseline.toString(), "--dry-run", "--html", remediation.toString());
    assertThat(d.exitCode()).as(d.err()).isEqualTo(ExitCode.OK);
    assertThat(Files.readString(remediation)).contains("DRY_RUN").contains(image.toString());
  }

  @Test
  void badInputExitsTwoUntrustedThreeUnknownFour() throws Exception {
    Path image = copy("bad.vmdk");
    Path broken = Files.writeString(work.resolve("broken.yaml"),
        "baselines:\n  - name: x\n    dynamc: {}\n");
    CliRunner bad = CliRunner.run("scan", image.toString(), "--baseline", broken.toString());
    assertThat(bad.exitCode()).as(bad.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(bad.err()).contains("broken.yaml");
    assertThat(bad.out()).isEmpty();
    CliRunner none = CliRunner.run("remediate", image.toString(), "--baseline",
        work.resolve("absent.yaml").toString());
    assertThat(none.exitCode()).as(none.err()).isEqualTo(ExitCode.BAD_INPUT);

    Path untrusted = baseline("untrusted.yaml", "other.gpg");
    CliRunner refused = CliRunner.run("scan", image.toString(), "--baseline",
        untrusted.toString());
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCode.REFUSED);

    Path blank = Files.write(work.resolve("blank.img"), new byte[1 << 20]);
    CliRunner unknown = CliRunner.run("scan", blank.toString(), image.toString(), "--baseline",
        baseline.toString(), "--json");
    assertThat(unknown.exitCode()).as(unknown.err()).isEqualTo(ExitCode.NON_COMPLIANT);
    JsonNode json = JSON.readTree(unknown.out());
    assertThat(json.get("summary").get("unknown").asInt()).isEqualTo(1);
    assertThat(json.get("summary").get("nonCompliant").asInt()).isEqualTo(1);
    assertThat(json.get("targets").get(0).get("compliance").asText()).isEqualTo("UNKNOWN");
    assertThat(json.get("targets").get(0).get("reason").asText()).isNotBlank();
    assertThat(json.get("targets").get(1).get("target").asText()).isEqualTo(image.toString());
  }

  @Test
  void snapshotWritesAChildAndLeavesTheImage() throws Exception {
    Path image = copy("parent.vmdk");
    String before = ApplyCommandIT.sha256(image);
    CliRunner r = CliRunner.run("remediate", image.toString(), "--baseline",
        baseline.toString(), "--snapshot", "--json");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode t = JSON.readTree(r.out()).get("targets").get(0);
    assertThat(t.get("outcome").asText()).isEqualTo("REMEDIATED");
    Path child = Path.of(t.get("written").asText());
    assertThat(child.getParent()).isEqualTo(image.getParent());
    assertThat(child.getFileName().toString()).matches("parent\\.remediated-\\d{8}T\\d{6}Z"
        + "(-\\d+)?\\.vmdk");
    assertThat(ApplyCommandIT.sha256(image)).isEqualTo(before);
    Oracles.Result check = Oracles.run("qemu-img", "check", child.toString());
    assertThat(check.exitCode()).as(check.describe()).isZero();
    assertThat(Oracles.runOk("qemu-img", "info", child.toString()))
        .contains(image.getFileName().toString());
    assertThat(CliRunner.run("scan", child.toString(), "--baseline", baseline.toString())
        .exitCode()).isEqualTo(ExitCode.OK);
    assertThat(CliRunner.run("scan", image.toString(), "--baseline", baseline.toString())
        .exitCode()).isEqualTo(ExitCode.NON_COMPLIANT);
  }

  @Test
  void tagsChooseTheBaselines() throws Exception {
    Path image = copy("tags.vmdk");
    // the installed version of login, as dpkg-query reads the guest's status file
    Path admin = Files.createDirectories(work.resolve("admindir"));
    Files.createDirectories(admin.resolve("info"));
    Files.createDirectories(admin.resolve("updates"));
    Files.copy(status(image), admin.resolve("status"), StandardCopyOption.REPLACE_EXISTING);
    String login = Oracles.runOk("dpkg-query", "--admindir=" + admin, "-W", "-f",
        "${Version}", "login").strip();
    Path groups = Files.writeString(work.resolve("groups.yaml"), """
        baselines:
          - name: test-updates
            sources:
              - repo: %s
                suites: [bookworm-vdisk]
                trust: [%s]
            dynamic: {}
          - name: login-floor
            static:
              - {package: login, minVersion: "%s"}
              - {package: telnet, absent: true}
        groups:
          - name: web
            tags: [web]
            baselines: [test-updates, login-floor]
          - name: default
            baselines: [login-floor]
        """.formatted(repo, keys.resolve("good.gpg"), login));
    CliRunner untagged = CliRunner.run("scan", image.toString(), "--baseline",
        groups.toString(), "--json");
    assertThat(untagged.exitCode()).as(untagged.err() + untagged.out()).isEqualTo(ExitCode.OK);
    JsonNode t = JSON.readTree(untagged.out()).get("targets").get(0);
    assertThat(t.get("baselines").toString()).isEqualTo("[\"login-floor\"]");
    assertThat(t.get("compliance").asText()).isEqualTo("COMPLIANT");
    CliRunner web = CliRunner.run("scan", image.toString(), "--baseline", groups.toString(),
        "--tag", "web", "--json");
    assertThat(web.exitCode()).as(web.err()).isEqualTo(ExitCode.NON_COMPLIANT);
    JsonNode w = JSON.readTree(web.out());
    assertThat(w.get("tags").toString()).isEqualTo("[\"web\"]");
    assertThat(w.get("targets").get(0).get("baselines").toString())
        .isEqualTo("[\"test-updates\",\"login-floor\"]");
    assertThat(missing(w.get("targets").get(0))).isEqualTo(aptUpgrade);
  }
}
