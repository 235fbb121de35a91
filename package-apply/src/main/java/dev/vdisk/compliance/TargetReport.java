package dev.vdisk.compliance;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of scanning one target against its baselines.
 *
 * @param target the image (or host) as it was given
 * @param partition the partition holding the root that was judged, -1 when none
 * @param os the operating system's name (e.g. {@code Debian GNU/Linux 12 (bookworm)}), or null
 * @param baselines the names of the baselines that applied
 * @param compliance the verdict
 * @param reason why {@link Compliance#UNKNOWN} (or a short summary otherwise), or null
 * @param findings one per requirement
 * @param warnings what could not be read, each naming the file and the reason
 * @param scannedAt when the scan ran
 */
public record TargetReport(String target, int partition, String os, List<String> baselines,
    Compliance compliance, String reason, List<Finding> findings, List<String> warnings,
    Instant scannedAt) {
  /** Copies the lists. */
  public TargetReport {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(compliance, "compliance");
    baselines = List.copyOf(baselines);
    findings = List.copyOf(findings);
    warnings = List.copyOf(warnings);
  }

  /**
   * The number of findings in each state (every state present, zero when none).
   *
   * @return the counts
   */
  public Map<RequirementState, Integer> counts() {
    Map<RequirementState, Integer> m = new EnumMap<>(RequirementState.class);
    for (RequirementState s : RequirementState.values()) {
      m.put(s, 0);
    }
    for (Finding f : findings) {
      m.merge(f.state(), 1, Integer::sum);
    }
    return m;
  }

  /**
   * The findings in a given state.
   *
   * @param state the state
   * @return those findings, in report order
   */
  public List<Finding> inState(RequirementState state) {
    return findings.stream().filter(f -> f.state() == state).toList();
  }
}
