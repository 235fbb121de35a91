package dev.vdisk.compliance.internal;

import dev.vdisk.baseline.Baseline;
import dev.vdisk.compliance.Finding;
import dev.vdisk.inspect.GuestRoot;
import java.util.List;

/**
 * Evaluates baselines on guests of one package kind ({@code deb}; {@code rpm}, {@code apk} and
 * {@code windows} plug in here).
 */
public interface KindEvaluator {
  /**
   * Whether this evaluator handles a root.
   *
   * @param root the root
   * @return whether its package format is this evaluator's
   */
  boolean handles(GuestRoot root);

  /**
   * The findings of one baseline on one root.
   *
   * @param baseline the baseline
   * @param sources the baseline's loaded sources
   * @param target the guest (root plus what was read of its package database)
   * @return the findings
   */
  List<Finding> evaluate(Baseline baseline, List<SuiteIndex> sources, Target target);

  /**
   * A guest as evaluation sees it.
   *
   * @param root the inspected root
   * @param dpkgStatus the text of {@code /var/lib/dpkg/status} when read (relationship fields
   *     of installed packages), or null
   * @param dpkgArch the text of {@code /var/lib/dpkg/arch}, or null
   */
  record Target(GuestRoot root, String dpkgStatus, String dpkgArch) {}
}
