package dev.vdisk.compliance.internal;

import dev.vdisk.deb.DebVersion;
import dev.vdisk.deb.Relation;
import java.util.List;

/**
 * One package version of a verified source, or of a guest's dpkg status: what evaluation needs
 * of a {@code Packages} paragraph. Strings are interned (names, versions and relationship fields
 * repeat across suites and targets).
 *
 * @param name {@code Package}
 * @param version {@code Version}, parsed
 * @param arch {@code Architecture}
 * @param multiArch {@code Multi-Arch} ({@code same}, {@code foreign}, {@code allowed}), or ""
 * @param priority {@code Priority}, or ""
 * @param section {@code Section}, or ""
 * @param depends {@code Depends}, or ""
 * @param preDepends {@code Pre-Depends}, or ""
 * @param provides {@code Provides}, or ""
 * @param breaks {@code Breaks}, or ""
 * @param conflicts {@code Conflicts}, or ""
 * @param filename {@code Filename}, or ""
 * @param size {@code Size}, or -1
 * @param sha256 {@code SHA256}, or ""
 * @param suite the suite it comes from, or null for a dpkg status record
 * @param essential {@code Essential: yes}
 * @param replaces {@code Replaces}, or ""
 * @param installedSize {@code Installed-Size}, or ""
 */
public record DebEntry(String name, DebVersion version, String arch, String multiArch,
    String priority, String section, String depends, String preDepends, String provides,
    String breaks, String conflicts, String filename, long size, String sha256,
    SuiteIndex suite, boolean essential, String replaces, String installedSize) {

  /**
   * The dependency groups ({@code Pre-Depends} then {@code Depends}).
   *
   * @return the groups, empty when a field is malformed (logged when read)
   */
  public List<List<Relation>> dependencies() {
    if (depends.isEmpty() && preDepends.isEmpty()) {
      return List.of();
    }
    java.util.ArrayList<List<Relation>> out = new java.util.ArrayList<>();
    out.addAll(parse(preDepends));
    out.addAll(parse(depends));
    return out;
  }

  /**
   * The negative relations ({@code Conflicts} and {@code Breaks}), flattened.
   *
   * @return the relations
   */
  public List<Relation> negatives() {
    if (breaks.isEmpty() && conflicts.isEmpty()) {
      return List.of();
    }
    java.util.ArrayList<Relation> out = new java.util.ArrayList<>();
    parse(conflicts).forEach(out::addAll);
    parse(breaks).forEach(out::addAll);
    return out;
  }

  /**
   * The provided names, each with its version or null.
   *
   * @return the relations of {@code Provides}
   */
  public List<Relation> provided() {
    if (provides.isEmpty()) {
      return List.of();
    }
    java.util.ArrayList<Relation> out = new java.util.ArrayList<>();
    parse(provides).forEach(out::addAll);
    return out;
  }

  /** Relations of a field; a malformed field (checked when the index was read) yields none. */
  static List<List<Relation>> parse(String field) {
    if (field.isEmpty()) {
      return List.of();
    }
    try {
      return Relation.parseField(field);
    } catch (IllegalArgumentException e) {
      return List.of();
    }
  }

  /**
   * Whether apt files this record and another of the same version string as one version: the
   * same architecture and the same {@code Depends}, {@code Pre-Depends}, {@code Conflicts},
   * {@code Breaks}, {@code Replaces}, {@code Installed-Size} and {@code Multi-Arch} (white space
   * and case ignored; apt 2.6 files a record differing in any of these as a second version with
   * the same string, and upgrades to it as a reinstallation; {@code Provides}, {@code
   * Recommends}, {@code Suggests}, {@code Priority} and {@code Essential} do not count).
   *
   * @param o the other record
   * @return whether they are the same version to apt
   */
  public boolean sameAs(DebEntry o) {
    return version.equals(o.version) && arch.equals(o.arch)
        && norm(depends).equals(norm(o.depends)) && norm(preDepends).equals(norm(o.preDepends))
        && norm(conflicts).equals(norm(o.conflicts)) && norm(breaks).equals(norm(o.breaks))
        && norm(replaces).equals(norm(o.replaces))
        && installedSize.strip().equals(o.installedSize.strip())
        && norm(multiArch).equals(norm(o.multiArch));
  }

  private static String norm(String s) {
    if (s.isEmpty()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!Character.isWhitespace(c)) {
        b.append(Character.toLowerCase(c));
      }
    }
    return b.toString();
  }

  /**
   * The text {@code name version arch}.
   *
   * @return the text
   */
  public String describe() {
    return name + " " + version + " " + arch;
  }
}
