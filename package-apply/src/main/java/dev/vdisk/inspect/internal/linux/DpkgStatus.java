package dev.vdisk.inspect.internal.linux;

import dev.vdisk.inspect.InstalledPackage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * dpkg's status database ({@code /var/lib/dpkg/status}, and each file of the distroless
 * {@code /var/lib/dpkg/status.d/}): one deb822 paragraph per package with {@code Package},
 * {@code Status} ({@code want flag state}), {@code Version} ({@code [epoch:]upstream[-revision]}),
 * {@code Architecture}, {@code Source} ({@code name [(version)]}) and {@code Maintainer}.
 * Paragraphs without a {@code Package} field are skipped.
 */
public final class DpkgStatus {
  private DpkgStatus() {}

  /** The packages of a status file, in file order, every state included (dpkg's rules). */
  public static List<InstalledPackage> parse(String text) {
    return parse(text, false);
  }

  /**
   * The packages of a status file, in file order, every state included.
   *
   * @param statusD whether the file is one of {@code status.d/}: distroless writes the packages'
   *     control files there, without a {@code Status} field, and a paragraph without one is
   *     then {@code install ok installed}; in {@code status} dpkg reads a missing field as
   *     {@code unknown ok not-installed}, and so do we
   */
  public static List<InstalledPackage> parse(String text, boolean statusD) {
    List<InstalledPackage> out = new ArrayList<>();
    for (Map<String, String> p : Deb822.parse(text)) {
      String name = Deb822.field(p, "Package");
      if (name == null || name.isEmpty()) {
        continue;
      }
      String version = orEmpty(Deb822.field(p, "Version"));
      String arch = orEmpty(Deb822.field(p, "Architecture"));
      String status = Deb822.field(p, "Status");
      if (status == null) {
        status = statusD ? "install ok installed" : "unknown ok not-installed";
      }
      String[] words = status.trim().split("\\s+");
      boolean installed = words.length == 3 && words[2].equals("installed");
      Version v = Version.split(version);
      String source = Deb822.field(p, "Source");
      if (source != null) {
        source = source.strip();
      }
      out.add(new InstalledPackage(name, version, arch, status, installed, "deb", v.epoch,
          v.upstream, v.revision, source, Deb822.field(p, "Maintainer"), null));
    }
    return out;
  }

  /** The source package's name from a {@code Source} field ({@code name (version)}). */
  public static String sourceName(String source) {
    if (source == null) {
      return null;
    }
    int paren = source.indexOf('(');
    return (paren < 0 ? source : source.substring(0, paren)).strip();
  }

  /** The source version from a {@code Source} field, or null when it names none. */
  public static String sourceVersion(String source) {
    if (source == null) {
      return null;
    }
    int open = source.indexOf('(');
    int close = source.lastIndexOf(')');
    return open >= 0 && close > open ? source.substring(open + 1, close).strip() : null;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s.strip();
  }

  /** A Debian version split as dpkg does: epoch before the first ':', revision after the last '-'. */
  public record Version(Integer epoch, String upstream, String revision) {
    /** Splits a version string; a non-numeric epoch is left in the upstream part. */
    public static Version split(String version) {
      Integer epoch = null;
      String rest = version;
      int colon = rest.indexOf(':');
      if (colon > 0 && colon <= 9 && rest.substring(0, colon).chars().allMatch(Character::isDigit)) {
        epoch = Integer.parseInt(rest.substring(0, colon));
        rest = rest.substring(colon + 1);
      }
      int dash = rest.lastIndexOf('-');
      if (dash >= 0) {
        return new Version(epoch, rest.substring(0, dash), rest.substring(dash + 1));
      }
      return new Version(epoch, rest, "");
    }
  }
}
