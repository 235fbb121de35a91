package dev.vdisk.compliance.internal;

import dev.vdisk.compliance.internal.DebGuest.Installed;
import dev.vdisk.compliance.internal.DebGuest.Key;
import dev.vdisk.deb.DebVersion;
import dev.vdisk.deb.Relation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code apt-get upgrade} (or {@code apt-get upgrade --with-new-pkgs}) would do on a guest
 * with a universe as its sources: mark every installed, not held package whose candidate is
 * newer; with new packages allowed, install the candidates of unsatisfied dependencies; then
 * keep back, one at a time, every upgrade whose dependencies, {@code Breaks} or {@code
 * Conflicts} cannot hold in the resulting system, until nothing is broken (a new package an
 * upgrade pulled in stays, as apt leaves it, even when that upgrade is kept back).
 */
public final class AptUpgrade {
  /** The most passes of the keep-back loop (each keeps at least one package back). */
  private static final int MAX_PASSES = 100_000;

  private final DebGuest guest;
  private final Universe universe;
  private final boolean allowNew;

  /** Upgrades (installed keys) and new packages (keys not installed) to their entries. */
  private final TreeMap<Key, DebEntry> marked = new TreeMap<>();
  /** Candidates of installed packages that are newer than installed, held or not. */
  private final TreeMap<Key, DebEntry> candidates = new TreeMap<>();
  /** Why an upgrade was kept back. */
  private final Map<Key, String> keptBack = new HashMap<>();
  /** Which upgrade pulled a new package in. */
  private final Map<Key, Key> pulledBy = new HashMap<>();

  private AptUpgrade(DebGuest guest, Universe universe, boolean allowNew) {
    this.guest = guest;
    this.universe = universe;
    this.allowNew = allowNew;
  }

  /**
   * Simulates the upgrade.
   *
   * @param guest the guest
   * @param universe the sources as filtered
   * @param allowNew install new packages (like {@code --with-new-pkgs})
   * @return the result
   */
  public static AptUpgrade run(DebGuest guest, Universe universe, boolean allowNew) {
    AptUpgrade u = new AptUpgrade(guest, universe, allowNew);
    u.simulate();
    return u;
  }

  /**
   * The newer candidate of an installed package (held or not, upgraded or kept back).
   *
   * @param key the key
   * @return the candidate, or null when the installed version is the candidate
   */
  public DebEntry candidate(Key key) {
    return candidates.get(key);
  }

  /**
   * The upgrades and new packages apt would install.
   *
   * @return key to the version installed
   */
  public Map<Key, DebEntry> marked() {
    return marked;
  }

  /**
   * Why an upgrade was kept back.
   *
   * @param key the key
   * @return the reason, or null when it was not kept back
   */
  public String keptBack(Key key) {
    return keptBack.get(key);
  }

  /**
   * Which upgrade a new package is installed for.
   *
   * @param key the new package's key
   * @return the upgrade's key, or null
   */
  public Key pulledBy(Key key) {
    return pulledBy.get(key);
  }

  private void simulate() {
    for (Map.Entry<Key, Installed> e : guest.installed().entrySet()) {
      Installed in = e.getValue();
      DebEntry c = universe.candidate(guest, e.getKey(), in);
      if (c == null) {
        continue;
      }
      candidates.put(e.getKey(), c);
      if (!in.hold()) {
        marked.put(e.getKey(), c);
      }
    }
    if (allowNew) {
      for (Key k : new ArrayList<>(marked.keySet())) {
        DebEntry v = marked.get(k);
        if (v != null) {
          installNew(k, v, 0);
        }
      }
      removeConflictsThenKeep();
    }
    resolveByKeep();
  }

  /**
   * Marks new packages for the unsatisfied dependencies of a marked version, all or nothing: as
   * apt's automatic installation, nothing is marked when one dependency cannot be met by an
   * installable package (recursively).
   */
  private void installNew(Key root, DebEntry v, int depth) {
    Map<Key, DebEntry> plan = new java.util.LinkedHashMap<>();
    if (feasible(v, plan, 0)) {
      for (Map.Entry<Key, DebEntry> e : plan.entrySet()) {
        marked.put(e.getKey(), e.getValue());
        pulledBy.put(e.getKey(), root);
      }
    }
  }

  private boolean feasible(DebEntry v, Map<Key, DebEntry> plan, int depth) {
    if (depth > 64) {
      return false;
    }
    for (List<Relation> group : v.dependencies()) {
      if (satisfied(group, v, plan)) {
        continue;
      }
      boolean met = false;
      for (Relation r : group) {
        Key k = newKey(r, v);
        if (k == null || guest.installed().containsKey(k) || marked.containsKey(k)
            || plan.containsKey(k)) {
          continue;
        }
        DebEntry c = universe.candidate(guest, k, (DebGuest.Installed) null);
        if (c == null || !r.versionSatisfiedBy(c.version())) {
          continue;
        }
        Map<Key, DebEntry> attempt = new java.util.LinkedHashMap<>(plan);
        attempt.put(k, c);
        if (feasible(c, attempt, depth + 1)) {
          plan.clear();
          plan.putAll(attempt);
          met = true;
          break;
        }
      }
      if (!met) {
        return false;
      }
    }
    return true;
  }

  /**
   * With new packages allowed, apt installs each marked version with its dependencies resolved
   * automatically: an installed package its Breaks or Conflicts hit is upgraded when its own
   * candidate escapes the relation, else marked for removal; upgrade then takes every removal
   * back, which leaves that package at its installed version (its own upgrade dropped).
   */
  private void removeConflictsThenKeep() {
    Map<Key, DebEntry> f = finalState();
    Map<String, List<DebEntry>> byName = new HashMap<>();
    Map<String, List<DebEntry>> provides = new HashMap<>();
    for (DebEntry e : f.values()) {
      byName.computeIfAbsent(e.name(), x -> new ArrayList<>()).add(e);
      for (Relation p : e.provided()) {
        provides.computeIfAbsent(p.name(), x -> new ArrayList<>()).add(e);
      }
    }
    for (Key k : new ArrayList<>(marked.keySet())) {
      DebEntry v = marked.get(k);
      if (v == null) {
        continue;
      }
      for (Relation r : v.negatives()) {
        for (DebEntry t : matchesNegative(r, v, byName, provides)) {
          Key tk = guest.key(t);
          Installed ti = guest.installed().get(tk);
          if (ti == null) {
            continue;
          }
          DebEntry ct = marked.get(tk);
          if (ct != null && matchesNegative(r, v, Map.of(ct.name(), List.of(ct)),
              Map.of()).isEmpty() && !providesHit(r, v, ct)) {
            continue; // its upgrade resolves the relation
          }
          if (ct != null && !guest.installed().containsKey(k)) {
            continue;
          }
          if (ct != null) {
            keep(tk, "kept back: " + v.name() + " " + v.version() + " declares " + r.format());
          }
        }
      }
    }
  }

  private boolean providesHit(Relation r, DebEntry from, DebEntry t) {
    Map<String, List<DebEntry>> p = new HashMap<>();
    for (Relation x : t.provided()) {
      p.computeIfAbsent(x.name(), y -> new ArrayList<>()).add(t);
    }
    return !matchesNegative(r, from, Map.of(), p).isEmpty();
  }

  private Key rootOf(Key k) {
    Key r = k;
    for (int i = 0; i < 100 && pulledBy.containsKey(r); i++) {
      r = pulledBy.get(r);
    }
    return r;
  }

  /** The key a new package for a relation would have, or null when it names no real one. */
  private Key newKey(Relation r, DebEntry from) {
    String q = r.archQualifier();
    String arch;
    if (q == null || q.equals("any")) {
      arch = guest.archKey(from.arch());
    } else if (q.equals("native")) {
      arch = guest.nativeArch();
    } else {
      arch = q;
    }
    Key k = new Key(r.name(), arch);
    if (!universe.versions(guest, k).isEmpty()) {
      return k;
    }
    Key n = new Key(r.name(), guest.nativeArch());
    if (!n.equals(k) && !universe.versions(guest, n).isEmpty()) {
      return n;
    }
    return null;
  }

  /** The version of each key after the marked changes. */
  private Map<Key, DebEntry> finalState() {
    Map<Key, DebEntry> f = new HashMap<>();
    for (Map.Entry<Key, Installed> e : guest.installed().entrySet()) {
      f.put(e.getKey(), e.getValue().entry());
    }
    f.putAll(marked);
    return f;
  }

  /** The final state with its name and provides indexes. */
  private final class State {
    final Map<Key, DebEntry> f = finalState();
    final Map<String, List<DebEntry>> byName = new HashMap<>();
    final Map<String, List<DebEntry>> provides = new HashMap<>();

    State() {
      for (DebEntry e : f.values()) {
        byName.computeIfAbsent(e.name(), x -> new ArrayList<>()).add(e);
        for (Relation p : e.provided()) {
          provides.computeIfAbsent(p.name(), x -> new ArrayList<>()).add(e);
        }
      }
    }
  }

  /**
   * apt's ResolveByKeep: packages in descending score order (apt's pkgProblemResolver scores:
   * priority, essential, installed and not obsolete, dependencies pointing at a package and one
   * level of their depender's score, provides); the first broken one is kept at its installed
   * version, and when that does not mend it, the packages its broken dependencies name are kept
   * too; then the walk starts again, until nothing is broken.
   */
  private void resolveByKeep() {
    Map<Key, Integer> scores = scores();
    List<Key> order = new ArrayList<>(scores.keySet());
    order.sort((a, b) -> {
      int c = Integer.compare(scores.get(b), scores.get(a));
      return c != 0 ? c : a.compareTo(b);
    });
    State st = new State();
    int passes = 0;
    outer:
    while (passes++ < MAX_PASSES) {
      for (Key k : order) {
        DebEntry v = st.f.get(k);
        if (v == null) {
          continue;
        }
        String why = broken(v, st.byName, st.provides, null);
        if (why == null) {
          continue;
        }
        if (marked.containsKey(k)) {
          keep(k, why);
          st = new State();
          if (!st.f.containsKey(k) || broken(st.f.get(k), st.byName, st.provides, null) == null) {
            continue outer;
          }
        }
        // keep the marked packages its broken relations name, relation after relation, until
        // it is mended or nothing more can be kept
        for (int guard = 0; guard < 10_000; guard++) {
          DebEntry now = st.f.get(k);
          if (now == null) {
            break;
          }
          Set<Key> targets = new TreeSet<>();
          String still = broken(now, st.byName, st.provides, targets);
          if (still == null) {
            continue outer;
          }
          if (targets.isEmpty()) {
            break;
          }
          for (Key t : targets) {
            keep(t, "kept back: " + now.name() + " " + now.version() + " needs it unchanged ("
                + still + ")");
          }
          st = new State();
        }
      }
      return;
    }
  }

  private static int priorityScore(String p) {
    return switch (p) {
      case "required" -> 3;
      case "important" -> 2;
      case "standard" -> 1;
      case "optional" -> -1;
      case "extra" -> -2;
      default -> 0;
    };
  }

  /** Whether a sources' record is the same version as an entry (apt: downloadable). */
  private boolean downloadable(Key k, DebEntry e) {
    if (e.suite() != null) {
      return true;
    }
    for (DebEntry s : universe.versions(guest, k)) {
      if (s.sameAs(e)) {
        return true;
      }
    }
    return false;
  }

  /** apt's pkgProblemResolver::MakeScores, for the packages with an install version. */
  private Map<Key, Integer> scores() {
    Map<Key, DebEntry> f = finalState();
    Map<Key, Integer> score = new HashMap<>();
    for (Map.Entry<Key, DebEntry> e : f.entrySet()) {
      Key k = e.getKey();
      DebEntry v = e.getValue();
      int sc = 0;
      if (v.essential()) {
        sc += 100;
      }
      if (downloadable(k, v)) {
        sc += priorityScore(v.priority());
      }
      Installed in = guest.installed().get(k);
      if (in != null) {
        DebEntry cand = candidates.get(k);
        if (cand != null || downloadable(k, in.entry())) {
          sc += 1;
        }
      }
      score.merge(k, sc, Integer::sum);
    }
    // dependencies of each install version add to their targets
    for (Map.Entry<Key, DebEntry> e : f.entrySet()) {
      DebEntry v = e.getValue();
      List<List<Relation>> groups = new ArrayList<>(DebEntry.parse(v.preDepends()));
      groups.addAll(DebEntry.parse(v.depends()));
      for (List<Relation> g : groups) {
        for (Relation r : g) {
          add(score, f, v, r, 1);
        }
      }
      for (Relation r : v.negatives()) {
        add(score, f, v, r, -1);
      }
    }
    Map<Key, Integer> old = new HashMap<>(score);
    for (Map.Entry<Key, DebEntry> e : f.entrySet()) {
      Key pk = e.getKey();
      DebEntry v = e.getValue();
      for (List<Relation> g : v.dependencies()) {
        for (Relation r : g) {
          Key t = target(r, v);
          if (f.containsKey(t)) {
            score.merge(t, Math.abs(old.getOrDefault(pk, 0)), Integer::sum);
          }
        }
      }
    }
    for (Map.Entry<Key, DebEntry> e : f.entrySet()) {
      for (Relation p : e.getValue().provided()) {
        Key virt = new Key(p.name(), e.getKey().arch());
        score.merge(e.getKey(), Math.abs(score.getOrDefault(virt, 0)), Integer::sum);
      }
    }
    Map<Key, Integer> out = new HashMap<>();
    for (Key k : f.keySet()) {
      out.put(k, score.getOrDefault(k, 0));
    }
    return out;
  }

  private Key target(Relation r, DebEntry from) {
    String q = r.archQualifier();
    String arch = q == null || q.equals("any") ? guest.archKey(from.arch())
        : q.equals("native") ? guest.nativeArch() : q;
    return new Key(r.name(), arch);
  }

  private void add(Map<Key, Integer> score, Map<Key, DebEntry> f, DebEntry from, Relation r,
      int points) {
    Key t = target(r, from);
    if (r.op() != null) {
      DebEntry iv = f.get(t);
      if (iv == null || !r.versionSatisfiedBy(iv.version())) {
        return;
      }
    }
    score.merge(t, points, Integer::sum);
  }

  private void keep(Key k, String why) {
    DebEntry gone = marked.remove(k);
    if (gone == null) {
      return;
    }
    if (guest.installed().containsKey(k)) {
      keptBack.put(k, why);
    }
    // apt's keep does not reach the new packages the upgrade pulled in: they stay marked
  }

  /**
   * Why a version's relationships fail in the final state, or null. When {@code culprits} is
   * given, the marked keys whose new versions cause the failure are added to it.
   */
  private String broken(DebEntry v, Map<String, List<DebEntry>> byName,
      Map<String, List<DebEntry>> provides, Set<Key> culprits) {
    for (List<Relation> group : v.dependencies()) {
      if (!satisfiedIn(group, v, byName, provides)) {
        if (culprits != null) {
          for (Relation r : group) {
            for (DebEntry t : byName.getOrDefault(r.name(), List.of())) {
              Key tk = guest.key(t);
              if (marked.containsKey(tk)) {
                culprits.add(tk);
              }
            }
            for (DebEntry t : provides.getOrDefault(r.name(), List.of())) {
              Key tk = guest.key(t);
              if (marked.containsKey(tk)) {
                culprits.add(tk);
              }
            }
          }
          if (culprits.isEmpty()) {
            continue; // broken before the upgrade too: not apt's upgrade to fix
          }
        }
        Relation first = group.get(0);
        String missing = missingNew(group, v);
        if (missing != null && culprits == null) {
          return "needs new package " + missing;
        }
        return "unsatisfied dependency " + Relation.formatField(List.of(group));
      }
    }
    for (Relation r : v.negatives()) {
      for (DebEntry t : matchesNegative(r, v, byName, provides)) {
        if (culprits != null) {
          Key tk = guest.key(t);
          if (!marked.containsKey(tk)) {
            continue;
          }
          culprits.add(tk);
        }
        return "conflicts with " + t.name() + " " + t.version() + " (" + r.format() + ")";
      }
    }
    // dpkg keeps every architecture of a Multi-Arch: same package at one version, and any
    // other package is installed for one architecture only
    for (DebEntry t : byName.getOrDefault(v.name(), List.of())) {
      if (guest.archKey(t.arch()).equals(guest.archKey(v.arch()))) {
        continue;
      }
      boolean bothSame = t.multiArch().equals("same") && v.multiArch().equals("same");
      if (bothSame && t.version().equals(v.version())) {
        continue;
      }
      if (culprits != null) {
        Key tk = guest.key(t);
        if (!marked.containsKey(tk)) {
          continue;
        }
        culprits.add(tk);
      }
      return bothSame ? "Multi-Arch: same " + v.name() + " " + t.arch() + " would stay at "
          + t.version() : v.name() + " " + t.version() + " is installed for " + t.arch()
          + " and is not Multi-Arch: same";
    }
    return null;
  }

  /** The first alternative's name when no alternative is installed or carried by the guest. */
  private String missingNew(List<Relation> group, DebEntry from) {
    for (Relation r : group) {
      Key k = newKey(r, from);
      if (k != null && !guest.installed().containsKey(k)) {
        DebEntry c = universe.candidate(guest, k, (DebGuest.Installed) null);
        if (c != null && r.versionSatisfiedBy(c.version())) {
          return r.name();
        }
      }
    }
    return null;
  }

  private boolean satisfied(List<Relation> group, DebEntry from, Map<Key, DebEntry> plan) {
    Map<Key, DebEntry> f = finalState();
    f.putAll(plan);
    Map<String, List<DebEntry>> byName = new HashMap<>();
    Map<String, List<DebEntry>> provides = new HashMap<>();
    for (DebEntry e : f.values()) {
      byName.computeIfAbsent(e.name(), x -> new ArrayList<>()).add(e);
      for (Relation p : e.provided()) {
        provides.computeIfAbsent(p.name(), x -> new ArrayList<>()).add(e);
      }
    }
    return satisfiedIn(group, from, byName, provides);
  }

  private boolean satisfiedIn(List<Relation> group, DebEntry from,
      Map<String, List<DebEntry>> byName, Map<String, List<DebEntry>> provides) {
    for (Relation r : group) {
      for (DebEntry t : byName.getOrDefault(r.name(), List.of())) {
        if (archOk(r, from, t) && r.versionSatisfiedBy(t.version())) {
          return true;
        }
      }
      for (DebEntry t : provides.getOrDefault(r.name(), List.of())) {
        if (!archOk(r, from, t)) {
          continue;
        }
        for (Relation p : t.provided()) {
          if (!p.name().equals(r.name())) {
            continue;
          }
          if (r.op() == null) {
            return true;
          }
          if (p.op() != null && p.op().equals("=")
              && r.versionSatisfiedBy(DebVersion.parse(p.version()))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Whether a dependency of {@code from} can be met by {@code t}'s architecture. */
  private boolean archOk(Relation r, DebEntry from, DebEntry t) {
    String q = r.archQualifier();
    String ta = guest.archKey(t.arch());
    if (q == null) {
      return ta.equals(guest.archKey(from.arch())) || t.multiArch().equals("foreign");
    }
    if (q.equals("any")) {
      return t.multiArch().equals("allowed") || (ta.equals(guest.archKey(from.arch()))
          && t.multiArch().equals("foreign"));
    }
    if (q.equals("native")) {
      return ta.equals(guest.nativeArch());
    }
    return ta.equals(q);
  }

  /** The versions in the final state a Breaks or Conflicts relation of {@code from} hits. */
  private List<DebEntry> matchesNegative(Relation r, DebEntry from,
      Map<String, List<DebEntry>> byName, Map<String, List<DebEntry>> provides) {
    List<DebEntry> out = new ArrayList<>();
    String q = r.archQualifier();
    for (DebEntry t : byName.getOrDefault(r.name(), List.of())) {
      if (t.name().equals(from.name())) {
        continue; // apt ignores a package's relations to itself (any architecture)
      }
      if (q != null && !q.equals("any") && !guest.archKey(t.arch()).equals(
          q.equals("native") ? guest.nativeArch() : q)) {
        continue;
      }
      if (r.versionSatisfiedBy(t.version())) {
        out.add(t);
      }
    }
    for (DebEntry t : provides.getOrDefault(r.name(), List.of())) {
      if (t.name().equals(from.name()) || out.contains(t)) {
        continue;
      }
      for (Relation p : t.provided()) {
        if (!p.name().equals(r.name())) {
          continue;
        }
        if (r.op() == null || (p.op() != null && p.op().equals("=")
            && r.versionSatisfiedBy(DebVersion.parse(p.version())))) {
          out.add(t);
          break;
        }
      }
    }
    return out;
  }
}
