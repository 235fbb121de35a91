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
 * Conflicts} cannot hold in the resulting system (and any new package only it needed), until
 * nothing is broken.
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
        installNew(k, marked.get(k), 0);
      }
    }
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      if (!keepOne()) {
        return;
      }
    }
  }

  /** Marks new packages for the unsatisfied dependencies of a marked version. */
  private void installNew(Key root, DebEntry v, int depth) {
    if (depth > 64) {
      return;
    }
    for (List<Relation> group : v.dependencies()) {
      if (satisfied(group, v)) {
        continue;
      }
      for (Relation r : group) {
        Key k = newKey(r, v);
        if (k == null || guest.installed().containsKey(k) || marked.containsKey(k)) {
          continue;
        }
        DebEntry c = universe.candidate(guest, k, (DebGuest.Installed) null);
        if (c == null || !r.versionSatisfiedBy(c.version())) {
          continue;
        }
        marked.put(k, c);
        pulledBy.put(k, rootOf(root));
        installNew(root, c, depth + 1);
        break;
      }
    }
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

  /**
   * Finds the first broken package (in name order) and keeps back the upgrade responsible.
   *
   * @return whether one was kept back
   */
  private boolean keepOne() {
    Map<Key, DebEntry> f = finalState();
    Map<String, List<DebEntry>> byName = new HashMap<>();
    Map<String, List<DebEntry>> provides = new HashMap<>();
    for (DebEntry e : f.values()) {
      byName.computeIfAbsent(e.name(), x -> new ArrayList<>()).add(e);
      for (Relation p : e.provided()) {
        provides.computeIfAbsent(p.name(), x -> new ArrayList<>()).add(e);
      }
    }
    TreeSet<Key> order = new TreeSet<>(f.keySet());
    // first the changed packages themselves, then the unchanged ones they break
    for (Key k : order) {
      DebEntry v = marked.get(k);
      if (v == null) {
        continue;
      }
      String why = broken(v, byName, provides, null);
      if (why != null) {
        keep(k, why);
        return true;
      }
    }
    for (Key k : order) {
      if (marked.containsKey(k)) {
        continue;
      }
      DebEntry v = f.get(k);
      Set<Key> culprits = new TreeSet<>();
      String why = broken(v, byName, provides, culprits);
      if (why != null && !culprits.isEmpty()) {
        Key c = culprits.iterator().next();
        keep(c, "kept back: it would break " + v.name() + " " + v.version() + " (" + why + ")");
        return true;
      }
    }
    return false;
  }

  private void keep(Key k, String why) {
    DebEntry gone = marked.remove(k);
    if (gone == null) {
      return;
    }
    if (guest.installed().containsKey(k)) {
      keptBack.put(k, why);
    }
    // new packages only this upgrade needed go too
    for (Map.Entry<Key, Key> e : new ArrayList<>(pulledBy.entrySet())) {
      if (e.getValue().equals(k)) {
        marked.remove(e.getKey());
        pulledBy.remove(e.getKey());
      }
    }
    if (!guest.installed().containsKey(k)) {
      Key root = pulledBy.remove(k);
      if (root != null && marked.containsKey(root)) {
        keep(root, "kept back: needs new package " + k.name() + ", which cannot be installed ("
            + why + ")");
      }
    }
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
    if (v.multiArch().equals("same")) {
      // dpkg keeps every architecture of a Multi-Arch: same package at one version
      for (DebEntry t : byName.getOrDefault(v.name(), List.of())) {
        if (t.multiArch().equals("same") && !guest.archKey(t.arch()).equals(
            guest.archKey(v.arch())) && !t.version().equals(v.version())) {
          if (culprits != null) {
            Key tk = guest.key(t);
            if (!marked.containsKey(tk)) {
              continue;
            }
            culprits.add(tk);
          }
          return "Multi-Arch: same " + v.name() + " " + t.arch() + " would stay at "
              + t.version();
        }
      }
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

  private boolean satisfied(List<Relation> group, DebEntry from) {
    Map<Key, DebEntry> f = finalState();
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
