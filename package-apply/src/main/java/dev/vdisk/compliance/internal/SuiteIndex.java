package dev.vdisk.compliance.internal;

import dev.vdisk.trust.TrustStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The verified packages of one suite of one source, for the architectures read.
 *
 * @param repo the source's repository root, as the baseline names it
 * @param suiteDir the suite as the baseline names it
 * @param suite the Release's {@code Suite} ("" when none)
 * @param codename the Release's {@code Codename} ("" when none)
 * @param date the Release's {@code Date}, or null
 * @param notAutomatic {@code NotAutomatic: yes}
 * @param butAutomaticUpgrades {@code ButAutomaticUpgrades: yes}
 * @param repository the spec string {@code Verifier.verifyPackages} accepts for this suite
 * @param trust the keys it was verified with
 * @param byName package name to its versions (every architecture read)
 * @param providers provided name to the versions providing it
 */
public record SuiteIndex(String repo, String suiteDir, String suite, String codename,
    Instant date, boolean notAutomatic, boolean butAutomaticUpgrades, String repository,
    TrustStore trust, Map<String, List<DebEntry>> byName,
    Map<String, List<DebEntry>> providers) {

  /**
   * apt's default pin priority for this suite: 1 for {@code NotAutomatic}, 100 with {@code
   * ButAutomaticUpgrades} as well, else 500.
   *
   * @return the priority
   */
  public int pinPriority() {
    if (notAutomatic) {
      return butAutomaticUpgrades ? 100 : 1;
    }
    return 500;
  }

  /**
   * How findings name the source: {@code suite (repo)}.
   *
   * @return the text
   */
  public String describe() {
    return (suite.isEmpty() ? (codename.isEmpty() ? suiteDir : codename) : suite) + " (" + repo
        + ")";
  }

  /**
   * The number of package versions.
   *
   * @return the count
   */
  public int size() {
    return byName.values().stream().mapToInt(List::size).sum();
  }
}
