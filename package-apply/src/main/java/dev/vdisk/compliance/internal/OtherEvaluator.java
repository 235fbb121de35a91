package dev.vdisk.compliance.internal;

import dev.vdisk.baseline.Baseline;
import dev.vdisk.baseline.StaticRule;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledPackage;
import java.util.ArrayList;
import java.util.List;

/**
 * Baselines on guests whose package kind has no source support yet ({@code rpm}, {@code apk},
 * {@code windows}): {@code absent} and {@code update} rules are judged, {@code minVersion} on an
 * installed package and dynamic rules are {@code NOT_APPLICABLE} with the reason.
 */
public final class OtherEvaluator implements KindEvaluator {
  @Override
  public boolean handles(GuestRoot root) {
    return true;
  }

  /**
   * The package kind of a root as findings name it.
   *
   * @param root the root
   * @return {@code rpm}, {@code apk}, {@code windows}, {@code deb}, or {@code unknown}
   */
  static String kind(GuestRoot root) {
    if (root.os() != null && "windows".equals(root.os().family())) {
      return "windows";
    }
    if (root.os() != null && root.os().packageFormat() != null) {
      return root.os().packageFormat();
    }
    return root.packages().isEmpty() ? "unknown" : root.packages().get(0).format();
  }

  @Override
  public List<Finding> evaluate(Baseline b, List<SuiteIndex> sources, Target target) {
    GuestRoot root = target.root();
    String kind = kind(root);
    List<Finding> out = new ArrayList<>();
    if (b.dynamic() != null) {
      out.add(new Finding(b.name(), kind, "upgrade", "*", "", null, null, null, null,
          RequirementState.NOT_APPLICABLE, "dynamic sources for " + kind
              + " are not supported yet"));
    }
    for (StaticRule r : b.statics()) {
      if (r.packageName() == null) {
        continue;
      }
      String name = r.packageName();
      List<InstalledPackage> found = root.packages().stream()
          .filter(p -> p.name().equals(name) && p.installed()).toList();
      if (b.excludes(name)) {
        out.add(new Finding(b.name(), kind, r.kind(), name, "", null, r.minVersion(), null, null,
            RequirementState.NOT_APPLICABLE, "excluded"));
      } else if (r.absent()) {
        if (found.isEmpty()) {
          out.add(new Finding(b.name(), kind, "absent", name, "", null, null, null, null,
              RequirementState.INSTALLED, "not installed"));
        }
        for (InstalledPackage p : found) {
          out.add(new Finding(b.name(), kind, "absent", name, p.arch(), p.version(), null, null,
              null, RequirementState.MISSING, "installed; the baseline requires it absent"));
        }
      } else if (found.isEmpty()) {
        out.add(new Finding(b.name(), kind, "minVersion", name, "", null, r.minVersion(), null,
            null, RequirementState.NOT_APPLICABLE, "not installed"));
      } else {
        for (InstalledPackage p : found) {
          out.add(new Finding(b.name(), kind, "minVersion", name, p.arch(), p.version(),
              r.minVersion(), null, null, RequirementState.NOT_APPLICABLE,
              "version comparison for " + kind + " is not supported yet"));
        }
      }
    }
    out.addAll(StaticRules.updates(b, root, kind));
    return out;
  }
}
