package dev.vdisk.apply.internal;

/**
 * Debian version ordering (deb-version(7)) for the maintscript-helper guards, until {@code
 * dev.vdisk.deb.DebVersion} is shared: epoch numerically, then upstream version and revision
 * by dpkg's rule (non-digit runs by character with {@code ~} before everything, even the end,
 * and letters before other characters; digit runs numerically).
 */
final class VersionCompare {
  private VersionCompare() {}

  static int compare(String a, String b) {
    long ea = epoch(a);
    long eb = epoch(b);
    if (ea != eb) {
      return Long.compare(ea, eb);
    }
    String ra = stripEpoch(a);
    String rb = stripEpoch(b);
    int da = ra.lastIndexOf('-');
    int db = rb.lastIndexOf('-');
    String ua = da < 0 ? ra : ra.substring(0, da);
    String ub = db < 0 ? rb : rb.substring(0, db);
    int c = part(ua, ub);
    if (c != 0) {
      return c;
    }
    return part(da < 0 ? "" : ra.substring(da + 1), db < 0 ? "" : rb.substring(db + 1));
  }

  private static long epoch(String v) {
    int c = v.indexOf(':');
    if (c <= 0) {
      return 0;
    }
    try {
      return Long.parseLong(v.substring(0, c));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String stripEpoch(String v) {
    int c = v.indexOf(':');
    return c < 0 ? v : v.substring(c + 1);
  }

  private static int order(char c) {
    if (Character.isDigit(c)) {
      return 0;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return c;
    }
    if (c == '~') {
      return -1;
    }
    return c + 256;
  }

  private static int part(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      int firstDiff = 0;
      while ((i < a.length() && !Character.isDigit(a.charAt(i)))
          || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
        int ac = i < a.length() ? order(a.charAt(i)) : 0;
        int bc = j < b.length() ? order(b.charAt(j)) : 0;
        if (ac != bc) {
          return Integer.compare(ac, bc);
        }
        i++;
        j++;
      }
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      while (i < a.length() && Character.isDigit(a.charAt(i))
          && j < b.length() && Character.isDigit(b.charAt(j))) {
        if (firstDiff == 0) {
          firstDiff = a.charAt(i) - b.charAt(j);
        }
        i++;
        j++;
      }
      if (i < a.length() && Character.isDigit(a.charAt(i))) {
        return 1;
      }
      if (j < b.length() && Character.isDigit(b.charAt(j))) {
        return -1;
      }
      if (firstDiff != 0) {
        return Integer.signum(firstDiff);
      }
    }
    return 0;
  }
}
