package dev.vdisk.compliance.internal;

import dev.vdisk.baseline.Baseline;
import dev.vdisk.baseline.StaticRule;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code update:} rules, common to every kind: Windows updates. */
final class StaticRules {
  private StaticRules() {}

  /** Findings of a baseline's {@code update:} rules on a root. */
  static List<Finding> updates(Baseline b, GuestRoot root, String kind) {
    List<Finding> out = new ArrayList<>();
    boolean windows = root.os() != null && "windows".equals(root.os().family());
    for (StaticRule r : b.statics()) {
      if (r.update() == null) {
        continue;
      }
      if (!windows) {
        out.add(new Finding(b.name(), kind, "update", r.update(), "", null, null, null, null,
            RequirementState.NOT_APPLICABLE, "a Windows update; this guest is not Windows"));
        continue;
      }
      InstalledUpdate found = null;
      InstalledUpdate pending = null;
      for (InstalledUpdate u : root.updates()) {
        String kb = u.kb() != null ? u.kb().toUpperCase(Locale.ROOT) : "";
        if (!kb.equals(r.update())) {
          continue;
        }
        if (u.installed()) {
          found = u;
        } else if ("install-pending".equals(u.state()) || "staged".equals(u.state())) {
          pending = u;
        }
      }
      RequirementState s;
      String why = null;
      if (found != null) {
        s = RequirementState.INSTALLED;
      } else if (pending != null) {
        s = RequirementState.INSTALLED_PENDING_REBOOT;
        why = "CBS state " + pending.state();
      } else {
        s = RequirementState.MISSING;
        why = "not installed";
      }
      InstalledUpdate shown = found != null ? found : pending;
      out.add(new Finding(b.name(), kind, "update", r.update(), "", shown == null ? null
          : shown.state(), null, null, null, s, why));
    }
    return out;
  }
}
