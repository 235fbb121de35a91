package dev.vdisk.report;

import dev.vdisk.compliance.Compliance;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.TargetReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Compliance reports for the HTML report's tests: a fixed set and seeded random ones. */
final class ReportFixtures {
  private ReportFixtures() {}

  static final Instant AT = Instant.parse("2026-11-30T01:00:00Z");

  static Finding finding(String name, String installed, String candidate,
      RequirementState state) {
    return new Finding("debian-security", "deb", "upgrade", name, "amd64", installed, candidate,
        candidate, candidate == null ? null : "bookworm-security main (file:/srv/repo)", state,
        state == RequirementState.MISSING ? "a newer version is in the sources" : null);
  }

  /**
   * Three targets, one per verdict; the non-compliant one has findings in every state,
   * interleaved so that no column's order is the page order.
   */
  static List<TargetReport> scan() {
    List<Finding> mixed = List.of(
        finding("libc6", "2.36-9+deb12u4", "2.36-9+deb12u9", RequirementState.INSTALLED_OTHER),
        finding("zlib1g", "1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1", RequirementState.INSTALLED),
        finding("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", RequirementState.MISSING),
        finding("base-files", "12.4+deb12u5", "12.4+deb12u11",
            RequirementState.INSTALLED_PENDING_REBOOT),
        finding("apt", "2.6.1", "2.6.1", RequirementState.NOT_APPLICABLE),
        finding("bash", "5.2.15-2+b2", "5.2.15-2+b8", RequirementState.FAILED),
        finding("openssl", "3.0.11-1~deb12u2", "3.0.17-1~deb12u2", RequirementState.MISSING),
        finding("ca-certificates", "20230311", "20230311+deb12u1", RequirementState.MISSING),
        new Finding("local", "deb", "absent", "telnet", "amd64", null, null, null, null,
            RequirementState.INSTALLED, "not installed"));
    TargetReport bad = new TargetReport("images/web-01.vmdk", 2,
        "Debian GNU/Linux 12 (bookworm)", List.of("debian-security", "local"),
        Compliance.NON_COMPLIANT, "3 missing, 1 failed", mixed,
        List.of("/var/lib/dpkg/status: 1 stanza without a Version"), AT);
    TargetReport good = new TargetReport("images/db-01.vhdx", 1,
        "Debian GNU/Linux 12 (bookworm)", List.of("debian-security"), Compliance.COMPLIANT,
        null, List.of(finding("libc6", "2.36-9+deb12u9", "2.36-9+deb12u9",
            RequirementState.INSTALLED)), List.of(), AT);
    TargetReport unknown = new TargetReport("<script>alert(1)</script>.img", -1, null, List.of(),
        Compliance.UNKNOWN, "no operating system found", List.of(), List.of(), AT);
    return List.of(bad, good, unknown);
  }

  static List<RemediationReport> remediation() {
    List<TargetReport> scan = scan();
    TargetReport before = scan.get(0);
    List<Finding> fixed = new ArrayList<>();
    for (Finding f : before.findings()) {
      RequirementState s = f.state() == RequirementState.MISSING
          ? RequirementState.INSTALLED_PENDING_REBOOT : f.state() == RequirementState.FAILED
          ? RequirementState.INSTALLED : f.state();
      fixed.add(new Finding(f.baseline(), f.kind(), f.rule(), f.name(), f.arch(),
          f.state() == RequirementState.MISSING ? f.candidateVersion() : f.installedVersion(),
          f.requiredVersion(), f.candidateVersion(), f.source(), s, null));
    }
    TargetReport after = new TargetReport(before.target(), before.partition(), before.os(),
        before.baselines(), Compliance.COMPLIANT, null, fixed, List.of(), AT.plusSeconds(30));
    return List.of(
        new RemediationReport(before.target(), RemediationReport.Outcome.REMEDIATED, before,
            after, before.target(), List.of("tzdata 2025b-0+deb12u1",
                "openssl 3.0.17-1~deb12u2", "bash 5.2.15-2+b8"),
            List.of("ca-certificates 20230311+deb12u1"), null),
        new RemediationReport(scan.get(1).target(), RemediationReport.Outcome.NOTHING_TO_DO,
            scan.get(1), null, null, List.of(), List.of(), null),
        new RemediationReport(scan.get(2).target(), RemediationReport.Outcome.FAILED,
            scan.get(2), null, null, List.of(), List.of(),
            "cannot remediate: no operating system found & <b>nothing</b> written"));
  }

  private static final String ALPHABET =
      "abcxyz019.-+~:_ <>&\"'/\\=;#`\u00e9\u4e2d\ud83d\ude00\u0000\u0001\u001f\u007f\t\n\ud800";

  static String randomString(Random random, int max) {
    int n = random.nextInt(max + 1);
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  static String maybe(Random random, int max) {
    return random.nextInt(5) == 0 ? null : randomString(random, max);
  }

  static List<TargetReport> random(Random random, int targets, int maxFindings) {
    List<TargetReport> out = new ArrayList<>();
    RequirementState[] states = RequirementState.values();
    Compliance[] verdicts = Compliance.values();
    for (int t = 0; t < targets; t++) {
      List<Finding> findings = new ArrayList<>();
      int n = random.nextInt(maxFindings + 1);
      for (int i = 0; i < n; i++) {
        findings.add(new Finding(randomString(random, 8), "deb", randomString(random, 6),
            randomString(random, 12), randomString(random, 5), maybe(random, 10),
            maybe(random, 10), maybe(random, 10), maybe(random, 20),
            states[random.nextInt(states.length)], maybe(random, 30)));
      }
      out.add(new TargetReport(randomString(random, 20), random.nextInt(5) - 1,
          maybe(random, 20), List.of(randomString(random, 8)),
          verdicts[random.nextInt(verdicts.length)], maybe(random, 30), findings,
          random.nextBoolean() ? List.of(randomString(random, 20)) : List.of(), AT));
    }
    return out;
  }

  /** What the page shows for a string: characters HTML cannot carry become U+FFFD. */
  static String shown(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\t' || c == '\n' || c == '\r') {
        sb.append(c);
      } else if (c < 0x20 || c == 0x7f || c == 0xfffe || c == 0xffff) {
        sb.append('\ufffd');
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        sb.append('\ufffd');
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
