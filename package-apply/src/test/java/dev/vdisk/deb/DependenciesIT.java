package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Dependencies#plan} against real dpkg on seeded random universes of tiny control-only
 * packages built with {@code dpkg-deb -b}: an initial guest state made by real {@code dpkg -i}
 * (and sometimes {@code --unpack}) into a scratch root, then a random candidate set. The oracle
 * runs the offline procedure the plan describes with real dpkg: {@code dpkg --unpack} of the
 * unstaged candidates in plan order, {@code dpkg --configure -a} (first boot), then each staged
 * candidate {@code --unpack} + {@code --configure -a}; it succeeds when every dpkg call exits 0,
 * every candidate ends {@code install ok installed} at its version, and {@code apt-get check} on
 * the resulting status finds no broken relation (dpkg itself does not check reverse dependencies
 * on upgrade). {@code plan().ok()} must equal that success on every scenario.
 */
class DependenciesIT {
  private static final String NATIVE = "amd64";
  private static final String FOREIGN = "i386";
  private static final String[] VERSIONS = {"0.9", "1.0", "1.0-1", "1.5~rc1", "1.5", "2.0",
      "1:0.5"};
  private static final String[] OPS = {"<<", "<=", "=", ">=", ">>"};

  /** One built package. */
  record Pkg(String name, String version, String arch, String multiArch, String control,
      Path deb) {
    String id() {
      return name + " " + arch + " " + version;
    }
  }

  /** A universe: the packages of each name. */
  record World(boolean foreign, List<String> names, Map<String, List<Pkg>> byName) {}

  @Test
  void planAgreesWithRealDpkg() throws Exception {
    Oracles.require("dpkg", "dpkg");
    Oracles.require("dpkg-deb", "dpkg");
    Oracles.require("dpkg-query", "dpkg");
    Oracles.require("apt-get", "apt");
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    int worlds = Integer.getInteger("vdisk.worlds", 20);
    int scenarios = Integer.getInteger("vdisk.scenarios", 12);
    System.out.println("DependenciesIT seed " + seed + " (rerun with -Dvdisk.seed=" + seed
        + "), " + worlds + " universes x " + scenarios + " scenarios");
    Random random = new Random(seed);
    // dpkg fsyncs its database on every change: a tmpfs makes the scenarios several times faster
    Path shm = Path.of("/dev/shm");
    Path work = Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "vdisk-deps") : Files.createTempDirectory("vdisk-deps");
    int okCount = 0;
    int total = 0;
    int staged = 0;
    List<String> mismatches = new ArrayList<>();
    Map<String, Integer> kinds = new java.util.TreeMap<>();
    try {
      for (int w = 0; w < worlds; w++) {
        Path wdir = work.resolve("w" + w);
        World world = makeWorld(random, wdir);
        for (int s = 0; s < scenarios; s++) {
          String m = scenario(random, world, wdir.resolve("root" + s), kinds);
          total++;
          if (m.startsWith("ok")) {
            okCount++;
            if (m.contains("staged")) {
              staged++;
            }
          } else if (!m.startsWith("refused")) {
            mismatches.add("universe " + w + " scenario " + s + ": " + m);
          }
        }
      }
    } finally {
      deleteTree(work);
    }
    System.out.println("DependenciesIT: " + total + " scenarios, " + okCount + " ok ("
        + staged + " with staged packages), " + (total - okCount - mismatches.size())
        + " refused, " + mismatches.size() + " disagreements; problems seen: " + kinds);
    assertEquals(List.of(), mismatches.subList(0, Math.min(3, mismatches.size())),
        mismatches.size() + " disagreements with dpkg (seed " + seed + ")");
    assertTrue(okCount > total / 10 && okCount < total * 9 / 10,
        "the scenarios should mix applicable and refused sets: " + okCount + " of " + total);
  }

  // ---- universes ----

  private static World makeWorld(Random r, Path dir) throws IOException {
    boolean foreign = r.nextInt(3) > 0;
    int n = 5 + r.nextInt(4);
    List<String> names = new ArrayList<>();
    while (names.size() < n) {
      String name = "p" + (char) ('a' + r.nextInt(26)) + (char) ('a' + r.nextInt(26));
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    Map<String, List<String>> versions = new LinkedHashMap<>();
    for (String name : names) {
      Set<String> vs = new TreeSet<>(Comparator.comparing(DebVersion::parse));
      int k = 1 + r.nextInt(3);
      while (vs.size() < k) {
        vs.add(VERSIONS[r.nextInt(VERSIONS.length)]);
      }
      versions.put(name, new ArrayList<>(vs));
    }
    Map<String, List<Pkg>> byName = new LinkedHashMap<>();
    Path src = dir.resolve("src");
    Path debs = dir.resolve("debs");
    Files.createDirectories(src);
    Files.createDirectories(debs);
    for (String name : names) {
      String arch = "all";
      String ma = r.nextInt(5) == 0 ? "foreign" : "no";
      boolean both = false;
      if (r.nextInt(10) < 4) {
        arch = foreign && r.nextInt(3) == 0 ? FOREIGN : NATIVE;
        ma = new String[] {"no", "same", "foreign", "allowed"}[r.nextInt(4)];
        both = foreign && ma.equals("same") && r.nextBoolean();
      }
      List<Pkg> pkgs = new ArrayList<>();
      for (String v : versions.get(name)) {
        StringBuilder fields = new StringBuilder();
        relationFields(r, name, names, versions, fields);
        List<String> arches = both ? List.of(NATIVE, FOREIGN) : List.of(arch);
        for (String a : arches) {
          String control = "Package: " + name + "\nVersion: " + v + "\nArchitecture: " + a + "\n"
              + (ma.equals("no") ? "" : "Multi-Arch: " + ma + "\n")
              + "Maintainer: vdisk tests <tests@vdisk.invalid>\n" + fields
              + "Description: random test package\n";
          String base = name + "_" + v.replace(':', '%') + "_" + a;
          Path d = src.resolve(base).resolve("DEBIAN");
          Files.createDirectories(d);
          Files.writeString(d.resolve("control"), control);
          pkgs.add(new Pkg(name, v, a, ma, control, debs.resolve(base + ".deb")));
        }
      }
      byName.put(name, pkgs);
    }
    Oracles.runOk("bash", "-c", "cd \"$1\" && for d in src/*; do"
        + " dpkg-deb -b -Zgzip -z1 \"$d\" \"debs/${d#src/}.deb\" >/dev/null || exit 1; done",
        "build", dir.toString());
    return new World(foreign, names, byName);
  }

  private static void relationFields(Random r, String self, List<String> names,
      Map<String, List<String>> versions, StringBuilder out) {
    List<String> others = new ArrayList<>(names);
    others.remove(self);
    if (r.nextInt(8) == 0) {
      out.append("Pre-Depends: ").append(group(r, others, versions, 1 + r.nextInt(2), true))
          .append('\n');
    }
    if (r.nextInt(5) < 2) {
      int groups = r.nextInt(4) == 0 ? 2 : 1;
      List<String> gs = new ArrayList<>();
      for (int i = 0; i < groups; i++) {
        gs.add(group(r, others, versions, r.nextInt(3) == 0 ? 2 : 1, true));
      }
      out.append("Depends: ").append(String.join(", ", gs)).append('\n');
    }
    if (r.nextInt(8) == 0) {
      out.append("Conflicts: ").append(group(r, others, versions, 1, false)).append('\n');
    }
    if (r.nextInt(8) == 0) {
      String t = others.get(r.nextInt(others.size()));
      List<String> vs = versions.get(t);
      out.append("Breaks: ").append(t).append(" (<< ").append(vs.get(r.nextInt(vs.size())))
          .append(")\n");
    }
    if (r.nextInt(5) == 0) {
      out.append("Provides: v").append(1 + r.nextInt(3));
      if (r.nextBoolean()) {
        out.append(" (= ").append(r.nextBoolean() ? "1.0" : "2.0").append(')');
      }
      out.append('\n');
    }
  }

  private static String group(Random r, List<String> others, Map<String, List<String>> versions,
      int alternatives, boolean positive) {
    List<String> alts = new ArrayList<>();
    for (int i = 0; i < alternatives; i++) {
      if (r.nextInt(5) == 0) {
        String v = "v" + (1 + r.nextInt(3));
        if (r.nextInt(4) == 0) {
          v += " (>= " + (r.nextBoolean() ? "1.0" : "2.0") + ")";
        }
        alts.add(v);
        continue;
      }
      String t = others.get(r.nextInt(others.size()));
      String name = t;
      int q = r.nextInt(16);
      if (q < 2) {
        t += ":any";
      } else if (q == 2 && positive) {
        t += r.nextBoolean() ? ":" + NATIVE : ":" + FOREIGN;
      }
      if (r.nextInt(5) < 2) {
        List<String> vs = versions.get(name);
        String v = r.nextInt(4) == 0 ? VERSIONS[r.nextInt(VERSIONS.length)]
            : vs.get(r.nextInt(vs.size()));
        t += " (" + OPS[r.nextInt(OPS.length)] + " " + v + ")";
      }
      alts.add(t);
    }
    return String.join(" | ", alts);
  }

  // ---- one scenario ----

  private static String scenario(Random r, World world, Path root, Map<String, Integer> kinds)
      throws Exception {
    // the guest: dpkg -i of a random choice, sometimes a few more only unpacked
    List<Pkg> initial = new ArrayList<>();
    List<Pkg> unpackOnly = new ArrayList<>();
    for (String name : world.names()) {
      List<Pkg> pkgs = world.byName().get(name);
      if (r.nextInt(5) < 3) {
        Pkg p = pkgs.get(r.nextInt(pkgs.size()));
        (r.nextInt(12) == 0 ? unpackOnly : initial).addAll(instances(pkgs, p, r));
      }
    }
    // mostly a consistent guest (what dpkg left unconfigured purged), sometimes a broken one
    boolean tidy = r.nextInt(4) > 0;
    List<String> setup = new ArrayList<>(List.of("bash", "-c", SETUP, "setup", root.toString(),
        world.foreign() ? FOREIGN : "", tidy ? "tidy" : ""));
    initial.forEach(p -> setup.add(p.deb().toString()));
    setup.add("--");
    unpackOnly.forEach(p -> setup.add(p.deb().toString()));
    Oracles.runOk(setup.toArray(String[]::new));
    String statusText = Files.readString(root.resolve("var/lib/dpkg/status"));
    List<ControlParagraph> status = ControlParagraph.parseAll(statusText, "status");

    // the set
    List<String> names = new ArrayList<>(world.names());
    Collections.shuffle(names, r);
    int k = 1 + r.nextInt(Math.min(4, names.size()));
    List<Pkg> set = new ArrayList<>();
    for (String name : names.subList(0, k)) {
      List<Pkg> pkgs = world.byName().get(name);
      set.addAll(instances(pkgs, pkgs.get(r.nextInt(pkgs.size())), r));
    }
    Collections.shuffle(set, r);
    List<ControlParagraph> candidates = new ArrayList<>();
    Map<ControlParagraph, Pkg> debOf = new LinkedHashMap<>();
    for (Pkg p : set) {
      ControlParagraph cp = ControlParagraph.parse(p.control(), p.deb().toString());
      candidates.add(cp);
      debOf.put(cp, p);
    }
    Dependencies.Plan plan = Dependencies.plan(status, candidates, NATIVE,
        world.foreign() ? Set.of(FOREIGN) : Set.of());
    for (String problem : plan.problems()) {
      kinds.merge(kind(problem), 1, Integer::sum);
    }

    // the procedure with real dpkg: unpack now, configure at first boot, then the staged ones
    List<String> proc = new ArrayList<>(List.of("bash", "-c", PROCEDURE, "procedure",
        root.toString(), NATIVE, FOREIGN));
    List<String> later = new ArrayList<>();
    for (ControlParagraph cp : plan.order()) {
      Pkg p = debOf.get(cp);
      (plan.mustStage().containsKey(p.name()) ? later : proc).add(p.deb().toString());
    }
    proc.add("--");
    proc.addAll(later);
    Oracles.Result res = Oracles.run(proc.toArray(String[]::new));
    boolean good = res.exitCode() == 0;
    Set<String> installed = new HashSet<>();
    for (String line : res.stdout().split("\n")) {
      if (line.startsWith("Q ") && line.endsWith(" install ok installed")) {
        installed.add(line.substring(2, line.length() - " install ok installed".length()));
      }
    }
    for (Pkg p : set) {
      good &= installed.contains(p.id());
    }

    if (plan.ok() == good) {
      return (good ? "ok" : "refused") + (plan.mustStage().isEmpty() ? "" : " staged");
    }
    StringBuilder m = new StringBuilder();
    m.append(plan.ok() ? "plan ok but dpkg failed" : "plan refused but dpkg succeeded")
        .append("\n--- guest status:\n").append(statusText)
        .append("--- set in plan order:\n");
    for (ControlParagraph cp : plan.order()) {
      m.append(cp.format()).append(plan.mustStage().containsKey(debOf.get(cp).name())
          ? "(staged)\n" : "").append('\n');
    }
    m.append("--- problems: ").append(plan.problems()).append("\n--- dpkg (exit ")
        .append(res.exitCode()).append("):\n").append(res.stdout()).append(res.stderr());
    return m.toString();
  }

  /**
   * Makes a scratch dpkg root and installs the guest: ROOT FOREIGN-ARCH TIDY INITIAL... --
   * UNPACK...; with TIDY, what {@code dpkg -i} left unconfigured is purged again.
   */
  private static final String SETUP = String.join("\n",
      "root=$1; foreign=$2; tidy=$3; shift 3",
      "mkdir -p \"$root\"/var/lib/dpkg/info \"$root\"/var/lib/dpkg/updates"
          + " \"$root\"/var/lib/dpkg/triggers",
      ": > \"$root/var/lib/dpkg/status\"; : > \"$root/var/lib/dpkg/available\"",
      "if [ -n \"$foreign\" ]; then dpkg --root=\"$root\" --add-architecture \"$foreign\" || exit 1; fi",
      "init=(); unp=(); mode=i",
      "for a; do if [ \"$a\" = -- ]; then mode=u; elif [ $mode = i ]; then init+=(\"$a\");"
          + " else unp+=(\"$a\"); fi; done",
      "d=(dpkg --root=\"$root\" --force-not-root)",
      "if ((${#init[@]})); then \"${d[@]}\" -i \"${init[@]}\" >/dev/null 2>&1; fi",
      "if [ -n \"$tidy\" ]; then",
      "  bad=$(dpkg-query --root=\"$root\" -W -f '${db:Status-Abbrev} ${binary:Package}\\n'"
          + " | awk '$1 != \"ii\" && $1 != \"un\" {print $2}')",
      "  if [ -n \"$bad\" ]; then \"${d[@]}\" --purge --force-depends $bad >/dev/null 2>&1"
          + " || exit 1; fi",
      "fi",
      "if ((${#unp[@]})); then \"${d[@]}\" --unpack \"${unp[@]}\" >/dev/null 2>&1; fi",
      "exit 0");

  /**
   * The offline procedure: ROOT NATIVE FOREIGN NOW... -- STAGED...; prints the final package
   * states as "Q name arch version status" and exits 0 only when every dpkg call and then
   * apt-get check succeeded.
   */
  private static final String PROCEDURE = String.join("\n",
      "root=$1; native=$2; foreign=$3; shift 3",
      "now=(); later=(); mode=n",
      "for a; do if [ \"$a\" = -- ]; then mode=l; elif [ $mode = n ]; then now+=(\"$a\");"
          + " else later+=(\"$a\"); fi; done",
      "d=(dpkg --root=\"$root\" --force-not-root)",
      "ok=0",
      "if ((${#now[@]})); then \"${d[@]}\" --unpack \"${now[@]}\" >&2 || ok=1; fi",
      "\"${d[@]}\" --configure -a >&2; conf=$?",
      "for x in \"${later[@]}\"; do \"${d[@]}\" --unpack \"$x\" >&2 || ok=1;"
          + " \"${d[@]}\" --configure -a >&2; conf=$?; done",
      "[ $conf = 0 ] || ok=1",
      "dpkg-query --root=\"$root\" -W -f '${Package} ${Architecture} ${Version} ${Status}\\n'"
          + " | sed 's/^/Q /'",
      "[ $ok = 0 ] || exit 1",
      // dpkg does not check reverse dependencies on upgrade; apt-get check does
      "a=\"$root/apt\"; mkdir -p \"$a\"/lists/partial \"$a\"/cache/archives/partial"
          + " \"$a\"/etc/sources.list.d \"$a\"/etc/preferences.d \"$a\"/etc/apt.conf.d",
      ": > \"$a/etc/sources.list\"",
      "apt-get -q -o Dir::State::status=\"$root/var/lib/dpkg/status\""
          + " -o Dir::State::Lists=\"$a/lists\" -o Dir::Cache=\"$a/cache\""
          + " -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Dir::Etc=\"$a/etc\""
          + " -o Debug::NoLocking=1 -o APT::Architecture=\"$native\""
          + " -o APT::Architectures::=\"$native\" -o APT::Architectures::=\"$foreign\""
          + " check >&2");

  private static String kind(String problem) {
    for (String k : new String[] {"not configured", "the set breaks the guest", "Multi-Arch: same",
        "which the guest does not have", "no unpacking order", "first boot", "cannot be configured",
        "pre-depends on", "depends on", "conflicts with", "breaks", "give each package once"}) {
      if (problem.contains(k)) {
        return k;
      }
    }
    return "other";
  }

  /** The instance chosen, and for a Multi-Arch: same package sometimes its other architecture. */
  private static List<Pkg> instances(List<Pkg> pkgs, Pkg p, Random r) {
    List<Pkg> out = new ArrayList<>(List.of(p));
    if (p.multiArch().equals("same") && r.nextBoolean()) {
      for (Pkg q : pkgs) {
        if (q != p && q.version().equals(p.version())) {
          out.add(q);
        }
      }
    }
    return out;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
