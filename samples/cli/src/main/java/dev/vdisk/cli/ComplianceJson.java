package dev.vdisk.cli;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.TargetReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON of {@code scan} and {@code remediate}: stable field names and order. */
final class ComplianceJson {
  private ComplianceJson() {}

  static Map<String, Object> summary(List<TargetReport> reports) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("targets", reports.size());
    m.put("compliant", count(reports, Compliance.COMPLIANT));
    m.put("nonCompliant", count(reports, Compliance.NON_COMPLIANT));
    m.put("unknown", count(reports, Compliance.UNKNOWN));
    return m;
  }

  static long count(List<TargetReport> reports, Compliance c) {
    return reports.stream().filter(r -> r != null && r.compliance() == c).count();
  }

  static Map<String, Object> target(TargetReport r) {
    if (r == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", r.target());
    m.put("compliance", r.compliance().name());
    m.put("reason", r.reason());
    m.put("partition", r.partition());
    m.put("os", r.os());
    m.put("baselines", r.baselines());
    m.put("scannedAt", r.scannedAt() == null ? null : r.scannedAt().toString());
    Map<String, Object> counts = new LinkedHashMap<>();
    r.counts().forEach((state, n) -> counts.put(state.name(), n));
    m.put("counts", counts);
    List<Object> findings = new ArrayList<>();
    for (Finding f : r.findings()) {
      findings.add(finding(f));
    }
    m.put("findings", findings);
    m.put("warnings", r.warnings());
    return m;
  }

  static Map<String, Object> finding(Finding f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("baseline", f.baseline());
    m.put("kind", f.kind());
    m.put("rule", f.rule());
    m.put("name", f.name());
    m.put("arch", f.arch());
    m.put("installedVersion", f.installedVersion());
    m.put("requiredVersion", f.requiredVersion());
    m.put("candidateVersion", f.candidateVersion());
    m.put("source", f.source());
    m.put("state", f.state().name());
    m.put("compliant", f.state().compliant());
    m.put("reason", f.reason());
    return m;
  }

  static Map<String, Object> remediation(RemediationReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", r.target());
    m.put("outcome", r.outcome().name());
    m.put("written", r.written());
    m.put("applied", r.applied());
    m.put("staged", r.staged());
    m.put("error", r.error());
    m.put("before", target(r.before()));
    m.put("after", target(r.after()));
    return m;
  }

  /** The missing findings of a report, for the text output. */
  static List<Finding> notCompliant(TargetReport r) {
    List<Finding> out = new ArrayList<>(r.inState(RequirementState.MISSING));
    out.addAll(r.inState(RequirementState.FAILED));
    return out;
  }
}
