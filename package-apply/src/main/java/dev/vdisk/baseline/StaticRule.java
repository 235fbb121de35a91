package dev.vdisk.baseline;

/**
 * An explicit requirement. Exactly one form is set: {@code package} with {@code minVersion},
 * {@code package} with {@code absent}, or {@code update}.
 *
 * @param packageName the package name ({@code package:}), or null for an update
 * @param minVersion the lowest acceptable version, or null
 * @param absent whether the package must not be installed
 * @param update a Windows update id ({@code KB5034441}), or null
 */
public record StaticRule(String packageName, String minVersion, boolean absent, String update) {
  /**
   * The rule's kind as findings name it.
   *
   * @return {@code minVersion}, {@code absent} or {@code update}
   */
  public String kind() {
    return update != null ? "update" : absent ? "absent" : "minVersion";
  }
}
