package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.deb.Relation;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.OsFacts;
import dev.vdisk.inspect.internal.linux.DpkgStatus;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import dev.vdisk.trust.VerifyOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real data: Debian bookworm's main/amd64 Packages indexes (fetched and checked by {@code
 * testdata/scripts/fetch-bookworm-packages.sh}) served as a signed local repository; the guest
 * is a dpkg status holding every {@code required}, {@code important} and {@code standard}
 * package of bookworm
 * with its dependency closure, at bookworm's versions. Our MISSING findings and candidate
 * versions against bookworm + bookworm-updates + bookworm-security are compared with {@code
 * apt-get -s -V upgrade} on the same status and indexes, and with {@code allowNew: true} with
 * {@code apt-get -s -V upgrade --with-new-pkgs}. The catalog's heap use for the indexes is
 * logged.
 */
class BookwormUpgradeIT {
  private static final Logger LOG = LoggerFactory.getLogger(BookwormUpgradeIT.class);
  private static final String DATE = "Sat, 01 Jun 2024 00:00:00 UTC";
  private static final Pattern FIELD = Pattern.compile("^([A-Za-z0-9-]+):[ \\t]*(.*)$");

  @Test
  void bookwormUpgradeMatchesApt() throws Exception {
    AptOracle.requireTools();
    Oracles.require("curl", "curl");
    Oracles.require("xz", "xz-utils");
    Oracles.requireFile(Path.of("/usr/share/keyrings/debian-archive-keyring.gpg"),
        "debian-archive-keyring");
    Oracles.Result fetched = Oracles.run("bash",
        ProjectPaths.script("fetch-bookworm-packages.sh").toString());
    if (fetched.exitCode() != 0) {
      fail("fetching the bookworm indexes failed: " + fetched.describe());
    }
    Path idx = Path.of(fetched.stdout().strip());
    Path base = Files.createTempDirectory("vdisk-bookworm-upgrade-");
    Path repo = base.resolve("repo");
    List<Path> releases = new ArrayList<>();
    for (String suite : List.of("bookworm", "bookworm-updates", "bookworm-security")) {
      Path dir = repo.resolve("dists").resolve(suite).resolve("main/binary-amd64");
      Files.createDirectories(dir);
      Path packages = dir.resolve("Packages");
      Files.createSymbolicLink(packages, idx.resolve(suite + ".Packages"));
      String sha = Oracles.runOk("sha256sum", packages.toString()).split("\\s+")[0];
      long size = Files.size(packages);
      Files.writeString(repo.resolve("dists").resolve(suite).resolve("Release"),
          "Origin: Debian\nLabel: Debian\nSuite: " + suite + "\nCodename: " + suite
              + "\nDate: " + DATE + "\nArchitectures: amd64\nComponents: main\nSHA256:\n "
              + sha + " " + size + " main/binary-amd64/Packages\n");
      releases.add(repo.resolve("dists").resolve(suite).resolve("Release"));
    }
    AptOracle.signAll(releases);

    String status = status(idx.resolve("bookworm.Packages"));
    Files.writeString(base.resolve("status"), status);
    Path keyring = AptOracle.goodKeyring();
    List<String> sources = new ArrayList<>();
    for (String suite : List.of("bookworm", "bookworm-updates", "bookworm-security")) {
      sources.add("deb [signed-by=" + keyring + "] file:" + repo + " " + suite + " main");
    }
    Path conf = AptOracle.aptConfig(base, "amd64", List.of("amd64"), sources);
    Oracles.Result up = AptOracle.aptGet(conf, "update");
    assertEquals(0, up.exitCode(), up.describe());
    Oracles.Result sim = AptOracle.aptGet(conf, "-s", "-V", "upgrade");
    assertEquals(0, sim.exitCode(), sim.describe());
    Map<String, String> apt = new TreeMap<>(AptOracle.listed(sim.stdout()));

    System.gc();
    long before = usedHeap();
    String yaml = "baselines:\n  - name: bookworm\n    sources:\n      - repo: " + repo
        + "\n        suites: [bookworm, bookworm-updates, bookworm-security]\n"
        + "        architectures: [amd64]\n        trust: [" + keyring + "]\n"
        + "    dynamic: {}\n";
    long t0 = System.nanoTime();
    Catalog c = Catalog.load(BaselineSet.parse(yaml.getBytes(StandardCharsets.UTF_8), null),
        new ScanOptions(new VerifyOptions(Instant.now(), false), base.resolve("cache"), null,
            1));
    long loadMs = (System.nanoTime() - t0) / 1_000_000;
    System.gc();
    long after = usedHeap();
    int versions = c.loadedSuites().stream().mapToInt(SuiteIndex::size).sum();
    GuestRoot root = new GuestRoot(0, new OsFacts("linux", "debian", "12", "12", "Debian", null,
        "bookworm", null, null, null, null, "x86_64", null, null, "deb", "dpkg"),
        DpkgStatus.parse(status), List.of(), List.of(), List.of(), List.of(), Map.of(),
        List.of());
    long t1 = System.nanoTime();
    List<Finding> fs = c.evaluate(List.of("bookworm"), new KindEvaluator.Target(root, status,
        "amd64\n"));
    long evalMs = (System.nanoTime() - t1) / 1_000_000;
    Map<String, String> ours = new TreeMap<>();
    for (Finding f : fs) {
      if (f.state() == RequirementState.MISSING) {
        ours.put(f.name(), f.candidateVersion());
      }
    }
    String summary = String.format("bookworm: %d package versions loaded in %d ms, heap %.1f MiB"
        + " (%.0f bytes per version); %d installed, evaluated in %d ms; apt upgrades %d, we "
        + "find %d MISSING", versions, loadMs, (after - before) / 1048576.0,
        (after - before) / (double) Math.max(1, versions), root.packages().size(), evalMs,
        apt.size(), ours.size());
    LOG.info(summary);
    System.err.println(summary);
    assertEquals(apt, ours, "apt-get -s upgrade:\n" + sim.stdout());
    assertTrue(apt.size() > 10, "bookworm-security and -updates should upgrade something");
    // the same versions as bookworm: INSTALLED
    assertTrue(fs.stream().anyMatch(f -> f.state() == RequirementState.INSTALLED));

    // allowNew: true against apt-get upgrade --with-new-pkgs
    Oracles.Result simNew = AptOracle.aptGet(conf, "-s", "-V", "upgrade", "--with-new-pkgs");
    assertEquals(0, simNew.exitCode(), simNew.describe());
    Map<String, String> aptNew = new TreeMap<>(AptOracle.listed(simNew.stdout()));
    String yamlNew = yaml.replace("dynamic: {}", "dynamic: {allowNew: true}");
    Catalog cn = Catalog.load(BaselineSet.parse(yamlNew.getBytes(StandardCharsets.UTF_8), null),
        new ScanOptions(new VerifyOptions(Instant.now(), false), base.resolve("cache"), null,
            1));
    Map<String, String> oursNew = new TreeMap<>();
    for (Finding f : cn.evaluate(List.of("bookworm"), new KindEvaluator.Target(root, status,
        "amd64\n"))) {
      if (f.state() == RequirementState.MISSING) {
        oursNew.put(f.name(), f.candidateVersion());
      }
    }
    System.err.println("bookworm --with-new-pkgs: apt " + aptNew.size() + ", ours "
        + oursNew.size());
    assertEquals(aptNew, oursNew, "apt-get -s upgrade --with-new-pkgs:\n" + simNew.stdout());
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  /**
   * A status of bookworm's required and important packages with their dependency closure (the
   * first alternative that exists, or a provider of a virtual name), every one installed.
   */
  static String status(Path packagesFile) throws IOException {
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, Map<String, String>> fields = new HashMap<>();
    Map<String, List<String>> providers = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(packagesFile, StandardCharsets.UTF_8)) {
      StringBuilder para = new StringBuilder();
      String line;
      while (true) {
        line = in.readLine();
        if (line == null || line.isEmpty()) {
          if (para.length() > 0) {
            add(para.toString(), raw, fields, providers);
            para.setLength(0);
          }
          if (line == null) {
            break;
          }
          continue;
        }
        para.append(line).append('\n');
      }
    }
    Set<String> chosen = new LinkedHashSet<>();
    Deque<String> queue = new ArrayDeque<>();
    for (Map.Entry<String, Map<String, String>> e : fields.entrySet()) {
      String prio = e.getValue().getOrDefault("Priority", "");
      if (prio.equals("required") || prio.equals("important") || prio.equals("standard")) {
        queue.add(e.getKey());
      }
    }
    while (!queue.isEmpty()) {
      String n = queue.poll();
      if (!chosen.add(n)) {
        continue;
      }
      Map<String, String> f = fields.get(n);
      String deps = String.join(", ", List.of(f.getOrDefault("Pre-Depends", ""),
          f.getOrDefault("Depends", "")).stream().filter(s -> !s.isBlank()).toList());
      for (List<Relation> group : Relation.parseField(deps)) {
        boolean met = false;
        for (Relation r : group) {
          if (chosen.contains(r.name()) || queue.contains(r.name())) {
            met = true;
            break;
          }
        }
        if (met) {
          continue;
        }
        String pick = null;
        for (Relation r : group) {
          if (fields.containsKey(r.name())) {
            pick = r.name();
            break;
          }
          List<String> ps = providers.getOrDefault(r.name(), List.of());
          if (!ps.isEmpty()) {
            pick = ps.get(0);
            break;
          }
        }
        if (pick != null) {
          queue.add(pick);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (String n : chosen) {
      String p = raw.get(n);
      StringBuilder kept = new StringBuilder();
      for (String l : p.split("\n")) {
        if (l.startsWith("Filename:") || l.startsWith("Size:") || l.startsWith("MD5sum:")
            || l.startsWith("SHA256:") || l.startsWith("Description-md5:")) {
          continue;
        }
        kept.append(l).append('\n');
        if (l.startsWith("Package:")) {
          kept.append("Status: install ok installed\n");
        }
      }
      out.append(kept).append('\n');
    }
    return out.toString();
  }

  private static void add(String para, Map<String, String> raw,
      Map<String, Map<String, String>> fields, Map<String, List<String>> providers) {
    Map<String, String> f = new HashMap<>();
    String last = null;
    for (String l : para.split("\n")) {
      if (l.startsWith(" ") || l.startsWith("\t")) {
        if (last != null) {
          f.put(last, f.get(last) + "\n" + l.strip());
        }
        continue;
      }
      Matcher m = FIELD.matcher(l);
      if (m.matches()) {
        last = m.group(1);
        f.put(last, m.group(2));
      }
    }
    String name = f.get("Package");
    if (name == null || raw.containsKey(name)) {
      return;
    }
    raw.put(name, para);
    fields.put(name, f);
    for (List<Relation> g : Relation.parseField(f.getOrDefault("Provides", ""))) {
      for (Relation r : g) {
        providers.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(name);
      }
    }
  }
}
