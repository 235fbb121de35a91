package dev.vdisk.cli;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.Scanner;
import dev.vdisk.compliance.TargetReport;
import dev.vdisk.report.HtmlReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code vdisk scan}: compliance of images against a baseline file. */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Scan disk images, read-only and in parallel, against the baselines of FILE that",
      "apply to them (by --tag): every requirement gets a state (INSTALLED, MISSING,",
      "INSTALLED_PENDING_REBOOT, INSTALLED_OTHER, NOT_APPLICABLE, FAILED) and every image a",
      "verdict (COMPLIANT, NON_COMPLIANT, or UNKNOWN with the reason, e.g. no operating",
      "system found). The baselines' sources are fetched and verified once, first.",
      "Exit 0 when every image is COMPLIANT; 4 when any is NON_COMPLIANT or UNKNOWN;",
      "2 when the baseline file, a keyring or an IMAGE is missing or bad (nothing is",
      "scanned); 3 when a source's indexes are not trusted."
    })
final class ScanCommand implements Callable<Integer> {

  @Mixin ComplianceOptions options;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ComplianceOptions.Prepared prepared = options.prepare(spec.commandLine());
    Scanner scanner = Scanner.create(prepared.baselines(), prepared.options());
    List<TargetReport> reports;
    try (CountProgress bar = CountProgress.create(err, "scanning", options.images.size(),
        ProgressBar.wanted(options.progress))) {
      reports = scanner.scanAll(options.images, options.tagSet(), bar);
    }
    if (options.html != null) {
      HtmlReport.writeScan(options.baseline.getFileName().toString(), reports, options.html);
    }
    if (options.json) {
      out.println(Json.write(toJson(options, reports)));
    } else {
      printText(out, reports);
    }
    out.flush();
    return exitCode(reports);
  }

  /**
   * 0 when every target is compliant, else 4: a target that cannot be judged (UNKNOWN) is not
   * known to comply.
   */
  static int exitCode(List<TargetReport> reports) {
    for (TargetReport r : reports) {
      if (r.compliance() != Compliance.COMPLIANT) {
        return ExitCode.NON_COMPLIANT;
      }
    }
    return ExitCode.OK;
  }

  static Map<String, Object> toJson(ComplianceOptions options, List<TargetReport> reports) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("baseline", options.baseline.toString());
    top.put("tags", List.copyOf(options.tagSet()));
    top.put("compliant", exitCode(reports) == ExitCode.OK);
    top.put("summary", ComplianceJson.summary(reports));
    List<Object> targets = new ArrayList<>();
    for (TargetReport r : reports) {
      targets.add(ComplianceJson.target(r));
    }
    top.put("targets", targets);
    return top;
  }

  static void printText(PrintWriter out, List<TargetReport> reports) {
    for (TargetReport r : reports) {
      printTarget(out, r, "");
    }
    out.printf("%d targets: %d compliant, %d non-compliant, %d unknown%n", reports.size(),
        ComplianceJson.count(reports, Compliance.COMPLIANT),
        ComplianceJson.count(reports, Compliance.NON_COMPLIANT),
        ComplianceJson.count(reports, Compliance.UNKNOWN));
  }

  /** One line for the target, then its missing and failed findings, then its warnings. */
  static void printTarget(PrintWriter out, TargetReport r, String indent) {
    Map<RequirementState, Integer> counts = r.counts();
    StringBuilder line = new StringBuilder();
    line.append(indent).append(String.format("%-13s %s", r.compliance(), r.target()));
    if (r.os() != null) {
      line.append("  ").append(r.os());
    }
    if (r.compliance() == Compliance.UNKNOWN) {
      line.append("  ").append(r.reason() == null ? "cannot be judged" : r.reason());
    } else {
      line.append("  ").append(counts.get(RequirementState.MISSING)).append(" missing");
      if (counts.get(RequirementState.FAILED) > 0) {
        line.append(", ").append(counts.get(RequirementState.FAILED)).append(" failed");
      }
      line.append(" of ").append(r.findings().size());
    }
    if (!r.baselines().isEmpty()) {
      line.append("  [").append(String.join(", ", r.baselines())).append(']');
    }
    out.println(line);
    List<Finding> bad = ComplianceJson.notCompliant(r);
    if (!bad.isEmpty()) {
      int width = 4;
      for (Finding f : bad) {
        width = Math.max(width, label(f).length());
      }
      for (Finding f : bad) {
        out.printf("%s  %-7s %-" + width + "s %s -> %s%s%n", indent, f.state(), label(f),
            f.installedVersion() == null ? "(none)" : f.installedVersion(),
            f.requiredVersion() != null ? f.requiredVersion()
                : f.rule().equals("absent") ? "(absent)" : "?",
            f.source() != null ? "  " + f.source()
                : f.reason() != null ? "  " + f.reason() : "");
      }
    }
    for (String w : r.warnings()) {
      out.println(indent + "  warning: " + w);
    }
  }

  private static String label(Finding f) {
    return f.arch().isEmpty() ? f.name() : f.name() + ":" + f.arch();
  }
}
