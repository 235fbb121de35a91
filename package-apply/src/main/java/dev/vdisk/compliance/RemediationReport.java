package dev.vdisk.compliance;

import java.util.List;
import java.util.Objects;

/**
 * What remediating one target did.
 *
 * @param target the image as it was given
 * @param outcome what happened
 * @param before the scan before remediation (null if the image could not be scanned)
 * @param after the scan after remediation (null for a dry run, a failure, or nothing to do)
 * @param written the file that was written (the image, or the differencing child with {@code
 *     --snapshot}), or null when nothing was written
 * @param applied the packages unpacked, as {@code name version}
 * @param staged the packages staged for first boot, as {@code name version}
 * @param error why it failed (with the exception's message), or null
 */
public record RemediationReport(String target, Outcome outcome, TargetReport before,
    TargetReport after, String written, List<String> applied, List<String> staged,
    String error) {
  /** Copies the lists. */
  public RemediationReport {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(outcome, "outcome");
    applied = List.copyOf(applied);
    staged = List.copyOf(staged);
  }

  /** What remediation did to a target. */
  public enum Outcome {
    /** Packages were applied and the rescan ran. */
    REMEDIATED,
    /** The target was already compliant (or nothing missing could be resolved). */
    NOTHING_TO_DO,
    /** A dry run: everything was resolved, verified and applied to a discarded transaction. */
    DRY_RUN,
    /** Remediation failed; the image is unchanged. */
    FAILED
  }
}
