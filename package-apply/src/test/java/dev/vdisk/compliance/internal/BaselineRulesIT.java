package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.inspect.InstalledUpdate;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.inspect.internal.linux.DpkgStatus;
import dev.vdisk.trust.VerifyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The baseline rules on a signed test repository (signed by gpg with the test key, verified by
 * our Verifier): dynamic filters (suites, priorities, approveAfterDays on the index Date,
 * approved, rejected, allowNew), exclude, static minVersion / absent / update, holds, failed
 * and pending-reboot states, groups, resolve, and other package kinds.
 */
class BaselineRulesIT {
  private static Path repo;
  private static Path keyring;
  private static final Instant NOW = Instant.now();

  private static final String STATUS = """
      Package: openssl
      Status: install ok installed
      Priority: important
      Section: utils
      Architecture: amd64
      Version: 3.0.9-1
      Depends: libssl3 (>= 3.0.9)

      Package: libssl3
      Status: install ok installed
      Priority: important
      Section: libs
      Architecture: amd64
      Multi-Arch: same
      Version: 3.0.9-1

      Package: libfoo
      Status: install ok installed
      Priority: optional
      Section: libs
      Architecture: amd64
      Version: 1.0-1

      Package: bar
      Status: install ok installed
      Priority: optional
      Section: net
      Architecture: amd64
      Version: 1.0-1

      Package: linux-image-6.1.0-9-amd64
      Status: install ok installed
      Priority: optional
      Section: kernel
      Architecture: amd64
      Version: 6.1.27-1

      Package: held
      Status: hold ok installed
      Priority: optional
      Section: misc
      Architecture: amd64
      Version: 1.0-1

      Package: broken
      Status: install reinstreq half-installed
      Priority: optional
      Section: misc
      Architecture: amd64
      Version: 1.0-1

      Package: telnetd
      Status: install ok installed
      Priority: optional
      Section: net
      Architecture: amd64
      Version: 0.17-41

      Package: localonly
      Status: install ok installed
      Priority: optional
      Section: misc
      Architecture: amd64
      Version: 1.0-1

      Package: staged
      Status: install ok installed
      Priority: optional
      Section: misc
      Architecture: all
      Version: 1.0-1

      """;

  @BeforeAll
  static void repository() throws Exception {
    AptOracle.requireTools();
    keyring = AptOracle.goodKeyring();
    repo = Files.createTempDirectory("vdisk-rules-").resolve("repo");
    DateTimeFormatter rfc = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'",
        Locale.ROOT).withZone(ZoneOffset.UTC);
    String old = rfc.format(NOW.minus(Duration.ofDays(30)));
    String fresh = rfc.format(NOW.minus(Duration.ofDays(1)));
    String stable = p("openssl", "3.0.11-1~deb12u2", "amd64", "important", "utils",
        "Depends: libssl3 (>= 3.0.11-1~deb12u2)")
        + p("libssl3", "3.0.11-1~deb12u2", "amd64", "important", "libs", "Multi-Arch: same")
        + p("libfoo", "2.0-1", "amd64", "optional", "libs", "")
        + p("bar", "1.1-1", "amd64", "optional", "net", "Depends: newdep")
        + p("newdep", "1.0-1", "all", "optional", "net", "")
        + p("linux-image-6.1.0-9-amd64", "6.1.27-2", "amd64", "optional", "kernel", "")
        + p("held", "2.0-1", "amd64", "optional", "misc", "")
        + p("broken", "1.1-1", "amd64", "optional", "misc", "")
        + p("staged", "2.0-1", "all", "optional", "misc", "");
    String security = p("openssl", "3.0.13-1~deb12u1", "amd64", "important", "utils",
        "Depends: libssl3 (>= 3.0.13-1~deb12u1)")
        + p("libssl3", "3.0.13-1~deb12u1", "amd64", "important", "libs", "Multi-Arch: same")
        + p("libfoo", "2.1-1", "amd64", "optional", "libs", "");
    AptOracle.writeSuite(repo, new AptOracle.Suite("bookworm", false, false, old,
        Map.of("amd64", stable)));
    AptOracle.writeSuite(repo, new AptOracle.Suite("bookworm-security", false, false, fresh,
        Map.of("amd64", security)));
    AptOracle.signAll(List.of(repo.resolve("dists/bookworm/Release"),
        repo.resolve("dists/bookworm-security/Release")));
  }

  private static String p(String name, String version, String arch, String prio, String section,
      String extra) {
    return "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch
        + "\nPriority: " + prio + "\nSection: " + section + "\n"
        + (extra.isEmpty() ? "" : extra + "\n") + "Filename: pool/" + name + "_" + version
        + "_" + arch + ".deb\nSize: 1000\nSHA256: " + AptOracle.sha256((name + version)
            .getBytes(StandardCharsets.UTF_8)) + "\nDescription: test\n\n";
  }

  private static String sources() {
    return "    sources:\n      - repo: " + repo + "\n        suites: [bookworm, "
        + "bookworm-security]\n        trust: [" + keyring + "]\n";
  }

  private static Catalog catalog(String yaml) throws Exception {
    BaselineSet set = BaselineSet.parse(yaml.getBytes(StandardCharsets.UTF_8), null);
    return Catalog.load(set, new ScanOptions(new VerifyOptions(NOW, false),
        repo.getParent().resolve("cache"), null, 1));
  }

  private static String dynamic(String rule) {
    return "baselines:\n  - name: b\n" + sources() + "    dynamic: " + rule + "\n"
        + "    exclude: [\"linux-image-*\"]\n";
  }

  static GuestRoot root(List<InstalledPackage> extra) {
    List<InstalledPackage> pkgs = new ArrayList<>(DpkgStatus.parse(STATUS));
    pkgs.addAll(extra);
    return new GuestRoot(0, new OsFacts("linux", "debian", "12", "12", "Debian", null,
        "bookworm", null, null, null, null, "x86_64", null, null, "deb", "dpkg"), pkgs,
        List.of(), List.of(), List.of(), List.of(), Map.of(), List.of());
  }

  /** A staged newer version, as inspect reports a .deb in /var/lib/vdisk/staged. */
  static InstalledPackage staged(String name, String version, String arch) {
    return new InstalledPackage(name, version, arch, "install ok installed-pending-reboot",
        false, "deb", null, version, "", null, null, null);
  }

  private static Map<String, Finding> byName(List<Finding> fs) {
    Map<String, Finding> m = new LinkedHashMap<>();
    for (Finding f : fs) {
      m.put(f.rule().equals("new") ? "new:" + f.name() : f.name(), f);
    }
    return m;
  }

  private static Map<String, Finding> evaluate(String yaml) throws Exception {
    Catalog c = catalog(yaml);
    GuestRoot root = root(List.of(staged("staged", "2.0-1", "all")));
    return byName(c.evaluate(List.of("b"), new KindEvaluator.Target(root, STATUS, null)));
  }

  @Test
  void upgradeAcrossSuites() throws Exception {
    Map<String, Finding> f = evaluate(dynamic("{}"));
    assertEquals(RequirementState.MISSING, f.get("openssl").state());
    assertEquals("3.0.13-1~deb12u1", f.get("openssl").candidateVersion());
    assertTrue(f.get("openssl").source().startsWith("bookworm-security"), f.get("openssl")
        .source());
    assertEquals("3.0.13-1~deb12u1", f.get("libssl3").candidateVersion());
    assertEquals(RequirementState.MISSING, f.get("libfoo").state());
    assertEquals("2.1-1", f.get("libfoo").candidateVersion());
    // needs a new package: kept back, as apt-get upgrade does
    assertEquals(RequirementState.NOT_APPLICABLE, f.get("bar").state());
    assertTrue(f.get("bar").reason().contains("needs new package newdep"), f.get("bar")
        .reason());
    assertTrue(f.get("bar").reason().contains("allowNew: true installs it"));
    assertEquals(RequirementState.NOT_APPLICABLE, f.get("held").state());
    assertEquals("held", f.get("held").reason());
    assertEquals(RequirementState.FAILED, f.get("broken").state());
    assertEquals(RequirementState.INSTALLED_PENDING_REBOOT, f.get("staged").state());
    assertEquals("2.0-1", f.get("staged").installedVersion());
    // the sources carry no version of it: no finding
    assertFalse(f.containsKey("localonly"));
    assertFalse(f.containsKey("telnetd"));
    assertFalse(f.containsKey("new:newdep"));
  }

  @Test
  void excludeMakesFindingsNotApplicable() throws Exception {
    Finding k = evaluate(dynamic("{}")).get("linux-image-6.1.0-9-amd64");
    assertEquals(RequirementState.NOT_APPLICABLE, k.state());
    assertEquals("excluded", k.reason());
    Finding without = evaluate("baselines:\n  - name: b\n" + sources() + "    dynamic: {}\n")
        .get("linux-image-6.1.0-9-amd64");
    assertEquals(RequirementState.MISSING, without.state());
  }

  @Test
  void suiteFilter() throws Exception {
    Map<String, Finding> f = evaluate(dynamic("{suites: [\"*-security\"]}"));
    assertEquals("3.0.13-1~deb12u1", f.get("openssl").candidateVersion());
    assertEquals(RequirementState.MISSING, f.get("openssl").state());
    // bar's newer version is only in bookworm
    assertEquals(RequirementState.NOT_APPLICABLE, f.get("held").state());
    Finding staged = f.get("staged");
    assertEquals(RequirementState.INSTALLED_PENDING_REBOOT, staged.state());
    Finding bar = f.get("bar");
    assertEquals(RequirementState.NOT_APPLICABLE, bar.state());
    assertTrue(bar.reason().contains("not selected"), bar.reason());
  }

  @Test
  void approveAfterDaysUsesTheIndexDate() throws Exception {
    // the security suite's Date is a day old: not approved after 7 days
    Map<String, Finding> f = evaluate(dynamic("{approveAfterDays: 7}"));
    assertEquals(RequirementState.MISSING, f.get("openssl").state());
    assertEquals("3.0.11-1~deb12u2", f.get("openssl").candidateVersion());
    assertEquals("2.0-1", f.get("libfoo").candidateVersion());
    // after 60 days nothing is approved
    Map<String, Finding> g = evaluate(dynamic("{approveAfterDays: 60}"));
    assertEquals(RequirementState.NOT_APPLICABLE, g.get("openssl").state());
  }

  @Test
  void approvedBypassesFiltersAndDelay() throws Exception {
    Map<String, Finding> f = evaluate(dynamic(
        "{approveAfterDays: 60, approved: [\"openssl\", \"libssl3=3.0.13-1~deb12u1\"]}"));
    assertEquals(RequirementState.MISSING, f.get("openssl").state());
    assertEquals("3.0.13-1~deb12u1", f.get("openssl").candidateVersion());
    assertEquals("3.0.13-1~deb12u1", f.get("libssl3").candidateVersion());
    assertEquals(RequirementState.NOT_APPLICABLE, f.get("libfoo").state());
  }

  @Test
  void rejectedIsNeverRequired() throws Exception {
    Map<String, Finding> f = evaluate(dynamic("{rejected: [\"libfoo\"]}"));
    assertEquals(RequirementState.NOT_APPLICABLE, f.get("libfoo").state());
    assertEquals("rejected", f.get("libfoo").reason());
    // a rejected version: the next candidate is required instead
    Map<String, Finding> g = evaluate(dynamic("{rejected: [\"libfoo=2.1-1\"]}"));
    assertEquals("2.0-1", g.get("libfoo").candidateVersion());
    assertEquals(RequirementState.MISSING, g.get("libfoo").state());
  }

  @Test
  void priorityAndPackageFilters() throws Exception {
    Map<String, Finding> f = evaluate(dynamic("{priorities: [important]}"));
    assertEquals(RequirementState.MISSING, f.get("openssl").state());
    assertEquals(RequirementState.NOT_APPLICABLE, f.get("libfoo").state());
    Map<String, Finding> g = evaluate(dynamic("{packages: [\"lib*\"], sections: [libs]}"));
    assertEquals(RequirementState.MISSING, g.get("libfoo").state());
    assertEquals(RequirementState.MISSING, g.get("libssl3").state());
    // openssl's candidate needs libssl3's, which the filter keeps: openssl itself is filtered
    assertEquals(RequirementState.NOT_APPLICABLE, g.get("openssl").state());
  }

  @Test
  void allowNewInstallsNewDependencies() throws Exception {
    Map<String, Finding> f = evaluate(dynamic("{allowNew: true}"));
    assertEquals(RequirementState.MISSING, f.get("bar").state());
    Finding n = f.get("new:newdep");
    assertNotNull(n);
    assertEquals(RequirementState.MISSING, n.state());
    assertEquals("1.0-1", n.candidateVersion());
    assertEquals(null, n.installedVersion());
  }

  @Test
  void staticRules() throws Exception {
    String yaml = "baselines:\n  - name: b\n" + sources() + """
            static:
              - {package: openssl, minVersion: "3.0.11-1~deb12u2"}
              - {package: libfoo, minVersion: "0.9"}
              - {package: localonly, minVersion: "1.0"}
              - {package: libfoo, minVersion: "9.0"}
              - {package: notinstalled, minVersion: "1.0"}
              - {package: telnetd, absent: true}
              - {package: rsh-server, absent: true}
              - {package: linux-image-6.1.0-9-amd64, minVersion: "7"}
              - {update: KB5034441}
            exclude: ["linux-image-*"]
        """;
    Catalog c = catalog(yaml);
    List<Finding> fs = c.evaluate(List.of("b"), new KindEvaluator.Target(root(List.of()),
        STATUS, null));
    assertEquals(9, fs.size(), fs.toString());
    assertEquals(RequirementState.MISSING, fs.get(0).state());
    assertEquals("3.0.13-1~deb12u1", fs.get(0).candidateVersion());
    assertEquals(null, fs.get(0).reason());
    // satisfied, but 1.0-1 is not a version the sources carry
    assertEquals(RequirementState.INSTALLED_OTHER, fs.get(1).state());
    assertEquals(RequirementState.INSTALLED_OTHER, fs.get(2).state());
    assertEquals(RequirementState.MISSING, fs.get(3).state());
    assertTrue(fs.get(3).reason().contains("no source carries"), fs.get(3).reason());
    assertEquals(RequirementState.NOT_APPLICABLE, fs.get(4).state());
    assertEquals(RequirementState.MISSING, fs.get(5).state());
    assertEquals("absent", fs.get(5).rule());
    assertEquals(RequirementState.INSTALLED, fs.get(6).state());
    assertEquals(RequirementState.NOT_APPLICABLE, fs.get(7).state());
    assertEquals("excluded", fs.get(7).reason());
    assertEquals(RequirementState.NOT_APPLICABLE, fs.get(8).state());
    assertEquals("update", fs.get(8).rule());

    Catalog.Resolution r = c.resolve(List.of("b"), new KindEvaluator.Target(root(List.of()),
        STATUS, null), fs);
    Map<String, Catalog.Candidate> pk = new LinkedHashMap<>();
    r.packages().forEach(x -> pk.put(x.name(), x));
    // openssl with the libssl3 its candidate needs
    assertEquals(Set.of("openssl", "libssl3"), pk.keySet(), r.toString());
    Catalog.Candidate o = pk.get("openssl");
    assertEquals("3.0.13-1~deb12u1", o.version());
    assertEquals("pool/openssl_3.0.13-1~deb12u1_amd64.deb", o.filename());
    assertEquals(1000, o.size());
    assertTrue(o.repository().startsWith(repo.toString()), o.repository());
    assertTrue(o.repository().contains("bookworm-security"), o.repository());
    assertEquals("3.0.13-1~deb12u1", pk.get("libssl3").version());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("telnetd")
        && p.contains("removal is not done offline")), r.problems().toString());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("no source carries")),
        r.problems().toString());
  }

  @Test
  void resolvedCandidatesVerifyAgainstTheRepository() throws Exception {
    Catalog c = catalog(dynamic("{}"));
    KindEvaluator.Target t = new KindEvaluator.Target(root(List.of()), STATUS, null);
    List<Finding> fs = c.evaluate(List.of("b"), t);
    Catalog.Resolution r = c.resolve(List.of("b"), t, fs);
    List<String> names = r.packages().stream().map(Catalog.Candidate::name).sorted().toList();
    assertEquals(List.of("broken", "libfoo", "libssl3", "linux-image-6.1.0-9-amd64", "openssl",
        "staged").stream().filter(n -> fs.stream().anyMatch(x -> x.name().equals(n)
            && x.state() == RequirementState.MISSING)).toList(), names);
    for (Catalog.Candidate x : r.packages()) {
      assertEquals(64, x.sha256().length());
      assertNotNull(x.trust());
    }
  }

  @Test
  void groupsChooseBaselines() throws Exception {
    String yaml = "baselines:\n  - name: sec\n" + sources()
        + "    dynamic: {suites: [\"*-security\"]}\n"
        + "  - name: policy\n    static: [{package: telnetd, absent: true}]\n"
        + "groups:\n  - {name: web, baselines: [sec, policy], tags: [web]}\n"
        + "  - {name: default, baselines: [policy]}\n";
    Catalog c = catalog(yaml);
    KindEvaluator.Target t = new KindEvaluator.Target(root(List.of()), STATUS, null);
    List<Finding> web = c.evaluate(c.baselines().select(Set.of("web")), t);
    assertTrue(web.stream().anyMatch(f -> f.baseline().equals("sec")));
    assertTrue(web.stream().anyMatch(f -> f.baseline().equals("policy")));
    List<Finding> other = c.evaluate(c.baselines().select(Set.of()), t);
    assertTrue(other.stream().allMatch(f -> f.baseline().equals("policy")), other.toString());
    assertEquals(1, other.size());
  }

  @Test
  void otherKinds() throws Exception {
    String yaml = "baselines:\n  - name: b\n" + sources() + """
            dynamic: {}
            static:
              - {package: telnet-server, absent: true}
              - {package: openssl, minVersion: "3.0.7"}
              - {update: KB5034441}
        """;
    Catalog c = catalog(yaml);
    GuestRoot rpm = new GuestRoot(0, new OsFacts("linux", "rhel", "9", "9.3", "RHEL", null, null,
        null, null, null, null, "x86_64", null, null, "rpm", "rpm"), List.of(
            new InstalledPackage("telnet-server", "1:0.17-85.el9", "x86_64", "installed", true,
                "rpm", 1, "0.17", "85.el9", null, null, null),
            new InstalledPackage("openssl", "1:3.0.7-24.el9", "x86_64", "installed", true, "rpm",
                1, "3.0.7", "24.el9", null, null, null)),
        List.of(), List.of(), List.of(), List.of(), Map.of(), List.of());
    List<Finding> fs = c.evaluate(List.of("b"), rpm);
    assertEquals(4, fs.size(), fs.toString());
    assertEquals(RequirementState.NOT_APPLICABLE, fs.get(0).state());
    assertEquals("dynamic sources for rpm are not supported yet", fs.get(0).reason());
    assertEquals(RequirementState.MISSING, fs.get(1).state());
    assertEquals(RequirementState.NOT_APPLICABLE, fs.get(2).state());
    assertEquals(RequirementState.NOT_APPLICABLE, fs.get(3).state());

    GuestRoot win = new GuestRoot(2, new OsFacts("windows", "windows", "10.0", null,
        "Windows Server 2022", null, null, "10.0.20348.2227", "ServerStandard", "Server", "21H2",
        "x86_64", null, null, "windows", "cbs"), List.of(), List.of(), List.of(
            new InstalledUpdate("Package_for_KB5034441~31bf3856ad364e35~amd64~~1.0", "KB5034441",
                "installed", 0x70, true)), List.of(), List.of(), Map.of(), List.of());
    List<Finding> ws = c.evaluate(List.of("b"), win);
    Finding kb = ws.stream().filter(f -> f.rule().equals("update")).findFirst().orElseThrow();
    assertEquals(RequirementState.INSTALLED, kb.state());
    GuestRoot winMissing = new GuestRoot(2, win.os(), List.of(), List.of(), List.of(), List.of(),
        List.of(), Map.of(), List.of());
    Finding kb2 = c.evaluate(List.of("b"), winMissing).stream()
        .filter(f -> f.rule().equals("update")).findFirst().orElseThrow();
    assertEquals(RequirementState.MISSING, kb2.state());
  }
}
