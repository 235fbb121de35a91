package dev.vdisk.baseline;

import java.util.List;
import java.util.Objects;

/**
 * One named baseline.
 *
 * @param name its name (unique in the file)
 * @param description for people, or null
 * @param sources where candidates come from
 * @param dynamic the upgrade rule, or null when the baseline has none
 * @param statics the explicit requirements, in file order
 * @param exclude name globs: findings for matching packages are {@code NOT_APPLICABLE}
 */
public record Baseline(String name, String description, List<Source> sources,
    DynamicRule dynamic, List<StaticRule> statics, List<String> exclude) {
  /** Copies the lists. */
  public Baseline {
    Objects.requireNonNull(name, "name");
    sources = List.copyOf(sources);
    statics = List.copyOf(statics);
    exclude = List.copyOf(exclude);
  }

  /**
   * Whether a package name is excluded.
   *
   * @param packageName the name
   * @return whether an {@code exclude} glob matches it
   */
  public boolean excludes(String packageName) {
    return Glob.anyMatch(exclude, packageName);
  }
}
