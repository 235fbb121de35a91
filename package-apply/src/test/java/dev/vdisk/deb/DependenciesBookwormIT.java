package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Dependencies#plan} on real Debian metadata against apt: apt's resolver picks the
 * closure of a few random bookworm packages ({@code apt-get -s install} over the verified index,
 * from an empty guest), then
 *
 * <ul>
 *   <li>the closure as a set for an empty guest, and half of it installed with the other half as
 *       the set, must both be ok (apt found them consistent);
 *   <li>the closure with one random member left out: {@code plan().ok()} must equal {@code
 *       apt-get check} on a dpkg status holding exactly those packages;
 *   <li>the closure installed with the newer bookworm-updates/-security versions of its members
 *       as the set: {@code plan().ok()} must equal {@code apt-get check} on the upgraded status.
 * </ul>
 */
class DependenciesBookwormIT {
  private static final Set<String> FIELDS = Set.of("Package", "Version", "Architecture",
      "Multi-Arch", "Depends", "Pre-Depends", "Conflicts", "Breaks", "Provides", "Replaces",
      "Essential");
  private static final Pattern INST = Pattern.compile("^Inst (\\S+) (?:\\[\\S+\\] )?\\((\\S+) .*\\[(\\S+)\\]\\)",
      Pattern.MULTILINE);

  @Test
  void realClosuresAgreeWithApt() throws Exception {
    Oracles.require("apt-get", "apt");
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("DependenciesBookwormIT seed " + seed);
    Random random = new Random(seed);
    List<Path> files = BookwormIndex.files();
    Path work = Files.createTempDirectory("vdisk-deps-bookworm");
    try {
      Path lists = work.resolve("apt/lists");
      Files.createDirectories(lists.resolve("partial"));
      Files.createSymbolicLink(lists.resolve(
          "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"), files.get(0));
      Files.copy(files.get(0).resolveSibling("bookworm.d/InRelease"),
          lists.resolve("deb.debian.org_debian_dists_bookworm_InRelease"));

      List<String> names = new ArrayList<>();
      for (Map<String, String> p : BookwormIndex.read(Set.of("Package"), List.of(files.get(0)),
          p -> true)) {
        names.add(p.get("Package"));
      }
      // the closure of a few random packages, as apt resolves it
      List<String[]> closure = null;
      List<String> requested = new ArrayList<>();
      for (int attempt = 0; attempt < 8 && closure == null; attempt++) {
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          targets.add(names.get(random.nextInt(names.size())));
        }
        Path status = work.resolve("empty-status");
        Files.writeString(status, "");
        List<String> cmd = new ArrayList<>(apt(work, status, lists, true));
        cmd.addAll(List.of("-s", "install"));
        cmd.addAll(targets);
        Oracles.Result r = Oracles.run(cmd.toArray(String[]::new));
        if (r.exitCode() != 0) {
          continue; // an uninstallable target: pick others
        }
        List<String[]> inst = new ArrayList<>();
        Matcher m = INST.matcher(r.stdout());
        while (m.find()) {
          inst.add(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        if (inst.size() >= 20) {
          closure = inst;
          requested.addAll(targets);
          System.out.println("DependenciesBookwormIT: apt resolves " + targets + " to "
              + inst.size() + " packages");
        }
      }
      if (closure == null) {
        fail("apt could not resolve random bookworm packages (seed " + seed + ")");
      }
      Set<String> wanted = new HashSet<>();
      Set<String> closureNames = new HashSet<>();
      for (String[] c : closure) {
        wanted.add(c[0] + " " + c[1]);
        closureNames.add(c[0]);
      }
      Map<String, ControlParagraph> byId = new HashMap<>();
      for (Map<String, String> p : BookwormIndex.read(FIELDS, List.of(files.get(0)),
          p -> wanted.contains(p.get("Package") + " " + p.get("Version")))) {
        byId.put(p.get("Package") + " " + p.get("Version"), paragraph(p));
      }
      List<ControlParagraph> set = new ArrayList<>();
      for (String[] c : closure) {
        ControlParagraph p = byId.get(c[0] + " " + c[1]);
        assertTrue(p != null, "apt installs " + c[0] + " " + c[1] + ", not in the index");
        set.add(p);
      }

      // 1. the whole closure, and half installed + half as the set
      Dependencies.Plan all = Dependencies.plan(List.of(), set, "amd64", Set.of());
      assertEquals(List.of(), all.problems(), "apt's own closure (seed " + seed + ")");
      assertEquals(0, aptCheck(work, set), "apt-get check on apt's closure");
      List<ControlParagraph> shuffled = new ArrayList<>(set);
      Collections.shuffle(shuffled, random);
      List<ControlParagraph> guest = installed(shuffled.subList(0, shuffled.size() / 2));
      Dependencies.Plan half = Dependencies.plan(guest,
          shuffled.subList(shuffled.size() / 2, shuffled.size()), "amd64", Set.of());
      assertEquals(List.of(), half.problems(), "half installed, half as the set (seed " + seed
          + ")");

      // 2. one member left out: a random one, or one of the requested packages (often a leaf)
      int agreeBroken = 0;
      for (int i = 0; i < 20; i++) {
        List<ControlParagraph> less = new ArrayList<>(set);
        int at = random.nextInt(less.size());
        if (i % 2 == 0) {
          String target = requested.get(random.nextInt(requested.size()));
          for (int j = 0; j < less.size(); j++) {
            if (less.get(j).get("Package").equals(target)) {
              at = j;
            }
          }
        }
        ControlParagraph removed = less.remove(at);
        boolean ours = Dependencies.plan(List.of(), less, "amd64", Set.of()).ok();
        boolean apts = aptCheck(work, less) == 0;
        assertEquals(apts, ours, "without " + removed.get("Package") + " (seed " + seed + ")");
        if (!apts) {
          agreeBroken++;
        }
      }
      System.out.println("DependenciesBookwormIT: 20 closures less one member agree with apt-get"
          + " check (" + agreeBroken + " broken)");

      // 3. upgrades from bookworm-updates and bookworm-security
      List<ControlParagraph> newer = new ArrayList<>();
      for (Map<String, String> p : BookwormIndex.read(FIELDS, files.subList(1, files.size()),
          p -> closureNames.contains(p.get("Package")))) {
        newer.add(paragraph(p));
      }
      // the newest of each name, and only real upgrades of what the closure has
      Map<String, ControlParagraph> newest = new LinkedHashMap<>();
      Map<String, DebVersion> have = new HashMap<>();
      for (ControlParagraph p : set) {
        have.put(p.get("Package"), DebVersion.parse(p.get("Version")));
      }
      newer.sort(Comparator.comparing(p -> DebVersion.parse(p.get("Version"))));
      for (ControlParagraph p : newer) {
        if (DebVersion.parse(p.get("Version")).compareTo(have.get(p.get("Package"))) > 0) {
          newest.put(p.get("Package"), p);
        }
      }
      if (!newest.isEmpty()) {
        List<ControlParagraph> upgrades = new ArrayList<>(newest.values());
        Dependencies.Plan up = Dependencies.plan(installed(set), upgrades, "amd64", Set.of());
        List<ControlParagraph> after = new ArrayList<>();
        for (ControlParagraph p : set) {
          after.add(newest.getOrDefault(p.get("Package"), p));
        }
        boolean apts = aptCheck(work, after) == 0;
        assertEquals(apts, up.ok(), "upgrading " + newest.keySet() + ": " + up.problems()
            + " (seed " + seed + ")");
        System.out.println("DependenciesBookwormIT: " + upgrades.size()
            + " security/updates upgrades, apt-get check " + (apts ? "clean" : "broken"));
      }
    } finally {
      deleteTree(work);
    }
  }

  private static ControlParagraph paragraph(Map<String, String> fields) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : fields.entrySet()) {
      sb.append(ControlParagraph.Field.of(e.getKey(), e.getValue()).raw());
    }
    return ControlParagraph.parse(sb.toString(), "index");
  }

  private static List<ControlParagraph> installed(List<ControlParagraph> ps) {
    List<ControlParagraph> out = new ArrayList<>();
    for (ControlParagraph p : ps) {
      out.add(p.with("Status", "install ok installed"));
    }
    return out;
  }

  private static List<String> apt(Path work, Path status, Path lists, boolean sources)
      throws IOException {
    Path etc = work.resolve(sources ? "apt/etc" : "apt/etc-empty");
    Files.createDirectories(etc.resolve("sources.list.d"));
    Files.createDirectories(etc.resolve("preferences.d"));
    Files.createDirectories(etc.resolve("apt.conf.d"));
    Files.writeString(etc.resolve("sources.list"),
        sources ? "deb [trusted=yes] http://deb.debian.org/debian bookworm main\n" : "");
    Path cache = work.resolve("apt/cache");
    Files.createDirectories(cache.resolve("archives/partial"));
    return List.of("apt-get", "-q", "-o", "Dir::State::status=" + status,
        "-o", "Dir::State::Lists=" + lists, "-o", "Dir::Cache=" + cache,
        "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
        "-o", "Dir::Etc=" + etc, "-o", "Debug::NoLocking=1",
        "-o", "Acquire::Check-Valid-Until=false", "-o", "APT::Install-Recommends=false",
        "-o", "APT::Architecture=amd64", "-o", "APT::Architectures::=amd64");
  }

  /** apt-get check on a status holding exactly these packages, installed; its exit code. */
  private static int aptCheck(Path work, List<ControlParagraph> pkgs)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    for (ControlParagraph p : installed(pkgs)) {
      sb.append(p.format()).append('\n');
    }
    Path status = work.resolve("status");
    Files.writeString(status, sb.toString());
    Path lists = work.resolve("apt/lists-empty");
    Files.createDirectories(lists.resolve("partial"));
    List<String> cmd = new ArrayList<>(apt(work, status, lists, false));
    cmd.add("check");
    return Oracles.run(cmd.toArray(String[]::new)).exitCode();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
