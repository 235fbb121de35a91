package dev.vdisk.baseline;

import java.util.List;

/**
 * Upgrade semantics: every installed package for which the baseline's sources hold a newer
 * candidate (as {@code apt-get upgrade} chooses it) is required, narrowed by the filters.
 *
 * @param allowNew install new packages a candidate needs (like {@code apt-get upgrade
 *     --with-new-pkgs}); false keeps such upgrades back
 * @param suites globs: only candidates from suites whose {@code Suite} or {@code Codename}
 *     matches one ({@code ["*"]} when not given)
 * @param priorities globs on the candidate's {@code Priority} ({@code ["*"]} when not given)
 * @param sections globs on the candidate's {@code Section} ({@code ["*"]} when not given)
 * @param packages globs on the package name ({@code ["*"]} when not given)
 * @param approveAfterDays the index's {@code Date} must be at least this many days old (0: no
 *     delay)
 * @param approved always required, bypassing the filters and the delay: name globs, or {@code
 *     name=version}
 * @param rejected never required: name globs, or {@code name=version}
 */
public record DynamicRule(boolean allowNew, List<String> suites, List<String> priorities,
    List<String> sections, List<String> packages, int approveAfterDays, List<String> approved,
    List<String> rejected) {
  /** Copies the lists. */
  public DynamicRule {
    suites = List.copyOf(suites);
    priorities = List.copyOf(priorities);
    sections = List.copyOf(sections);
    packages = List.copyOf(packages);
    approved = List.copyOf(approved);
    rejected = List.copyOf(rejected);
  }
}
