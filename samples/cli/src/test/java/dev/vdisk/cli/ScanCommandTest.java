package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.RemediationReport.Outcome;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.TargetReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scan} and {@code remediate} without images: exit codes from verdicts and outcomes, the
 * JSON's fields, the text lines, and the checks made before any image is opened.
 */
class ScanCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static TargetReport report(String target, Compliance c, RequirementState... states) {
    List<Finding> findings = new java.util.ArrayList<>();
    int i = 0;
    for (RequirementState s : states) {
      findings.add(new Finding("b", "deb", "upgrade", "pkg" + i++, "amd64", "1.0", "1.1", "1.1",
          "bookworm main", s, null));
    }
    return new TargetReport(target, 2, "Debian GNU/Linux 12 (bookworm)", List.of("b"), c,
        c == Compliance.UNKNOWN ? "no operating system found" : null, findings, List.of(),
        Instant.EPOCH);
  }

  static final TargetReport GOOD = report("good.vmdk", Compliance.COMPLIANT,
      RequirementState.INSTALLED);
  static final TargetReport BAD = report("bad.vmdk", Compliance.NON_COMPLIANT,
      RequirementState.INSTALLED, RequirementState.MISSING, RequirementState.FAILED);
  static final TargetReport UNKNOWN = report("blank.img", Compliance.UNKNOWN);

  static RemediationReport remediation(Outcome o, TargetReport before, TargetReport after) {
    return new RemediationReport(before.target(), o, before, after,
        o == Outcome.REMEDIATED ? before.target() : null,
        o == Outcome.REMEDIATED || o == Outcome.DRY_RUN ? List.of("pkg1 1.1") : List.of(),
        List.of(), o == Outcome.FAILED ? "refused: untrusted" : null);
  }

  @Test
  void scanExitsZeroOnlyWhenEveryTargetIsCompliant() {
    assertThat(ScanCommand.exitCode(List.of())).isEqualTo(ExitCode.OK);
    assertThat(ScanCommand.exitCode(List.of(GOOD, GOOD))).isEqualTo(ExitCode.OK);
    assertThat(ScanCommand.exitCode(List.of(GOOD, BAD))).isEqualTo(ExitCode.NON_COMPLIANT);
    assertThat(ScanCommand.exitCode(List.of(UNKNOWN, GOOD))).isEqualTo(ExitCode.NON_COMPLIANT);
  }

  @Test
  void remediateExitsThreeOnFailureFourWhenStillNonCompliant() {
    TargetReport fixed = report("bad.vmdk", Compliance.COMPLIANT, RequirementState.INSTALLED);
    assertThat(RemediateCommand.exitCode(List.of(
        remediation(Outcome.REMEDIATED, BAD, fixed),
        remediation(Outcome.NOTHING_TO_DO, GOOD, null)))).isEqualTo(ExitCode.OK);
    assertThat(RemediateCommand.exitCode(List.of(
        remediation(Outcome.REMEDIATED, BAD, BAD)))).isEqualTo(ExitCode.NON_COMPLIANT);
    assertThat(RemediateCommand.exitCode(List.of(
        remediation(Outcome.NOTHING_TO_DO, BAD, null)))).isEqualTo(ExitCode.NON_COMPLIANT);
    assertThat(RemediateCommand.exitCode(List.of(
        remediation(Outcome.NOTHING_TO_DO, UNKNOWN, null)))).isEqualTo(ExitCode.NON_COMPLIANT);
    assertThat(RemediateCommand.exitCode(List.of(
        remediation(Outcome.DRY_RUN, BAD, null)))).isEqualTo(ExitCode.OK);
    assertThat(RemediateCommand.exitCode(List.of(
        remediation(Outcome.REMEDIATED, BAD, BAD),
        remediation(Outcome.FAILED, BAD, null)))).isEqualTo(ExitCode.REFUSED);
  }

  @Test
  void scanJsonCarriesSummaryTargetsAndFindings() throws Exception {
    ComplianceOptions o = new ComplianceOptions();
    o.baseline = Path.of("baseline.yaml");
    o.tags = List.of("web", "prod");
    JsonNode json = JSON.readTree(Json.write(ScanCommand.toJson(o, List.of(GOOD, BAD,
        UNKNOWN))));
    assertThat(json.get("compliant").asBoolean()).isFalse();
    assertThat(json.get("tags").toString()).isEqualTo("[\"web\",\"prod\"]");
    JsonNode summary = json.get("summary");
    assertThat(summary.get("targets").asInt()).isEqualTo(3);
    assertThat(summary.get("compliant").asInt()).isEqualTo(1);
    assertThat(summary.get("nonCompliant").asInt()).isEqualTo(1);
    assertThat(summary.get("unknown").asInt()).isEqualTo(1);
    JsonNode bad = json.get("targets").get(1);
    assertThat(bad.get("target").asText()).isEqualTo("bad.vmdk");
    assertThat(bad.get("compliance").asText()).isEqualTo("NON_COMPLIANT");
    assertThat(bad.get("counts").get("MISSING").asInt()).isEqualTo(1);
    assertThat(bad.get("findings")).hasSize(3);
    JsonNode missing = bad.get("findings").get(1);
    assertThat(missing.get("state").asText()).isEqualTo("MISSING");
    assertThat(missing.get("compliant").asBoolean()).isFalse();
    assertThat(missing.get("candidateVersion").asText()).isEqualTo("1.1");
    assertThat(json.get("targets").get(2).get("reason").asText())
        .isEqualTo("no operating system found");
  }

  @Test
  void scanTextIsOneLinePerImageWithItsMissingPackages() {
    StringWriter s = new StringWriter();
    ScanCommand.printText(new PrintWriter(s), List.of(GOOD, BAD, UNKNOWN));
    List<String> lines = s.toString().lines().toList();
    assertThat(lines.get(0)).startsWith("COMPLIANT").contains("good.vmdk")
        .contains("0 missing of 1");
    assertThat(lines.get(1)).startsWith("NON_COMPLIANT").contains("bad.vmdk")
        .contains("1 missing, 1 failed of 3");
    assertThat(lines.get(2)).contains("MISSING").contains("pkg1:amd64").contains("1.0 -> 1.1");
    assertThat(lines.get(3)).contains("FAILED").contains("pkg2:amd64");
    assertThat(lines.get(4)).startsWith("UNKNOWN").contains("no operating system found");
    assertThat(lines.get(5)).isEqualTo("3 targets: 1 compliant, 1 non-compliant, 1 unknown");
  }

  @Test
  void remediateJsonAndText() throws Exception {
    TargetReport fixed = report("bad.vmdk", Compliance.COMPLIANT, RequirementState.INSTALLED);
    List<RemediationReport> reports = List.of(remediation(Outcome.REMEDIATED, BAD, fixed),
        remediation(Outcome.FAILED, UNKNOWN, null));
    ComplianceOptions o = new ComplianceOptions();
    o.baseline = Path.of("baseline.yaml");
    JsonNode json = JSON.readTree(Json.write(RemediateCommand.toJson(o, false, true,
        reports)));
    assertThat(json.get("snapshot").asBoolean()).isTrue();
    assertThat(json.get("summary").get("remediated").asInt()).isEqualTo(1);
    assertThat(json.get("summary").get("failed").asInt()).isEqualTo(1);
    assertThat(json.get("summary").get("compliantAfter").asInt()).isEqualTo(1);
    JsonNode first = json.get("targets").get(0);
    assertThat(first.get("before").get("compliance").asText()).isEqualTo("NON_COMPLIANT");
    assertThat(first.get("after").get("compliance").asText()).isEqualTo("COMPLIANT");
    assertThat(first.get("applied").get(0).asText()).isEqualTo("pkg1 1.1");
    assertThat(json.get("targets").get(1).get("after").isNull()).isTrue();
    assertThat(json.get("targets").get(1).get("error").asText()).isEqualTo("refused: untrusted");
    StringWriter s = new StringWriter();
    RemediateCommand.printText(new PrintWriter(s), reports);
    assertThat(s.toString()).contains("REMEDIATED    bad.vmdk  NON_COMPLIANT -> COMPLIANT")
        .contains("applied  pkg1 1.1").contains("error: refused: untrusted")
        .contains("2 targets: 1 remediated, 0 nothing to do, 0 dry run, 1 failed; 1 compliant");
  }

  @Test
  void aMissingImageExitsTwoBeforeAnythingIsRead() throws Exception {
    Path baseline = Files.writeString(dir.resolve("b.yaml"), "baselines: []\n");
    for (String command : List.of("scan", "remediate")) {
      CliRunner r = CliRunner.run(command, dir.resolve("absent.vmdk").toString(),
          "--baseline", baseline.toString());
      assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(r.err()).contains("absent.vmdk").contains("no such file");
      assertThat(r.out()).isEmpty();
    }
  }

  @Test
  void usageErrors() throws Exception {
    Path image = Files.write(dir.resolve("x.img"), new byte[512]);
    assertThat(CliRunner.run("scan", image.toString()).exitCode()).as("no --baseline")
        .isEqualTo(ExitCode.USAGE);
    assertThat(CliRunner.run("scan", "--baseline", "b.yaml").exitCode()).as("no image")
        .isEqualTo(ExitCode.USAGE);
    CliRunner jobs = CliRunner.run("scan", image.toString(), "--baseline", "b.yaml", "-j", "0");
    assertThat(jobs.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(jobs.err()).contains("--jobs");
    CliRunner help = CliRunner.run("remediate", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("--snapshot").contains("--dry-run").contains("--baseline")
        .contains("--html").contains("--tag");
  }

  @Test
  void aMissingHtmlDirectoryExitsTwoBeforeAnythingIsRead() throws Exception {
    Path image = Files.write(dir.resolve("x.img"), new byte[512]);
    Path baseline = Files.writeString(dir.resolve("b.yaml"), "baselines: []\n");
    CliRunner r = CliRunner.run("scan", image.toString(), "--baseline", baseline.toString(),
        "--html", dir.resolve("no/such/dir/report.html").toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err()).contains("no/such/dir").contains("--html");
    assertThat(r.out()).isEmpty();
  }
}
