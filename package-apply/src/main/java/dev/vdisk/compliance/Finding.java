package dev.vdisk.compliance;

import java.util.Objects;

/**
 * One requirement evaluated on one target.
 *
 * @param baseline the name of the baseline the requirement comes from
 * @param kind the package kind: {@code deb}, {@code rpm} or {@code windows}
 * @param rule what asked for it: {@code upgrade} (a dynamic rule), {@code minVersion}, {@code
 *     absent} or {@code update} (static rules)
 * @param name the package name (or the update's id, e.g. {@code KB5034441})
 * @param arch the package's architecture, "" when not applicable
 * @param installedVersion the installed version, or null when not installed
 * @param requiredVersion the version the rule requires at least (for {@code upgrade}: the
 *     candidate), or null (for {@code absent})
 * @param candidateVersion the newest version the baseline's sources offer for it, or null
 * @param source where the candidate comes from (suite and repository), or null
 * @param state the state
 * @param reason why this state, for a person (e.g. which rule excluded it), or null
 */
public record Finding(String baseline, String kind, String rule, String name, String arch,
    String installedVersion, String requiredVersion, String candidateVersion, String source,
    RequirementState state, String reason) {
  /** Checks the required components. */
  public Finding {
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(state, "state");
  }
}
