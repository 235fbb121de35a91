package dev.vdisk.inspect.internal.linux;

import dev.vdisk.inspect.InstalledPackage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * apk's installed database ({@code /lib/apk/db/installed}): one record per package, records
 * separated by blank lines, each line {@code X:value} with a one-letter key ({@code P} name,
 * {@code V} version, {@code A} architecture, {@code o} origin, {@code m} maintainer, {@code t}
 * build time in Unix seconds, {@code C} checksum, {@code F}/{@code R} files, ...). Records
 * without a {@code P:} line are skipped; records without an origin are kept.
 */
public final class ApkInstalled {
  private ApkInstalled() {}

  /** The packages of the database, in file order. */
  public static List<InstalledPackage> parse(String text) {
    List<InstalledPackage> out = new ArrayList<>();
    Rec r = new Rec();
    int start = 0;
    int n = text.length();
    while (true) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      String line = text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        r.flush(out);
        r = new Rec();
      } else if (line.length() >= 2 && line.charAt(1) == ':') {
        String v = line.substring(2);
        switch (line.charAt(0)) {
          case 'P': r.name = v; break;
          case 'V': r.version = v; break;
          case 'A': r.arch = v; break;
          case 'o': r.origin = v; break;
          case 'm': r.maintainer = v; break;
          case 't': r.time = v; break;
          default: break;
        }
      }
      if (end >= n) {
        break;
      }
      start = end + 1;
    }
    r.flush(out);
    return out;
  }

  private static final class Rec {
    String name;
    String version;
    String arch;
    String origin;
    String maintainer;
    String time;

    void flush(List<InstalledPackage> out) {
      if (name == null || name.isEmpty()) {
        return;
      }
      String ver = version == null ? "" : version;
      String upstream = ver;
      String release = "";
      int r = ver.lastIndexOf("-r");
      if (r >= 0 && r + 2 < ver.length()
          && ver.substring(r + 2).chars().allMatch(Character::isDigit)) {
        upstream = ver.substring(0, r);
        release = ver.substring(r + 1);
      }
      Instant when = null;
      if (time != null && time.matches("\\d{1,12}")) {
        when = Instant.ofEpochSecond(Long.parseLong(time));
      }
      out.add(new InstalledPackage(name, ver, arch == null ? "" : arch, "installed", true, "apk",
          null, upstream, release, origin, maintainer, when));
    }
  }
}
