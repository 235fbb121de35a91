package dev.vdisk.deb;

import java.util.List;

/**
 * One alternative of a package relationship field ({@code Depends}, {@code Pre-Depends}, {@code
 * Conflicts}, {@code Breaks}, {@code Provides}, ...; Debian Policy 7.1): {@code
 * name[:archqual] [(op version)] [[arch list]]}.
 *
 * @param name the package name
 * @param archQualifier the multi-arch qualifier ({@code any}, {@code native} or an architecture),
 *     or {@code null}
 * @param op the operator ({@code <<}, {@code <=}, {@code =}, {@code >=}, {@code >>}), or {@code
 *     null} for any version
 * @param version the version, or {@code null}
 * @param architectures the architecture restriction list as written (may hold {@code !arch}),
 *     empty when absent
 */
public record Relation(String name, String archQualifier, String op, String version,
    List<String> architectures) {
  /**
   * Parses a relationship field into its AND-list of OR-groups.
   *
   * @param field the field's value
   * @return the groups; each group's alternatives are ORed
   * @throws IllegalArgumentException if the field is malformed
   */
  public static List<List<Relation>> parseField(String field) {
    throw new UnsupportedOperationException("not yet");
  }
}
