package dev.vdisk.deb.internal;

import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.deb.DebVersion;
import dev.vdisk.deb.Relation;
import java.util.List;
import java.util.Locale;

/**
 * One package instance as the dependency checker sees it: a guest package from dpkg's {@code
 * status} or a candidate of the set, with its relationship fields parsed.
 *
 * @param name the name, lower case (dpkg compares names ignoring case)
 * @param version the version
 * @param arch the {@code Architecture} field ({@code all} included)
 * @param multiArch {@code no}, {@code same}, {@code foreign} or {@code allowed}
 * @param state for a guest package its dpkg state (third word of {@code Status}); {@code null}
 *     for a candidate
 * @param index the candidate's position in the set, or -1 for a guest package
 * @param paragraph the control paragraph
 * @param preDepends the parsed {@code Pre-Depends}
 * @param depends the parsed {@code Depends}
 * @param conflicts the parsed {@code Conflicts}
 * @param breaks the parsed {@code Breaks}
 * @param provides the parsed {@code Provides}
 * @param replaces the parsed {@code Replaces}
 */
public record DebPackage(String name, DebVersion version, String arch, String multiArch,
    String state, int index, ControlParagraph paragraph, List<List<Relation>> preDepends,
    List<List<Relation>> depends, List<List<Relation>> conflicts, List<List<Relation>> breaks,
    List<List<Relation>> provides, List<List<Relation>> replaces) {

  /**
   * Reads a paragraph.
   *
   * @param p the paragraph
   * @param state the dpkg state for a guest package, {@code null} for a candidate
   * @param index the candidate index or -1
   * @return the package
   * @throws IllegalArgumentException naming the package and field when a field is malformed
   */
  public static DebPackage of(ControlParagraph p, String state, int index) {
    String name = p.get("Package");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a paragraph has no Package field");
    }
    name = name.strip().toLowerCase(Locale.ROOT);
    String versionText = p.get("Version");
    if (versionText == null) {
      throw new IllegalArgumentException(name + " has no Version field");
    }
    DebVersion version;
    try {
      version = DebVersion.parse(versionText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
    String arch = p.get("Architecture", "all").strip().toLowerCase(Locale.ROOT);
    if (arch.isEmpty()) {
      arch = "all";
    }
    String ma = p.get("Multi-Arch", "no").strip().toLowerCase(Locale.ROOT);
    return new DebPackage(name, version, arch, ma, state, index, p,
        field(p, name, "Pre-Depends"), field(p, name, "Depends"), field(p, name, "Conflicts"),
        field(p, name, "Breaks"), field(p, name, "Provides"), field(p, name, "Replaces"));
  }

  private static List<List<Relation>> field(ControlParagraph p, String name, String field) {
    String v = p.get(field);
    if (v == null) {
      return List.of();
    }
    try {
      List<List<Relation>> groups = Relation.parseField(v);
      if (!field.endsWith("Depends")) {
        for (List<Relation> g : groups) {
          if (g.size() > 1) {
            // dpkg refuses such a package
            throw new IllegalArgumentException("alternatives ('|') not allowed in " + field
                + " field: " + Relation.formatField(List.of(g)));
          }
        }
      }
      return groups;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " " + p.get("Version") + ": bad " + field
          + " field: " + e.getMessage(), e);
    }
  }

  /**
   * Whether this is a candidate of the set.
   *
   * @return whether it is
   */
  public boolean candidate() {
    return state == null;
  }

  /**
   * {@code name version} (with {@code :arch} for an architecture-specific package of a foreign
   * architecture), for messages.
   *
   * @param nativeArch the native architecture
   * @return the label
   */
  public String label(String nativeArch) {
    boolean showArch = !arch.equals("all") && !arch.equals(nativeArch);
    return name + (showArch ? ":" + arch : "") + " " + version;
  }
}
