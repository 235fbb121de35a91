package dev.vdisk.compliance.internal;

import dev.vdisk.baseline.Baseline;
import dev.vdisk.baseline.DynamicRule;
import dev.vdisk.baseline.Glob;
import dev.vdisk.baseline.StaticRule;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.internal.DebGuest.Installed;
import dev.vdisk.compliance.internal.DebGuest.Key;
import dev.vdisk.deb.DebVersion;
import dev.vdisk.deb.Relation;
import dev.vdisk.inspect.GuestRoot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** Baselines on dpkg guests: apt's upgrade for dynamic rules, dpkg's versions for static ones. */
public final class DebEvaluator implements KindEvaluator {
  private final Instant now;

  /**
   * An evaluator.
   *
   * @param now the time {@code approveAfterDays} counts from
   */
  public DebEvaluator(Instant now) {
    this.now = now;
  }

  @Override
  public boolean handles(GuestRoot root) {
    return root.os() != null && "deb".equals(root.os().packageFormat())
        || root.packages().stream().anyMatch(p -> p.format().equals("deb"));
  }

  @Override
  public List<Finding> evaluate(Baseline baseline, List<SuiteIndex> sources, Target target) {
    return plan(baseline, sources, target).findings();
  }

  /**
   * Findings of one baseline, with the packages that make each MISSING finding INSTALLED.
   *
   * @param findings the findings
   * @param packages finding (as {@link #id}) to the entries to install for it
   * @param problems finding id to why it cannot be resolved
   */
  public record Plan(List<Finding> findings, Map<String, List<DebEntry>> packages,
      Map<String, String> problems) {}

  /**
   * The identity of a finding for {@link Plan#packages()}.
   *
   * @param f the finding
   * @return {@code baseline/rule/name/arch}
   */
  public static String id(Finding f) {
    return f.baseline() + "/" + f.rule() + "/" + f.name() + "/" + f.arch();
  }

  /**
   * Evaluates one baseline and plans its resolution.
   *
   * @param b the baseline
   * @param sources its loaded sources
   * @param target the guest
   * @return the plan
   */
  public Plan plan(Baseline b, List<SuiteIndex> sources, Target target) {
    DebGuest guest = DebGuest.of(target.root(), target.dpkgStatus(), target.dpkgArch());
    List<Finding> out = new ArrayList<>();
    Map<String, List<DebEntry>> packages = new LinkedHashMap<>();
    Map<String, String> problems = new LinkedHashMap<>();
    Universe full = new Universe(sources, e -> true);
    borrowRelations(guest, full);
    DynamicRule d = b.dynamic();
    if (d != null) {
      dynamic(b, d, guest, full, out, packages);
    }
    for (StaticRule r : b.statics()) {
      if (r.packageName() != null) {
        staticRule(b, r, guest, full, out, packages, problems);
      }
    }
    out.addAll(StaticRules.updates(b, target.root(), "deb"));
    for (Finding f : out) {
      if (f.state() == RequirementState.MISSING && f.rule().equals("update")) {
        problems.put(id(f), "Windows updates are not resolved for dpkg guests");
      }
    }
    return new Plan(out, packages, problems);
  }

  private void dynamic(Baseline b, DynamicRule d, DebGuest guest, Universe full,
      List<Finding> out, Map<String, List<DebEntry>> packages) {
    Universe filtered = new Universe(full.suites(), filter(d));
    AptUpgrade sim = AptUpgrade.run(guest, filtered, d.allowNew());
    TreeMap<Key, Installed> sorted = new TreeMap<>(guest.installed());
    for (Map.Entry<Key, Installed> e : sorted.entrySet()) {
      Key k = e.getKey();
      Installed in = e.getValue();
      if (!full.carries(guest, k)) {
        continue;
      }
      String name = k.name();
      String arch = in.entry().arch();
      String iv = in.entry().version().toString();
      DebEntry c = sim.candidate(k);
      DebEntry any = full.candidate(guest, k, in);
      DebEntry shown = c != null ? c : any;
      String cv = shown == null ? null : shown.version().toString();
      String src = shown == null ? null : shown.suite().describe();
      RequirementState s;
      String why = null;
      String required = c == null ? null : c.version().toString();
      if (b.excludes(name)) {
        s = RequirementState.NOT_APPLICABLE;
        why = "excluded";
      } else if (rejectedName(d, name)) {
        s = RequirementState.NOT_APPLICABLE;
        why = "rejected";
      } else if (in.failed()) {
        s = RequirementState.FAILED;
        why = "dpkg records it as " + in.status();
      } else if (c == null) {
        required = iv;
        if (in.pending()) {
          s = RequirementState.INSTALLED_PENDING_REBOOT;
          why = in.replaced() == null ? "configured at first boot"
              : "staged to replace " + in.replaced() + " at first boot";
        } else if (any != null) {
          s = RequirementState.NOT_APPLICABLE;
          why = "newer " + any.version() + " in " + any.suite().describe()
              + " is not selected by the baseline's filters";
        } else if (full.carriesVersion(guest, k, in.entry().version())) {
          s = RequirementState.INSTALLED;
        } else {
          s = RequirementState.INSTALLED_OTHER;
          why = "installed version is not in the baseline's sources";
        }
      } else if (sim.marked().containsKey(k)) {
        s = RequirementState.MISSING;
        Finding f = new Finding(b.name(), "deb", "upgrade", name, arch, iv, required, cv, src, s,
            null);
        out.add(f);
        packages.put(id(f), List.of(c));
        continue;
      } else if (in.hold()) {
        s = RequirementState.NOT_APPLICABLE;
        why = "held";
      } else {
        s = RequirementState.NOT_APPLICABLE;
        String kept = sim.keptBack(k);
        why = kept == null ? "kept back" : kept.startsWith("kept back") ? kept
            : "kept back: " + kept;
        if (why.contains("needs new package") && !d.allowNew()) {
          why += "; allowNew: true installs it";
        }
      }
      out.add(new Finding(b.name(), "deb", "upgrade", name, arch, iv, required, cv, src, s, why));
    }
    for (Map.Entry<Key, DebEntry> e : sim.marked().entrySet()) {
      if (guest.installed().containsKey(e.getKey())) {
        continue;
      }
      DebEntry c = e.getValue();
      Key by = sim.pulledBy(e.getKey());
      RequirementState s = b.excludes(c.name()) ? RequirementState.NOT_APPLICABLE
          : RequirementState.MISSING;
      Finding f = new Finding(b.name(), "deb", "new", c.name(), c.arch(), null,
          c.version().toString(), c.version().toString(), c.suite().describe(), s,
          s == RequirementState.NOT_APPLICABLE ? "excluded"
              : by == null ? "needed by an upgrade" : "needed by the upgrade of " + by.name());
      out.add(f);
      if (s == RequirementState.MISSING) {
        packages.put(id(f), List.of(c));
      }
    }
  }

  private void staticRule(Baseline b, StaticRule r, DebGuest guest, Universe full,
      List<Finding> out, Map<String, List<DebEntry>> packages, Map<String, String> problems) {
    String name = r.packageName();
    List<Map.Entry<Key, Installed>> found = new TreeMap<>(guest.installed()).entrySet().stream()
        .filter(e -> e.getKey().name().equals(name)).toList();
    String rule = r.kind();
    if (b.excludes(name)) {
      out.add(new Finding(b.name(), "deb", rule, name, "", found.isEmpty() ? null
          : found.get(0).getValue().entry().version().toString(), r.minVersion(), null, null,
          RequirementState.NOT_APPLICABLE, "excluded"));
      return;
    }
    if (r.absent()) {
      if (found.isEmpty()) {
        out.add(new Finding(b.name(), "deb", rule, name, "", null, null, null, null,
            RequirementState.INSTALLED, "not installed"));
      }
      for (Map.Entry<Key, Installed> e : found) {
        Finding f = new Finding(b.name(), "deb", rule, name, e.getValue().entry().arch(),
            e.getValue().entry().version().toString(), null, null, null,
            RequirementState.MISSING, "installed; the baseline requires it absent");
        out.add(f);
        problems.put(id(f), name + " must be removed; removal is not done offline");
      }
      return;
    }
    DebVersion min = DebVersion.parse(r.minVersion());
    if (found.isEmpty()) {
      out.add(new Finding(b.name(), "deb", rule, name, "", null, r.minVersion(), null, null,
          RequirementState.NOT_APPLICABLE, "not installed"));
      return;
    }
    for (Map.Entry<Key, Installed> e : found) {
      Installed in = e.getValue();
      DebVersion v = in.entry().version();
      String arch = in.entry().arch();
      DebEntry cand = full.candidate(guest, e.getKey(), in);
      String cv = cand == null ? null : cand.version().toString();
      String src = cand == null ? null : cand.suite().describe();
      RequirementState s;
      String why = null;
      if (in.failed()) {
        s = RequirementState.FAILED;
        why = "dpkg records it as " + in.status();
      } else if (v.compareTo(min) >= 0) {
        if (in.pending()) {
          s = RequirementState.INSTALLED_PENDING_REBOOT;
          why = "configured at first boot";
        } else if (full.suites().isEmpty() || full.carriesVersion(guest, e.getKey(), v)) {
          s = RequirementState.INSTALLED;
        } else {
          s = RequirementState.INSTALLED_OTHER;
          why = "installed version is not in the baseline's sources";
        }
      } else {
        s = RequirementState.MISSING;
        if (cand == null || cand.version().compareTo(min) < 0) {
          why = "no source carries " + name + " >= " + min;
        }
      }
      Finding f = new Finding(b.name(), "deb", rule, name, arch, v.toString(), r.minVersion(),
          cv, src, s, why);
      out.add(f);
      if (s == RequirementState.MISSING) {
        if (cand == null || cand.version().compareTo(min) < 0) {
          problems.put(id(f), why);
        } else {
          closure(b, guest, full, cand, f, packages, problems);
        }
      }
    }
  }

  /** A candidate plus what it needs: upgrades of installed packages, or new packages. */
  private void closure(Baseline b, DebGuest guest, Universe full, DebEntry cand, Finding f,
      Map<String, List<DebEntry>> packages, Map<String, String> problems) {
    boolean allowNew = b.dynamic() != null && b.dynamic().allowNew();
    Map<Key, DebEntry> chosen = new LinkedHashMap<>();
    chosen.put(guest.key(cand), cand);
    List<DebEntry> queue = new ArrayList<>(List.of(cand));
    for (int i = 0; i < queue.size() && i < 10_000; i++) {
      DebEntry v = queue.get(i);
      for (List<Relation> group : v.dependencies()) {
        if (satisfiedBy(group, guest, chosen)) {
          continue;
        }
        DebEntry pick = null;
        for (Relation r : group) {
          Key k = new Key(r.name(), r.archQualifier() == null || r.archQualifier().equals("any")
              ? guest.archKey(v.arch()) : guest.archKey(r.archQualifier()));
          Installed in = guest.installed().get(k);
          DebEntry c = full.candidate(guest, k, in);
          if (c != null && r.versionSatisfiedBy(c.version()) && (in != null || allowNew)) {
            pick = c;
            break;
          }
        }
        if (pick == null) {
          problems.put(id(f), cand.name() + " " + cand.version() + " needs "
              + Relation.formatField(List.of(group)) + ", which "
              + (allowNew ? "no source satisfies" : "needs a new package (allowNew: false)"));
          return;
        }
        chosen.put(guest.key(pick), pick);
        queue.add(pick);
      }
    }
    packages.put(id(f), List.copyOf(chosen.values()));
  }

  private static boolean satisfiedBy(List<Relation> group, DebGuest guest,
      Map<Key, DebEntry> chosen) {
    for (Relation r : group) {
      for (DebEntry e : chosen.values()) {
        if (e.name().equals(r.name()) && r.versionSatisfiedBy(e.version())) {
          return true;
        }
      }
      for (Map.Entry<Key, Installed> e : guest.installed().entrySet()) {
        DebEntry v = chosen.getOrDefault(e.getKey(), e.getValue().entry());
        if (v.name().equals(r.name()) && r.versionSatisfiedBy(v.version())) {
          return true;
        }
        for (Relation p : v.provided()) {
          if (p.name().equals(r.name()) && (r.op() == null || (p.op() != null
              && r.versionSatisfiedBy(DebVersion.parse(p.version()))))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Installed packages whose status paragraph was not read take their relationship fields from
   * a source's record of the same version and architecture.
   */
  private static void borrowRelations(DebGuest guest, Universe full) {
    for (Map.Entry<Key, Installed> e : guest.installed().entrySet()) {
      Installed in = e.getValue();
      if (in.relationsKnown()) {
        continue;
      }
      for (DebEntry s : full.versions(guest, e.getKey())) {
        if (s.version().equals(in.entry().version()) && s.arch().equals(in.entry().arch())) {
          e.setValue(in.with(s));
          break;
        }
      }
    }
  }

  private static boolean rejectedName(DynamicRule d, String name) {
    for (String s : d.rejected()) {
      if (s.indexOf('=') < 0 && Glob.matches(s, name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean selected(List<String> selectors, DebEntry e) {
    for (String s : selectors) {
      int eq = s.indexOf('=');
      if (eq < 0) {
        if (Glob.matches(s, e.name())) {
          return true;
        }
      } else if (Glob.matches(s.substring(0, eq), e.name())
          && DebVersion.parse(s.substring(eq + 1)).equals(e.version())) {
        return true;
      }
    }
    return false;
  }

  /** The dynamic rule's filters as a predicate on source versions. */
  Predicate<DebEntry> filter(DynamicRule d) {
    Instant cutoff = d.approveAfterDays() == 0 ? null
        : now.minus(Duration.ofDays(d.approveAfterDays()));
    return e -> {
      if (selected(d.rejected(), e)) {
        return false;
      }
      if (selected(d.approved(), e)) {
        return true;
      }
      SuiteIndex s = e.suite();
      if (!Glob.anyMatch(d.suites(), s.suite()) && !Glob.anyMatch(d.suites(), s.codename())) {
        return false;
      }
      if (cutoff != null && (s.date() == null || s.date().isAfter(cutoff))) {
        return false;
      }
      return Glob.anyMatch(d.priorities(), e.priority())
          && Glob.anyMatch(d.sections(), e.section())
          && Glob.anyMatch(d.packages(), e.name());
    };
  }
}
