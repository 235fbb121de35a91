package dev.vdisk.deb;

import dev.vdisk.deb.internal.DebPackage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dependency check for an offline "unpack now, configure at first boot" of a set of .deb
 * packages into a dpkg-based guest, with dpkg's semantics.
 *
 * <p><b>Present packages.</b> A guest package counts as present when its {@code Status} state is
 * {@code installed}, {@code unpacked}, {@code half-configured}, {@code triggers-awaited} or
 * {@code triggers-pending}; {@code not-installed}, {@code config-files} and {@code
 * half-installed} do not count. It counts as configured (able to satisfy a {@code Pre-Depends})
 * when its state is {@code installed} or {@code triggers-pending}. A candidate replaces the guest
 * package of the same name (only the same architecture's instance when both are {@code
 * Multi-Arch: same}); the view after the change is the guest's present packages minus the
 * replaced ones plus the set.
 *
 * <p><b>Relations.</b> A relation is satisfied by a package of that name, or by one that {@code
 * Provides} it (a versioned relation only by a versioned {@code Provides: name (= v)}), with
 * dpkg's architecture rule: a {@code Multi-Arch: foreign} target satisfies an unqualified
 * relation from any architecture; a {@code :any} qualifier accepts any architecture of a {@code
 * Multi-Arch: allowed} target only (not of a {@code foreign} one); otherwise the
 * architectures must be equal, where an unqualified relation takes the depending package's
 * architecture, {@code :native} the native one, and {@code all} counts as native. {@code
 * Conflicts}, {@code Breaks} and {@code Replaces} without a qualifier apply to every
 * architecture. A package never conflicts with or breaks itself. An architecture list {@code
 * [...]} keeps a relation only for the depending package's architecture ({@code any}, {@code
 * linux-any}, {@code any-ARCH} and {@code linux-ARCH} are understood).
 *
 * <p><b>Problems.</b> A candidate's {@code Depends}/{@code Pre-Depends} unsatisfied by the view;
 * a guest package that is not configured whose dependencies stay unsatisfied or that another
 * present package {@code Breaks} (first boot's {@code dpkg --configure -a} would fail); a configured guest package whose dependency was
 * satisfied before and is not after (dpkg itself does not check this on upgrade, apt does);
 * {@code Conflicts}/{@code Breaks} between two packages of the view when one is a candidate (in
 * either direction, including against {@code Provides}); {@code Multi-Arch: same} instances of
 * different versions; a candidate of an architecture the guest does not have; a name given twice;
 * an ordering cycle. {@code Replaces} is only logged (vdisk never removes a package to resolve a
 * conflict, as dpkg may).
 *
 * <p><b>Order and staging.</b> dpkg unpacks a package only when its pre-dependencies are
 * configured. A candidate whose {@code Pre-Depends} are not all satisfied by configured guest
 * packages that the set leaves in place (or by itself: dpkg accepts a package's own name and
 * {@code Provides} for its {@code Pre-Depends}, but not those of the version it replaces) must
 * be staged: copied into the guest and installed
 * at first boot; until then the guest version it replaces stays as it is. The expected first-boot procedure is {@code dpkg --configure -a}, then for each
 * staged package in {@code order}: {@code dpkg --unpack} it and {@code dpkg --configure -a};
 * {@link #plan} simulates it and reports a problem when it would not end with everything
 * configured. The simulation counts, as dpkg does for a {@code Pre-Depends}, an unconfigured
 * package whose version and {@code Config-Version} (the version last configured, which an
 * offline unpack over a configured version must record) both satisfy the relation.
 */
public final class Dependencies {
  private static final Logger LOG = LoggerFactory.getLogger(Dependencies.class);

  private static final Set<String> PRESENT = Set.of("installed", "unpacked", "half-configured",
      "triggers-awaited", "triggers-pending");
  private static final Set<String> CONFIGURED = Set.of("installed", "triggers-pending");

  /** Relationship field kinds, for the architecture rule and messages. */
  private enum Kind {
    PRE_DEPENDS("pre-depends on"),
    DEPENDS("depends on"),
    CONFLICTS("conflicts with"),
    BREAKS("breaks");

    final String verb;

    Kind(String verb) {
      this.verb = verb;
    }

    boolean negative() {
      return this == CONFLICTS || this == BREAKS;
    }
  }

  private Dependencies() {}

  /**
   * The result of {@link #plan}.
   *
   * @param order the candidates in unpacking order: every {@code Pre-Depends} target of the set
   *     before its dependant, and an upgrade that removes a conflict or break before the package
   *     that would hit it; otherwise in the given order
   * @param mustStage candidates (by package name) to stage and install at first boot instead of
   *     unpacking now, each with the reason
   * @param problems why the set cannot be applied, one readable sentence each; empty when it can
   */
  public record Plan(List<ControlParagraph> order, Map<String, String> mustStage,
      List<String> problems) {
    /**
     * Copies the parts.
     *
     * @param order the order
     * @param mustStage the staged packages
     * @param problems the problems
     */
    public Plan {
      order = List.copyOf(order);
      mustStage = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mustStage));
      problems = List.copyOf(problems);
    }

    /**
     * Whether the set can be applied.
     *
     * @return {@code true} when there is no problem
     */
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Checks a set of packages against a guest and orders it.
   *
   * @param status every paragraph of the guest's {@code /var/lib/dpkg/status}
   * @param candidates control paragraphs of the packages to unpack
   * @param nativeArch from {@code dpkg --print-architecture} (the guest's {@code
   *     /var/lib/dpkg/arch} first line, else the ELF architecture)
   * @param foreignArchs the rest of {@code /var/lib/dpkg/arch}
   * @return the plan
   */
  public static Plan plan(List<ControlParagraph> status, List<ControlParagraph> candidates,
      String nativeArch, Set<String> foreignArchs) {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(candidates, "candidates");
    Objects.requireNonNull(nativeArch, "nativeArch");
    return new Checker(nativeArch.strip().toLowerCase(Locale.ROOT),
        foreignArchs == null ? Set.of() : foreignArchs).run(status, candidates);
  }

  /** One run of the check. */
  private static final class Checker {
    private final String nativeArch;
    private final Set<String> foreignArchs;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, String> mustStage = new LinkedHashMap<>();
    private final Map<List<DebPackage>, Map<String, List<DebPackage>>> indexes =
        new IdentityHashMap<>();

    Checker(String nativeArch, Set<String> foreignArchs) {
      this.nativeArch = nativeArch;
      Set<String> f = new HashSet<>();
      for (String a : foreignArchs) {
        f.add(a.strip().toLowerCase(Locale.ROOT));
      }
      this.foreignArchs = f;
    }

    Plan run(List<ControlParagraph> status, List<ControlParagraph> candidateParagraphs) {
      List<DebPackage> guest = new ArrayList<>();
      for (ControlParagraph p : status) {
        String st = p.get("Status");
        if (st == null) {
          continue;
        }
        String[] words = st.strip().split("\\s+");
        String state = words[words.length - 1].toLowerCase(Locale.ROOT);
        if (!PRESENT.contains(state)) {
          continue;
        }
        try {
          guest.add(DebPackage.of(p, state, -1));
        } catch (IllegalArgumentException e) {
          problems.add("the guest's dpkg status is unreadable: " + e.getMessage());
        }
      }
      List<DebPackage> set = new ArrayList<>();
      for (int i = 0; i < candidateParagraphs.size(); i++) {
        try {
          set.add(DebPackage.of(candidateParagraphs.get(i), null, i));
        } catch (IllegalArgumentException e) {
          problems.add("package " + (i + 1) + " of the set is unreadable: " + e.getMessage());
        }
      }
      if (!problems.isEmpty()) {
        return new Plan(candidateParagraphs, Map.of(), problems);
      }
      checkArchitectures(set);
      checkDuplicates(set);

      // the view after the change
      List<DebPackage> view = new ArrayList<>();
      Map<DebPackage, DebPackage> replacedBy = new IdentityHashMap<>();
      for (DebPackage g : guest) {
        DebPackage by = null;
        for (DebPackage c : set) {
          if (replaces(c, g)) {
            by = c;
            break;
          }
        }
        if (by == null) {
          view.add(g);
        } else {
          replacedBy.put(g, by);
        }
      }
      view.addAll(set);

      checkDepends(guest, set, view, replacedBy);
      checkNegative(view);
      checkMultiArchSame(view);
      noteReplaces(set);

      List<DebPackage> order = order(set, replacedBy);
      stageAndSimulate(order, guest, replacedBy);
      List<ControlParagraph> ordered = new ArrayList<>();
      for (DebPackage c : order) {
        ordered.add(c.paragraph());
      }
      return new Plan(ordered, mustStage, problems);
    }

    private void checkArchitectures(List<DebPackage> set) {
      for (DebPackage c : set) {
        if (!c.arch().equals("all") && !c.arch().equals(nativeArch)
            && !foreignArchs.contains(c.arch())) {
          problems.add(label(c) + " is for architecture " + c.arch()
              + ", which the guest does not have (native " + nativeArch
              + (foreignArchs.isEmpty() ? "" : ", foreign " + String.join(" ",
                  new TreeSet<>(foreignArchs))) + ")");
        }
      }
    }

    private void checkDuplicates(List<DebPackage> set) {
      for (int i = 0; i < set.size(); i++) {
        for (int j = i + 1; j < set.size(); j++) {
          if (replaces(set.get(j), set.get(i))) {
            problems.add("the set holds " + label(set.get(i)) + " and " + label(set.get(j))
                + "; give each package once");
          }
        }
      }
    }

    /** Whether candidate {@code c} takes the place of package {@code g}. */
    private boolean replaces(DebPackage c, DebPackage g) {
      if (!c.name().equals(g.name())) {
        return false;
      }
      if (c.multiArch().equals("same") && g.multiArch().equals("same")) {
        return c.arch().equals(g.arch());
      }
      return true;
    }

    // ---- satisfaction ----

    private String norm(String arch) {
      return arch.equals("all") ? nativeArch : arch;
    }

    /** dpkg's architecture rule for a target instance against a relation from {@code from}. */
    private boolean archSatisfied(DebPackage target, Relation r, DebPackage from, Kind kind) {
      String q = r.archQualifier();
      if (q == null && target.multiArch().equals("foreign")) {
        return true; // only an unqualified relation: "foo:any" needs Multi-Arch: allowed
      }
      String depArch;
      if (q == null) {
        if (kind.negative()) {
          return true;
        }
        depArch = from.arch();
      } else {
        q = q.toLowerCase(Locale.ROOT);
        if (q.equals("any")) {
          if (target.multiArch().equals("allowed") || kind.negative()) {
            return true;
          }
          return false;
        }
        depArch = q.equals("native") ? nativeArch : q;
      }
      return norm(depArch).equals(norm(target.arch()));
    }

    /** Whether the relation's architecture list keeps it for {@code from}. */
    private boolean applies(Relation r, DebPackage from) {
      if (r.architectures().isEmpty()) {
        return true;
      }
      String arch = norm(from.arch());
      boolean negated = r.architectures().get(0).startsWith("!");
      for (String token : r.architectures()) {
        String t = token.startsWith("!") ? token.substring(1) : token;
        boolean match = t.equals(arch) || t.equals("any") || t.equals("linux-any")
            || t.equals("any-" + arch) || t.equals("linux-" + arch);
        if (match) {
          return !negated;
        }
      }
      return negated;
    }

    /**
     * The packages of a pool that are named {@code name} or provide it: the whole pool when it is
     * small, else from an index built once per pool (pools are not changed after first use).
     */
    private List<DebPackage> candidatesFor(String name, List<DebPackage> pool) {
      if (pool.size() < 16) {
        return pool;
      }
      Map<String, List<DebPackage>> index = indexes.computeIfAbsent(pool, Checker::index);
      return index.getOrDefault(name, List.of());
    }

    private static Map<String, List<DebPackage>> index(List<DebPackage> pool) {
      Map<String, List<DebPackage>> index = new HashMap<>();
      for (DebPackage t : pool) {
        Set<String> names = new LinkedHashSet<>();
        names.add(t.name());
        for (List<Relation> g : t.provides()) {
          for (Relation pr : g) {
            names.add(pr.name().toLowerCase(Locale.ROOT));
          }
        }
        for (String n : names) {
          index.computeIfAbsent(n, k -> new ArrayList<>()).add(t);
        }
      }
      return index;
    }

    /** Packages of {@code pool} that satisfy one relation (by name or Provides). */
    private List<DebPackage> satisfiers(Relation r, DebPackage from, Kind kind,
        List<DebPackage> pool) {
      String name = r.name().toLowerCase(Locale.ROOT);
      List<DebPackage> out = new ArrayList<>();
      for (DebPackage t : candidatesFor(name, pool)) {
        if (kind.negative() && t == from) {
          continue;
        }
        if (t.name().equals(name)) {
          if (r.versionSatisfiedBy(t.version()) && archSatisfied(t, r, from, kind)) {
            out.add(t);
            continue;
          }
        }
        for (List<Relation> g : t.provides()) {
          boolean hit = false;
          for (Relation pr : g) {
            if (!pr.name().toLowerCase(Locale.ROOT).equals(name)) {
              continue;
            }
            boolean versionOk = r.op() == null
                || (pr.op() != null && pr.op().equals("=")
                    && r.versionSatisfiedBy(pr.parsedVersion()));
            if (versionOk && archSatisfied(t, r, from, kind)) {
              hit = true;
              break;
            }
          }
          if (hit) {
            out.add(t);
            break;
          }
        }
      }
      return out;
    }

    private boolean groupSatisfied(List<Relation> group, DebPackage from, Kind kind,
        List<DebPackage> pool) {
      boolean any = false;
      for (Relation r : group) {
        if (!applies(r, from)) {
          continue;
        }
        any = true;
        if (!satisfiers(r, from, kind, pool).isEmpty()) {
          return true;
        }
      }
      return !any;
    }

    private boolean allSatisfied(DebPackage p, List<DebPackage> pool) {
      for (List<Relation> g : p.preDepends()) {
        if (!groupSatisfied(g, p, Kind.PRE_DEPENDS, pool)) {
          return false;
        }
      }
      for (List<Relation> g : p.depends()) {
        if (!groupSatisfied(g, p, Kind.DEPENDS, pool)) {
          return false;
        }
      }
      return true;
    }

    // ---- checks ----

    private void checkDepends(List<DebPackage> guest, List<DebPackage> set,
        List<DebPackage> view, Map<DebPackage, DebPackage> replacedBy) {
      for (DebPackage c : set) {
        for (Kind kind : new Kind[] {Kind.PRE_DEPENDS, Kind.DEPENDS}) {
          for (List<Relation> g : fieldOf(c, kind)) {
            if (!groupSatisfied(g, c, kind, view)) {
              problems.add(label(c) + " " + kind.verb + " " + Relation.formatField(List.of(g))
                  + " but " + describeAvailable(g, guest, set, replacedBy));
            }
          }
        }
      }
      for (DebPackage p : view) {
        if (p.candidate()) {
          continue;
        }
        boolean configured = CONFIGURED.contains(p.state());
        for (Kind kind : new Kind[] {Kind.PRE_DEPENDS, Kind.DEPENDS}) {
          for (List<Relation> g : fieldOf(p, kind)) {
            if (groupSatisfied(g, p, kind, view)) {
              continue;
            }
            if (!configured) {
              problems.add("the guest's " + label(p) + " is " + p.state()
                  + " (not configured) and " + kind.verb + " " + Relation.formatField(List.of(g))
                  + " but " + describeAvailable(g, guest, set, replacedBy)
                  + ", so configuring it at first boot would fail");
            } else if (groupSatisfied(g, p, kind, guest)) {
              problems.add("the set breaks the guest's " + label(p) + ": it " + kind.verb + " "
                  + Relation.formatField(List.of(g)) + " but "
                  + describeAvailable(g, guest, set, replacedBy));
            }
          }
        }
      }
    }

    private List<List<Relation>> fieldOf(DebPackage p, Kind kind) {
      return switch (kind) {
        case PRE_DEPENDS -> p.preDepends();
        case DEPENDS -> p.depends();
        case CONFLICTS -> p.conflicts();
        case BREAKS -> p.breaks();
      };
    }

    /** "the guest has libbar 2.1 and the set has none" for the names of a group. */
    private String describeAvailable(List<Relation> group, List<DebPackage> guest,
        List<DebPackage> set, Map<DebPackage, DebPackage> replacedBy) {
      Set<String> names = new LinkedHashSet<>();
      for (Relation r : group) {
        names.add(r.name().toLowerCase(Locale.ROOT));
      }
      List<String> inGuest = new ArrayList<>();
      for (DebPackage g : guest) {
        String what = offers(g, names);
        if (what != null) {
          DebPackage by = replacedBy.get(g);
          inGuest.add(what + (by == null ? "" : " (replaced by " + by.version() + ")")
              + (CONFIGURED.contains(g.state()) ? "" : " (" + g.state() + ")"));
        }
      }
      List<String> inSet = new ArrayList<>();
      for (DebPackage c : set) {
        String what = offers(c, names);
        if (what != null) {
          inSet.add(what);
        }
      }
      return "the guest has " + (inGuest.isEmpty() ? "none" : String.join(", ", inGuest))
          + " and the set has " + (inSet.isEmpty() ? "none" : String.join(", ", inSet));
    }

    private String offers(DebPackage p, Set<String> names) {
      String l = label(p);
      String ma = p.multiArch().equals("no") ? "" : " (Multi-Arch: " + p.multiArch() + ")";
      if (names.contains(p.name())) {
        return l + ma;
      }
      for (List<Relation> g : p.provides()) {
        for (Relation pr : g) {
          if (names.contains(pr.name().toLowerCase(Locale.ROOT))) {
            return l + " providing " + pr.format() + ma;
          }
        }
      }
      return null;
    }

    private void checkNegative(List<DebPackage> view) {
      for (DebPackage p : view) {
        for (Kind kind : new Kind[] {Kind.CONFLICTS, Kind.BREAKS}) {
          for (List<Relation> g : fieldOf(p, kind)) {
            for (Relation r : g) {
              if (!applies(r, p)) {
                continue;
              }
              for (DebPackage t : satisfiers(r, p, kind, view)) {
                if (!p.candidate() && !t.candidate()) {
                  // both in the guest already: not this change's doing, unless it stops first
                  // boot from configuring the broken package
                  if (kind == Kind.BREAKS && !CONFIGURED.contains(t.state())) {
                    problems.add("the guest's " + label(t) + " is " + t.state()
                        + " (not configured) and the guest's " + label(p) + " breaks "
                        + r.format() + ", so configuring it at first boot would fail");
                  }
                  continue;
                }
                problems.add(label(p) + (p.candidate() ? "" : " (in the guest)") + " "
                    + kind.verb + " " + r.format() + " and " + label(t)
                    + (t.candidate() ? " is in the set" : " is in the guest")
                    + (t.name().equals(r.name().toLowerCase(Locale.ROOT)) ? ""
                        : " (it provides " + r.name() + ")"));
              }
            }
          }
        }
      }
    }

    private void checkMultiArchSame(List<DebPackage> view) {
      for (int i = 0; i < view.size(); i++) {
        DebPackage a = view.get(i);
        for (int j = i + 1; j < view.size(); j++) {
          DebPackage b = view.get(j);
          if (a.name().equals(b.name()) && (a.candidate() || b.candidate())
              && a.multiArch().equals("same") && b.multiArch().equals("same")
              && !a.version().equals(b.version())) {
            problems.add(label(a) + " and " + label(b) + " are Multi-Arch: same instances of "
                + "different versions; dpkg requires the same version for every architecture");
          }
        }
      }
    }

    private void noteReplaces(List<DebPackage> set) {
      for (DebPackage c : set) {
        for (List<Relation> g : c.replaces()) {
          for (Relation r : g) {
            LOG.debug("{} replaces {} (files it takes over are not an error)", label(c),
                r.format());
          }
        }
      }
    }

    // ---- order ----

    private List<DebPackage> order(List<DebPackage> set,
        Map<DebPackage, DebPackage> replacedBy) {
      int n = set.size();
      List<Set<Integer>> after = new ArrayList<>(); // edges i -> j: i before j
      for (int i = 0; i < n; i++) {
        after.add(new LinkedHashSet<>());
      }
      int[] indegree = new int[n];
      for (int j = 0; j < n; j++) {
        DebPackage x = set.get(j);
        // Pre-Depends targets in the set come first
        for (List<Relation> g : x.preDepends()) {
          for (Relation r : g) {
            if (!applies(r, x)) {
              continue;
            }
            for (DebPackage t : satisfiers(r, x, Kind.PRE_DEPENDS, set)) {
              addEdge(after, indegree, t.index(), j);
            }
          }
        }
        // an upgrade that ends a conflict or break with x goes before x
        List<DebPackage> oldOnes = new ArrayList<>(replacedBy.keySet());
        for (DebPackage old : oldOnes) {
          DebPackage by = replacedBy.get(old);
          if (by == x) {
            continue;
          }
          if (hits(x, old) || hits(old, x)) {
            addEdge(after, indegree, by.index(), j);
          }
        }
      }
      PriorityQueue<Integer> ready = new PriorityQueue<>();
      for (int i = 0; i < n; i++) {
        if (indegree[i] == 0) {
          ready.add(i);
        }
      }
      List<DebPackage> out = new ArrayList<>();
      boolean[] done = new boolean[n];
      while (!ready.isEmpty()) {
        int i = ready.poll();
        done[i] = true;
        out.add(set.get(i));
        for (int j : after.get(i)) {
          if (--indegree[j] == 0) {
            ready.add(j);
          }
        }
      }
      if (out.size() < n) {
        List<String> cyc = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (!done[i]) {
            cyc.add(label(set.get(i)));
            out.add(set.get(i));
          }
        }
        problems.add("no unpacking order exists: " + String.join(", ", cyc)
            + " pre-depend on each other or conflict with what the others replace (a cycle)");
      }
      return out;
    }

    private static void addEdge(List<Set<Integer>> after, int[] indegree, int from, int to) {
      if (from != to && after.get(from).add(to)) {
        indegree[to]++;
      }
    }

    /** Whether {@code p} conflicts with or breaks {@code t}. */
    private boolean hits(DebPackage p, DebPackage t) {
      for (Kind kind : new Kind[] {Kind.CONFLICTS, Kind.BREAKS}) {
        for (List<Relation> g : fieldOf(p, kind)) {
          for (Relation r : g) {
            if (applies(r, p) && !satisfiers(r, p, kind, List.of(t)).isEmpty()) {
              return true;
            }
          }
        }
      }
      return false;
    }

    // ---- staging and the first-boot simulation ----

    private void stageAndSimulate(List<DebPackage> order, List<DebPackage> guest,
        Map<DebPackage, DebPackage> replacedBy) {
      List<DebPackage> configuredKept = new ArrayList<>();
      for (DebPackage g : guest) {
        if (!replacedBy.containsKey(g) && CONFIGURED.contains(g.state())) {
          configuredKept.add(g);
        }
      }
      // staging: dpkg checks Pre-Depends against what is configured when it unpacks x, which
      // includes the old instance x itself replaces
      List<DebPackage> staged = new ArrayList<>();
      Set<DebPackage> stagedSet = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      for (DebPackage x : order) {
        // dpkg also lets a package satisfy its own Pre-Depends (by name or Provides); the old
        // version it replaces does not count
        List<DebPackage> pool = new ArrayList<>(configuredKept);
        pool.add(x);
        String reason = null;
        for (List<Relation> g : x.preDepends()) {
          if (!groupSatisfied(g, x, Kind.PRE_DEPENDS, pool)) {
            reason = "it pre-depends on " + Relation.formatField(List.of(g))
                + ", which no configured package of the guest that the set leaves in place "
                + "satisfies; dpkg needs pre-dependencies configured before unpacking";
            break;
          }
        }
        if (reason == null) {
          // an upgrade that ends a conflict or break with x happens only at first boot when it
          // is staged: until then the old version is there, so x must wait too
          for (DebPackage g : guest) {
            DebPackage by = replacedBy.get(g);
            if (by != null && by != x && stagedSet.contains(by)
                && (hits(x, g) || hits(g, x))) {
              reason = "it conflicts with or breaks " + label(g) + " (or is broken by it), which "
                  + "the set replaces only at first boot (" + by.name() + " is staged)";
              break;
            }
          }
        }
        if (reason != null) {
          mustStage.put(x.name(), reason);
          staged.add(x);
          stagedSet.add(x);
        }
      }
      if (!problems.isEmpty()) {
        return; // the simulation would only repeat what is already reported
      }
      // first boot: the unstaged candidates are unpacked (over what they replace); the guest
      // packages that staged candidates replace are still there, as they were
      // an unconfigured package keeps the version it was last configured at (dpkg's
      // Config-Version), which dpkg also accepts for a Pre-Depends
      Map<DebPackage, DebVersion> configVersion = new IdentityHashMap<>();
      List<DebPackage> configured = new ArrayList<>();
      List<DebPackage> unconfigured = new ArrayList<>();
      for (DebPackage g : guest) {
        DebPackage by = replacedBy.get(g);
        DebVersion cv = CONFIGURED.contains(g.state()) ? g.version()
            : DebVersion.tryParse(g.paragraph().get("Config-Version", ""));
        if (by != null && cv != null) {
          configVersion.put(by, cv);
        }
        if (by != null && !stagedSet.contains(by)) {
          continue;
        }
        if (CONFIGURED.contains(g.state())) {
          configured.add(g);
        } else {
          unconfigured.add(g);
          if (cv != null) {
            configVersion.put(g, cv);
          }
        }
      }
      for (DebPackage x : order) {
        if (!stagedSet.contains(x)) {
          unconfigured.add(x);
        }
      }
      configureAll(configured, unconfigured);
      // the staged packages go in the first order (from the unpack order) in which each one's
      // Pre-Depends are configured when its turn comes: at every step the first that can go
      List<DebPackage> waiting = new ArrayList<>(staged);
      List<DebPackage> stagedOrder = new ArrayList<>();
      while (!waiting.isEmpty()) {
        DebPackage x = null;
        String blocked = null;
        for (DebPackage w : waiting) {
          String why = preDependsBlocked(w, guest, replacedBy, configured, unconfigured,
              configVersion);
          if (why == null) {
            x = w;
            break;
          }
          if (blocked == null) {
            blocked = why;
          }
        }
        if (x == null) {
          problems.add(blocked);
          return;
        }
        waiting.remove(x);
        stagedOrder.add(x);
        List<DebPackage> old = replacedGuest(x, guest, replacedBy);
        configured.removeIf(p -> old.stream().anyMatch(o -> o == p));
        unconfigured.removeIf(p -> old.stream().anyMatch(o -> o == p));
        unconfigured.add(x);
        configureAll(configured, unconfigured);
      }
      // the unpack order lists the staged packages (numbered in it) in that order
      int next = 0;
      for (int i = 0; i < order.size(); i++) {
        if (stagedSet.contains(order.get(i))) {
          order.set(i, stagedOrder.get(next++));
        }
      }
      if (!unconfigured.isEmpty()) {
        List<String> left = new ArrayList<>();
        for (DebPackage p : unconfigured) {
          left.add(label(p));
        }
        problems.add("first boot could not configure " + String.join(", ", left)
            + " (their dependencies cannot all be configured in any order)");
      }
    }

    /** Why staged {@code x} cannot be unpacked now (a Pre-Depends not configured), or null. */
    private String preDependsBlocked(DebPackage x, List<DebPackage> guest,
        Map<DebPackage, DebPackage> replacedBy, List<DebPackage> configured,
        List<DebPackage> unconfigured, Map<DebPackage, DebVersion> configVersion) {
      List<DebPackage> old = replacedGuest(x, guest, replacedBy);
      List<DebPackage> configuredNow = new ArrayList<>(configured);
      configuredNow.removeIf(p -> old.stream().anyMatch(o -> o == p));
      configuredNow.add(x);
      List<DebPackage> unconfiguredNow = new ArrayList<>(unconfigured);
      unconfiguredNow.removeIf(p -> old.stream().anyMatch(o -> o == p));
      for (List<Relation> g : x.preDepends()) {
        if (!groupSatisfied(g, x, Kind.PRE_DEPENDS, configuredNow)
            && !satisfiedByConfigVersion(g, x, unconfiguredNow, configVersion)) {
          return label(x) + " pre-depends on " + Relation.formatField(List.of(g))
              + ", which cannot be configured before " + x.name()
              + " is unpacked at first boot";
        }
      }
      return null;
    }

    /**
     * dpkg accepts an unpacked or half-configured package for a Pre-Depends when both its version
     * and the version it was last configured at satisfy the relation.
     */
    private boolean satisfiedByConfigVersion(List<Relation> group, DebPackage x,
        List<DebPackage> unconfigured, Map<DebPackage, DebVersion> configVersion) {
      for (Relation r : group) {
        if (!applies(r, x)) {
          continue;
        }
        String name = r.name().toLowerCase(Locale.ROOT);
        for (DebPackage u : unconfigured) {
          DebVersion cv = configVersion.get(u);
          if (cv != null && u.name().equals(name) && archSatisfied(u, r, x, Kind.PRE_DEPENDS)
              && r.versionSatisfiedBy(u.version()) && r.versionSatisfiedBy(cv)) {
            return true;
          }
        }
      }
      return false;
    }

    /** The guest packages candidate {@code x} replaces. */
    private static List<DebPackage> replacedGuest(DebPackage x, List<DebPackage> guest,
        Map<DebPackage, DebPackage> replacedBy) {
      List<DebPackage> out = new ArrayList<>();
      for (DebPackage g : guest) {
        if (replacedBy.get(g) == x) {
          out.add(g);
        }
      }
      return out;
    }

    /** Whether a present package other than {@code p} breaks it (dpkg will not configure it). */
    private boolean broken(DebPackage p, List<DebPackage> present) {
      for (DebPackage q : present) {
        if (q != p && breaksOnly(q, p)) {
          return true;
        }
      }
      return false;
    }

    private boolean breaksOnly(DebPackage q, DebPackage p) {
      for (List<Relation> g : q.breaks()) {
        for (Relation r : g) {
          if (applies(r, q) && !satisfiers(r, q, Kind.BREAKS, List.of(p)).isEmpty()) {
            return true;
          }
        }
      }
      return false;
    }

    /**
     * {@code dpkg --configure -a}: every unpacked package whose dependencies can be met and that
     * no present package breaks.
     */
    private void configureAll(List<DebPackage> configured, List<DebPackage> unconfigured) {
      List<DebPackage> able = new ArrayList<>(unconfigured);
      boolean changed = true;
      while (changed) {
        changed = false;
        List<DebPackage> pool = new ArrayList<>(configured);
        pool.addAll(able);
        List<DebPackage> present = new ArrayList<>(configured);
        present.addAll(unconfigured);
        Predicate<DebPackage> unable = p -> !allSatisfied(p, pool) || broken(p, present);
        changed = able.removeIf(unable);
      }
      configured.addAll(able);
      Set<DebPackage> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
      done.addAll(able);
      unconfigured.removeIf(done::contains);
    }

    private String label(DebPackage p) {
      return p.label(nativeArch);
    }
  }
}
