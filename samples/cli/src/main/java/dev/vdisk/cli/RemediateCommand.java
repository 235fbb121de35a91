package dev.vdisk.cli;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.RemediateOptions;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.RemediationReport.Outcome;
import dev.vdisk.compliance.Remediator;
import dev.vdisk.compliance.Scanner;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vdisk remediate}: bring images into compliance with a baseline file, offline. */
@Command(
    name = "remediate",
    mixinStandardHelpOptions = true,
    description = {
      "Scan each IMAGE against the baselines of FILE that apply to it, resolve what is",
      "missing to packages in the baselines' trusted sources (with their dependencies),",
      "fetch and verify them, apply them in one transaction per image (as 'vdisk apply'",
      "does), and scan again. Images are worked on in parallel; a failure in one never",
      "affects another, and a failed image is left unchanged.",
      "Exit 0 when every image ends COMPLIANT (a dry run: when nothing failed); 4 when",
      "some image is still NON_COMPLIANT or UNKNOWN and none failed; 3 when remediating",
      "some image failed or was refused (untrusted, unsafe to write, unsatisfiable",
      "dependencies, an image that cannot be judged); 2 when the baseline file, a",
      "keyring or an IMAGE is missing or bad (nothing is done)."
    })
final class RemediateCommand implements Callable<Integer> {

  @Mixin ComplianceOptions options;

  @Option(names = "--snapshot",
      description = "Write into a new differencing child of each IMAGE, beside it in its "
          + "format, named STEM.remediated-YYYYMMDDTHHMMSSZ.EXT (JSON 'written' names it), "
          + "instead of the image; IMAGE stays unchanged.")
  boolean snapshot;

  @Option(names = "--dry-run",
      description = "Resolve, fetch, verify and apply into transactions that are then "
          + "dropped: report what would be done, change nothing.")
  boolean dryRun;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ComplianceOptions.Prepared prepared = options.prepare(spec.commandLine());
    Scanner scanner = Scanner.create(prepared.baselines(), prepared.options());
    Remediator remediator = Remediator.create(scanner,
        new RemediateOptions(prepared.options(), snapshot, dryRun));
    List<RemediationReport> reports;
    try (CountProgress bar = CountProgress.create(err, dryRun ? "dry run" : "remediating",
        options.images.size(), ProgressBar.wanted(options.progress))) {
      reports = remediator.remediateAll(options.images, options.tagSet(), bar);
    }
    if (options.html != null) {
      HtmlReport.writeRemediation(options.baseline.getFileName().toString(), reports,
          options.html);
    }
    if (options.json) {
      out.println(Json.write(toJson(options, dryRun, snapshot, reports)));
    } else {
      printText(out, reports);
    }
    out.flush();
    return exitCode(reports);
  }

  /**
   * Whether a target ends compliant: its rescan says so; without one (nothing to do, a
   * failure), its first scan; a dry run's target counts as compliant (what it would become is
   * not scanned).
   */
  static boolean endsCompliant(RemediationReport r) {
    if (r.after() != null) {
      return r.after().compliance() == Compliance.COMPLIANT;
    }
    if (r.outcome() == Outcome.DRY_RUN) {
      return true;
    }
    return r.before() != null && r.before().compliance() == Compliance.COMPLIANT;
  }

  /** 3 when any target failed, else 4 when any does not end compliant, else 0. */
  static int exitCode(List<RemediationReport> reports) {
    boolean nonCompliant = false;
    for (RemediationReport r : reports) {
      if (r.outcome() == Outcome.FAILED) {
        return ExitCode.REFUSED;
      }
      nonCompliant |= !endsCompliant(r);
    }
    return nonCompliant ? ExitCode.NON_COMPLIANT : ExitCode.OK;
  }

  private static long count(List<RemediationReport> reports, Outcome o) {
    return reports.stream().filter(r -> r.outcome() == o).count();
  }

  static Map<String, Object> toJson(ComplianceOptions options, boolean dryRun,
      boolean snapshot, List<RemediationReport> reports) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("baseline", options.baseline.toString());
    top.put("tags", List.copyOf(options.tagSet()));
    top.put("dryRun", dryRun);
    top.put("snapshot", snapshot);
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("targets", reports.size());
    summary.put("remediated", count(reports, Outcome.REMEDIATED));
    summary.put("nothingToDo", count(reports, Outcome.NOTHING_TO_DO));
    summary.put("dryRun", count(reports, Outcome.DRY_RUN));
    summary.put("failed", count(reports, Outcome.FAILED));
    summary.put("compliantAfter", reports.stream().filter(RemediateCommand::endsCompliant)
        .count());
    top.put("summary", summary);
    List<Object> targets = new ArrayList<>();
    for (RemediationReport r : reports) {
      targets.add(ComplianceJson.remediation(r));
    }
    top.put("targets", targets);
    return top;
  }

  static void printText(PrintWriter out, List<RemediationReport> reports) {
    for (RemediationReport r : reports) {
      StringBuilder line = new StringBuilder(String.format("%-13s %s", r.outcome(),
          r.target()));
      line.append("  ").append(r.before() == null ? "not scanned" : r.before().compliance());
      if (r.after() != null) {
        line.append(" -> ").append(r.after().compliance());
      }
      if (!r.applied().isEmpty() || !r.staged().isEmpty()) {
        line.append(String.format("  %d %s, %d staged", r.applied().size(),
            r.outcome() == Outcome.DRY_RUN ? "would be applied" : "applied", r.staged().size()));
      }
      if (r.written() != null) {
        line.append("  written: ").append(r.written());
      }
      out.println(line);
      for (String p : r.applied()) {
        out.println("  applied  " + p);
      }
      for (String p : r.staged()) {
        out.println("  staged   " + p);
      }
      if (r.error() != null) {
        out.println("  error: " + r.error());
      }
      if (r.after() != null && r.after().compliance() != Compliance.COMPLIANT) {
        ScanCommand.printTarget(out, r.after(), "  after: ");
      } else if (r.after() == null && r.before() != null
          && r.before().compliance() != Compliance.COMPLIANT) {
        ScanCommand.printTarget(out, r.before(), "  ");
      }
    }
    out.printf("%d targets: %d remediated, %d nothing to do, %d dry run, %d failed; "
        + "%d compliant%n", reports.size(), count(reports, Outcome.REMEDIATED),
        count(reports, Outcome.NOTHING_TO_DO), count(reports, Outcome.DRY_RUN),
        count(reports, Outcome.FAILED),
        reports.stream().filter(RemediateCommand::endsCompliant).count());
  }
}
