package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.inspect.internal.linux.DpkgStatus;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.trust.VerifyOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Property test: on seeded random universes (a dpkg status with held, multi-arch and
 * inter-dependent packages; one or two signed suites with older, equal and newer versions, new
 * dependencies, Breaks, Conflicts, Provides, NotAutomatic and ButAutomaticUpgrades), our MISSING
 * upgrade and new findings, with their candidate versions, are compared with the packages real
 * {@code apt-get -s -V upgrade} (and {@code --with-new-pkgs} for {@code allowNew: true}) lists
 * as upgraded and newly installed; the remaining disagreement is bounded and explained below.
 *
 * <p>{@code -Dvdisk.upgrade.universes=N} and {@code -Dvdisk.upgrade.seed=S} choose how many and
 * which.
 */
class UpgradeVsAptIT {
  private static final Logger LOG = LoggerFactory.getLogger(UpgradeVsAptIT.class);
  private static final String DATE = "Sat, 01 Jan 2022 00:00:00 UTC";

  @Test
  void upgradeMatchesAptGetSimulate() throws Exception {
    AptOracle.requireTools();
    long seed = Long.getLong("vdisk.upgrade.seed", System.nanoTime());
    int count = Integer.getInteger("vdisk.upgrade.universes", 150);
    LOG.info("UpgradeVsAptIT seed {} ({} universes)", seed, count);
    System.err.println("UpgradeVsAptIT seed " + seed + " universes " + count);
    Path base = Files.createTempDirectory("vdisk-upgrade-");
    Path keyring = AptOracle.goodKeyring();
    Random seeds = new Random(seed);
    List<Gen> gens = new ArrayList<>();
    List<Path> releases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long s = seeds.nextLong();
      Gen g = new Gen(s, base.resolve("u" + i));
      g.generate();
      g.write();
      gens.add(g);
      for (AptOracle.Suite suite : g.suites) {
        releases.add(g.dir.resolve("repo/dists").resolve(suite.name()).resolve("Release"));
      }
    }
    AptOracle.signAll(releases);
    List<String> failures = new ArrayList<>();
    List<String> withNewDiffers = new ArrayList<>();
    int upgrades = 0;
    int aptGaveUp = 0;
    int aptRefused = 0;
    int news = 0;
    for (Gen g : gens) {
      List<String> sources = new ArrayList<>();
      for (AptOracle.Suite suite : g.suites) {
        sources.add("deb [signed-by=" + keyring + "] file:" + g.dir.resolve("repo") + " "
            + suite.name() + " main");
      }
      Path conf = AptOracle.aptConfig(g.dir, "amd64", g.archs, sources);
      Oracles.Result up = AptOracle.aptGet(conf, "update");
      if (up.exitCode() != 0 || up.stdout().contains("W:") || up.stderr().contains("W:")) {
        fail("apt-get update failed for universe seed " + g.seed + ": " + up.describe());
      }
      Map<String, Map<String, String>> ours = ours(g, keyring);
      for (boolean allowNew : new boolean[] {false, true}) {
        Oracles.Result r = allowNew
            ? AptOracle.aptGet(conf, "-s", "-V", "upgrade", "--with-new-pkgs")
            : AptOracle.aptGet(conf, "-s", "-V", "upgrade");
        if (r.exitCode() != 0 && !r.stdout().contains(" newly installed, ") && allowNew
            && r.stderr().contains("E: Broken packages")) {
          // apt's own automatic installation can leave a dependency broken and give up: there
          // is nothing to compare with
          aptGaveUp++;
          continue;
        }
        if (r.exitCode() != 0 && r.stderr().contains("E: Unmet dependencies")) {
          // apt finds the generated installed state itself broken (a same-version source record
          // of a held package with other relationships, say) and refuses to plan anything
          aptRefused++;
          break;
        }
        if (r.exitCode() != 0 && !r.stdout().contains(" newly installed, ")) {
          fail("apt-get -s upgrade failed for universe seed " + g.seed + ": " + r.describe()
              + "\nstatus:\n" + g.status);
        }
        Map<String, String> apt = new TreeMap<>(AptOracle.listed(r.stdout()));
        Map<String, String> mine = new TreeMap<>(ours.get(allowNew ? "withnew" : "upgrade"));
        if (!apt.equals(mine)) {
          (allowNew ? withNewDiffers : failures).add("universe seed " + g.seed + " (" + g.dir + ") allowNew=" + allowNew
              + "\n apt:  " + apt + "\n ours: " + mine + "\n" + r.stdout() + "\nfindings:\n"
              + String.join("\n", g.findings.get(allowNew ? "withnew" : "upgrade").stream()
                  .map(Finding::toString).toList()));
        }
        if (!allowNew) {
          upgrades += apt.size();
        } else {
          news += apt.size();
        }
      }
    }
    System.err.println("UpgradeVsAptIT: " + count + " universes, " + upgrades + " upgrades, "
        + news + " with new packages, " + failures.size() + " disagreements on upgrade, "
        + withNewDiffers.size() + " on upgrade --with-new-pkgs (apt refused " + aptRefused
        + " universes as broken, gave up on " + aptGaveUp
        + ")");
    LOG.info("UpgradeVsAptIT: {} universes, {} disagreements on upgrade, {} on --with-new-pkgs",
        count, failures.size(), withNewDiffers.size());
    if (!failures.isEmpty() || !withNewDiffers.isEmpty()) {
      List<String> all = new ArrayList<>(failures);
      all.addAll(withNewDiffers);
      Path report = base.resolve("disagreements.txt");
      Files.writeString(report, String.join("\n\n", all));
      System.err.println("UpgradeVsAptIT: every disagreement in " + report);
    }
    // upgrade: apt's ResolveByKeep visits packages of equal score in its cache's hash order,
    // which we do not reproduce (we use name order); a soak of 1000 universes (seed 20261130)
    // disagreed on 1. Another known case: a source record of the installed version string for
    // another architecture (installed amd64, source all), which apt "upgrades" as a crossgrade
    // and we report INSTALLED (seen once in 150). Bound: 2%. --with-new-pkgs: apt's automatic installation also keeps back upgrades
    // that break a versioned dependency of another marked package and chooses among
    // alternatives by its own scoring; we model the common cases (new dependencies all or
    // nothing, conflicting installed packages removed then kept), and the soak disagreed on
    // about one universe in ten. Both are bounded here; every disagreement is written to the report above.
    assertTrue(aptRefused * 10 <= count, aptRefused + " of " + count
        + " universes were refused by apt as broken: the generator must make usable ones");
    assertTrue(failures.size() * 50 <= Math.max(1, count), failures.size() + " of " + count
        + " universes disagree with apt-get upgrade (seed " + seed + "); first:\n"
        + String.join("\n", failures.subList(0, Math.min(2, failures.size()))));
    assertTrue(withNewDiffers.size() * 100 <= count * 25, withNewDiffers.size()
        + " of " + count + " universes disagree with apt-get upgrade --with-new-pkgs (seed "
        + seed + "); first:\n" + String.join("\n", withNewDiffers.subList(0,
            Math.min(2, withNewDiffers.size()))));
    assertTrue(upgrades > count / 2, "the universes should upgrade something: " + upgrades);
  }

  /** Our findings: baseline name to {@code name[:arch]} to candidate version. */
  private static Map<String, Map<String, String>> ours(Gen g, Path keyring) throws IOException {
    String yaml = "baselines:\n"
        + "  - name: upgrade\n" + sourcesYaml(g, keyring) + "    dynamic: {allowNew: false}\n"
        + "  - name: withnew\n" + sourcesYaml(g, keyring) + "    dynamic: {allowNew: true}\n";
    BaselineSet set = BaselineSet.parse(yaml.getBytes(StandardCharsets.UTF_8), null);
    Catalog c = Catalog.load(set, new ScanOptions(new VerifyOptions(Instant.now(), false),
        g.dir.resolve("vcache"), null, 1));
    GuestRoot root = new GuestRoot(0, new OsFacts("linux", "debian", "12", "12", "Debian", null,
        "bookworm", null, null, null, null, "x86_64", null, null, "deb", "dpkg"),
        DpkgStatus.parse(g.status), List.of(), List.of(), List.of(), List.of(), Map.of(),
        List.of());
    KindEvaluator.Target t = new KindEvaluator.Target(root, g.status,
        String.join("\n", g.archs) + "\n");
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String b : List.of("upgrade", "withnew")) {
      Map<String, String> m = new LinkedHashMap<>();
      List<Finding> all = c.evaluate(List.of(b), t);
      g.findings.put(b, all);
      for (Finding f : all) {
        if (f.state() != RequirementState.MISSING) {
          continue;
        }
        String arch = f.arch().equals("all") ? "amd64" : f.arch();
        m.put(f.name() + (arch.equals("amd64") ? "" : ":" + arch), f.candidateVersion());
      }
      out.put(b, m);
    }
    return out;
  }

  private static String sourcesYaml(Gen g, Path keyring) {
    StringBuilder s = new StringBuilder("    sources:\n      - repo: " + g.dir.resolve("repo")
        + "\n        suites: [");
    for (int i = 0; i < g.suites.size(); i++) {
      s.append(i > 0 ? ", " : "").append(g.suites.get(i).name());
    }
    s.append("]\n        trust: [").append(keyring).append("]\n");
    return s.toString();
  }

  /** One random universe. */
  static final class Gen {
    final long seed;
    final Path dir;
    final Random r;
    final List<String> archs = new ArrayList<>();
    final List<AptOracle.Suite> suites = new ArrayList<>();
    String status;
    final List<String> names = new ArrayList<>();
    final Map<String, String> installedVersion = new LinkedHashMap<>();
    final Map<String, String> installedArch = new LinkedHashMap<>();
    final Map<String, String> multiArch = new LinkedHashMap<>();
    final Map<String, Boolean> foreignCopy = new LinkedHashMap<>();
    final Map<String, List<Finding>> findings = new LinkedHashMap<>();

    Gen(long seed, Path dir) {
      this.seed = seed;
      this.dir = dir;
      this.r = new Random(seed);
    }

    private String pick(String... xs) {
      return xs[r.nextInt(xs.length)];
    }

    void generate() {
      archs.add("amd64");
      boolean foreign = r.nextInt(10) < 3;
      if (foreign) {
        archs.add("i386");
      }
      int n = 5 + r.nextInt(8);
      for (int i = 0; i < n; i++) {
        names.add("p" + i);
      }
      for (String name : names) {
        multiArch.put(name, pick("", "", "same", "foreign", "allowed"));
        if (r.nextInt(100) < 65) {
          installedVersion.put(name, "1." + r.nextInt(3) + "-1");
          installedArch.put(name, r.nextInt(100) < 15 ? "all" : "amd64");
          if (installedArch.get(name).equals("all") && multiArch.get(name).equals("same")) {
            multiArch.put(name, "");
          }
          foreignCopy.put(name, foreign && multiArch.get(name).equals("same")
              && r.nextBoolean());
        }
      }
      StringBuilder st = new StringBuilder();
      List<String> inst = new ArrayList<>(installedVersion.keySet());
      for (String name : inst) {
        String v = installedVersion.get(name);
        st.append("Package: ").append(name).append('\n');
        st.append("Status: ").append(r.nextInt(100) < 10 ? "hold" : "install")
            .append(" ok installed\n");
        st.append("Priority: optional\nSection: misc\nMaintainer: t <t@t>\n");
        st.append("Architecture: ").append(installedArch.get(name)).append('\n');
        if (!multiArch.get(name).isEmpty()) {
          st.append("Multi-Arch: ").append(multiArch.get(name)).append('\n');
        }
        st.append("Version: ").append(v).append('\n');
        List<String> deps = new ArrayList<>();
        for (int k = r.nextInt(3); k > 0; k--) {
          String o = inst.get(r.nextInt(inst.size()));
          if (o.equals(name)) {
            continue;
          }
          String ov = installedVersion.get(o);
          deps.add(o + pick("", " (>= " + ov + ")", " (= " + ov + ")", " (<< 9)"));
        }
        if (!deps.isEmpty()) {
          st.append("Depends: ").append(String.join(", ", deps)).append('\n');
        }
        if (r.nextInt(100) < 15) {
          String o = names.get(r.nextInt(names.size()));
          String ov = installedVersion.get(o);
          if (!o.equals(name) && ov != null) {
            // an installed package's Breaks on a name that is not installed would make apt
            // refuse --with-new-pkgs outright ("Broken packages") when it pulls that name in
            st.append("Breaks: ").append(o).append(" (<< ").append(ov).append(")\n");
          }
        }
        st.append("Description: test\n\n");
        if (foreignCopy.getOrDefault(name, false)) {
          st.append("Package: ").append(name).append("\nStatus: install ok installed\n"
              + "Priority: optional\nSection: misc\nMaintainer: t <t@t>\nArchitecture: i386\n"
              + "Multi-Arch: same\nVersion: ").append(v).append("\nDescription: test\n\n");
        }
      }
      status = st.toString();
      int nSuites = 1 + r.nextInt(2);
      for (int s = 0; s < nSuites; s++) {
        boolean na = r.nextInt(100) < 20;
        boolean bau = na && r.nextBoolean();
        Map<String, StringBuilder> byArch = new LinkedHashMap<>();
        for (String a : archs) {
          byArch.put(a, new StringBuilder());
        }
        for (String name : names) {
          if (r.nextInt(100) >= 60) {
            continue;
          }
          String iv = installedVersion.get(name);
          int versions = 1 + r.nextInt(2);
          for (int k = 0; k < versions; k++) {
            String v = iv == null ? "1." + r.nextInt(3) + "-1"
                : pick("1.0-0", iv, "2." + r.nextInt(2) + "-1", "1." + r.nextInt(4) + "-2");
            String arch = installedArch.getOrDefault(name, r.nextInt(100) < 15 ? "all" : "amd64");
            if (r.nextInt(100) < 10) {
              arch = arch.equals("all") ? "amd64" : "all";
            }
            String ma = multiArch.get(name);
            if (arch.equals("all") && ma.equals("same")) {
              ma = "";
            }
            String para = paragraph(name, v, arch, ma);
            byArch.get("amd64").append(para);
            if (archs.contains("i386")) {
              if (arch.equals("all")) {
                byArch.get("i386").append(para);
              } else if (ma.equals("same") || r.nextInt(100) < 30) {
                byArch.get("i386").append("Package: " + name + "\nVersion: " + v
                    + "\nArchitecture: i386\n" + (ma.isEmpty() ? "" : "Multi-Arch: " + ma + "\n")
                    + "Priority: optional\nSection: misc\nFilename: pool/" + name + "_" + v
                    + "_i386.deb\nSize: 100\nSHA256: " + AptOracle.sha256(
                        (name + v + "i386").getBytes(StandardCharsets.UTF_8))
                    + "\nDescription: test\n\n");
              }
            }
          }
        }
        Map<String, String> texts = new LinkedHashMap<>();
        byArch.forEach((a, b) -> texts.put(a, b.toString()));
        suites.add(new AptOracle.Suite("s" + s, na, bau, DATE, texts));
      }
    }

    private String paragraph(String name, String v, String arch, String ma) {
      StringBuilder p = new StringBuilder();
      p.append("Package: ").append(name).append("\nVersion: ").append(v)
          .append("\nArchitecture: ").append(arch).append('\n');
      if (!ma.isEmpty()) {
        p.append("Multi-Arch: ").append(ma).append('\n');
      }
      p.append("Priority: ").append(pick("required", "important", "optional"))
          .append("\nSection: ").append(pick("libs", "net", "misc")).append('\n');
      List<String> deps = new ArrayList<>();
      for (int k = r.nextInt(4); k > 0; k--) {
        String o = names.get(r.nextInt(names.size()));
        if (o.equals(name)) {
          continue;
        }
        String alt = r.nextInt(100) < 15 ? " | " + names.get(r.nextInt(names.size())) : "";
        deps.add(o + pick("", "", " (>= 1.1-1)", " (>= 2.0-1)", " (= " + v + ")", " (<< 2.0)")
            + alt);
      }
      if (r.nextInt(100) < 10) {
        deps.add("v" + r.nextInt(2) + pick("", " (>= 1.0)"));
      }
      if (!deps.isEmpty()) {
        p.append(r.nextInt(100) < 15 ? "Pre-Depends: " : "Depends: ")
            .append(String.join(", ", deps)).append('\n');
      }
      if (r.nextInt(100) < 20) {
        String o = names.get(r.nextInt(names.size()));
        if (!o.equals(name)) {
          p.append("Breaks: ").append(o).append(pick("", " (<< 2.0-1)", " (<< 1.1-1)"))
              .append('\n');
        }
      }
      if (r.nextInt(100) < 8) {
        String o = names.get(r.nextInt(names.size()));
        if (!o.equals(name)) {
          p.append("Conflicts: ").append(o).append('\n');
        }
      }
      if (r.nextInt(100) < 20) {
        p.append("Provides: v").append(r.nextInt(2)).append(pick("", " (= 1.0)", " (= 2.0)"))
            .append('\n');
      }
      p.append("Filename: pool/").append(name).append('_').append(v).append('_').append(arch)
          .append(".deb\nSize: 100\nSHA256: ").append(AptOracle.sha256(
              (name + v + arch).getBytes(StandardCharsets.UTF_8)))
          .append("\nDescription: test\n\n");
      return p.toString();
    }

    void write() throws IOException {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("status"), status);
      for (AptOracle.Suite s : suites) {
        AptOracle.writeSuite(dir.resolve("repo"), s);
      }
    }
  }

  @Test
  void aptOracleParsesInstLines() {
    Map<String, String> m = AptOracle.inst("Inst p1 [1.0-1] (2.0-1 s0 [amd64])\n"
        + "Inst p2:i386 (1.1-1 s0 [i386])\nConf p1 (2.0-1 s0 [amd64])\n");
    assertEquals(Map.of("p1", "2.0-1", "p2:i386", "1.1-1"), m);
    Map<String, String> l = AptOracle.listed("The following NEW packages will be installed:\n"
        + "   p5 (1.1-1)\nThe following packages have been kept back:\n   p0 (1.0-1 => 2.0-1)\n"
        + "The following packages will be upgraded:\n   p4:i386 (1.0-1 => 2.0-1)\n"
        + "1 upgraded, 1 newly installed, 0 to remove and 1 not upgraded.\n");
    assertEquals(Map.of("p5", "1.1-1", "p4:i386", "2.0-1"), l);
  }
}
