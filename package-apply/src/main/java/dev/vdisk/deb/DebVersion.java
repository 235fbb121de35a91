package dev.vdisk.deb;

import java.nio.charset.StandardCharsets;

/**
 * A Debian package version, {@code [epoch:]upstream_version[-debian_revision]} (Debian Policy
 * 5.6.12), ordered exactly as {@code dpkg --compare-versions} orders them.
 *
 * <p>Parsing follows dpkg: blanks (space, tab) around the version are ignored and inside it are an
 * error; the epoch is everything before the first colon and must be a number from 0 to
 * 2147483647; the revision is everything after the last hyphen. What dpkg only warns about (an
 * upstream version not starting with a digit, characters outside Policy's sets) is accepted, and
 * {@link #warning()} says what it was.
 *
 * <p>Ordering: epochs numerically, then upstream, then revision, each compared by dpkg's
 * algorithm: alternating runs of non-digits (compared character by character, {@code ~} before
 * the end of the run, the end before letters, letters before everything else) and digits
 * (compared as numbers of any length). Therefore {@code 1.0} equals {@code 1.00}, {@code 0:1.0}
 * equals {@code 1.0} and {@code 1.0} equals {@code 1.0-0}; {@link #equals} and {@link #hashCode}
 * agree with {@link #compareTo}. Characters outside ASCII are compared as dpkg compares them on
 * a platform with signed {@code char} (its UTF-8 bytes order after letters and before ASCII
 * punctuation).
 */
public final class DebVersion implements Comparable<DebVersion> {
  private static final long MAX_EPOCH = Integer.MAX_VALUE;

  private final String text;
  private final long epoch;
  private final String upstream;
  private final String revision;
  private final byte[] upstreamBytes;
  private final byte[] revisionBytes;
  private final String warning;

  private DebVersion(String text, long epoch, String upstream, String revision, String warning) {
    this.text = text;
    this.epoch = epoch;
    this.upstream = upstream;
    this.revision = revision;
    this.upstreamBytes = upstream.getBytes(StandardCharsets.UTF_8);
    this.revisionBytes = revision.getBytes(StandardCharsets.UTF_8);
    this.warning = warning;
  }

  /**
   * Parses a version as dpkg does (leading and trailing blanks ignored).
   *
   * @param text the version
   * @return the version
   * @throws IllegalArgumentException if dpkg would reject it (empty, embedded blank, epoch empty,
   *     not a number, negative or above 2147483647, nothing after the colon, empty revision after
   *     a final hyphen, empty upstream version), with dpkg's reason and the text; an upstream
   *     version not starting with a digit or holding characters outside Policy's set is accepted
   *     (dpkg only warns) and reported by {@link #warning()}
   */
  public static DebVersion parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("version string is null");
    }
    int start = 0;
    int end = text.length();
    while (start < end && isBlank(text.charAt(start))) {
      start++;
    }
    if (start == end) {
      throw bad(text, "version string is empty");
    }
    int stop = start;
    while (stop < end && !isBlank(text.charAt(stop))) {
      stop++;
    }
    for (int i = stop; i < end; i++) {
      if (!isBlank(text.charAt(i))) {
        throw bad(text, "version string has embedded spaces");
      }
    }
    String v = text.substring(start, stop);
    long epoch = 0;
    int colon = v.indexOf(':');
    if (colon >= 0) {
      epoch = parseEpoch(text, v.substring(0, colon));
      if (colon + 1 == v.length()) {
        throw bad(text, "nothing after colon in version number");
      }
    }
    String rest = v.substring(colon + 1);
    String upstream = rest;
    String revision = "";
    int hyphen = rest.lastIndexOf('-');
    if (hyphen >= 0) {
      upstream = rest.substring(0, hyphen);
      revision = rest.substring(hyphen + 1);
      if (revision.isEmpty()) {
        throw bad(text, "revision number is empty");
      }
    }
    if (upstream.isEmpty()) {
      throw bad(text, "version number is empty");
    }
    return new DebVersion(v, epoch, upstream, revision, warningFor(upstream, revision));
  }

  /**
   * Parses a version, or returns {@code null} when dpkg would reject it.
   *
   * @param text the version
   * @return the version or {@code null}
   */
  public static DebVersion tryParse(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // The epoch is read as C's strtol does (leading white space, optional sign, decimal digits),
  // then checked as dpkg checks it.
  private static long parseEpoch(String text, String e) {
    int i = 0;
    int n = e.length();
    while (i < n && " \t\n\u000b\f\r".indexOf(e.charAt(i)) >= 0) {
      i++;
    }
    boolean negative = false;
    if (i < n && (e.charAt(i) == '+' || e.charAt(i) == '-')) {
      negative = e.charAt(i) == '-';
      i++;
    }
    int digitsStart = i;
    long value = 0;
    boolean overflow = false;
    while (i < n && isDigit(e.charAt(i))) {
      if (!overflow) {
        value = value * 10 + (e.charAt(i) - '0');
        if (value > MAX_EPOCH) {
          overflow = true;
        }
      }
      i++;
    }
    if (i == digitsStart) {
      throw bad(text, "epoch in version is empty");
    }
    if (i != n) {
      throw bad(text, "epoch in version is not number");
    }
    if (negative && (value != 0 || overflow)) {
      throw bad(text, "epoch in version is negative");
    }
    if (overflow) {
      throw bad(text, "epoch in version is too big");
    }
    return value;
  }

  private static String warningFor(String upstream, String revision) {
    if (!isDigit(upstream.charAt(0))) {
      return "version number does not start with digit";
    }
    for (int i = 1; i < upstream.length(); i++) {
      char c = upstream.charAt(i);
      if (!isAsciiAlnum(c) && ".-+~:".indexOf(c) < 0) {
        return "invalid character in version number";
      }
    }
    for (int i = 0; i < revision.length(); i++) {
      char c = revision.charAt(i);
      if (!isAsciiAlnum(c) && ".+~".indexOf(c) < 0) {
        return "invalid character in revision number";
      }
    }
    return null;
  }

  private static IllegalArgumentException bad(String text, String reason) {
    return new IllegalArgumentException("invalid version '" + abbreviate(text) + "': " + reason);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isAsciiAlnum(int c) {
    return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Compares two version strings as {@code dpkg --compare-versions a lt/eq/gt b} does.
   *
   * @param a one version
   * @param b the other
   * @return negative, zero or positive
   * @throws IllegalArgumentException if either is not a version dpkg accepts
   */
  public static int compare(String a, String b) {
    return parse(a).compareTo(parse(b));
  }

  /**
   * Whether {@code a op b} holds, for a relation operator as {@link Relation} holds it.
   *
   * @param a the left version
   * @param op {@code <<}, {@code <=}, {@code =}, {@code >=} or {@code >>} (the obsolete {@code <}
   *     and {@code >} mean {@code <=} and {@code >=})
   * @param b the right version
   * @return whether the relation holds
   * @throws IllegalArgumentException for an unknown operator
   */
  public static boolean satisfies(DebVersion a, String op, DebVersion b) {
    int c = a.compareTo(b);
    return switch (op) {
      case "<<" -> c < 0;
      case "<=", "<" -> c <= 0;
      case "=" -> c == 0;
      case ">=", ">" -> c >= 0;
      case ">>" -> c > 0;
      default -> throw new IllegalArgumentException("unknown relation operator '" + op + "'");
    };
  }

  /**
   * The epoch (0 when absent).
   *
   * @return the epoch
   */
  public long epoch() {
    return epoch;
  }

  /**
   * The upstream part.
   *
   * @return it
   */
  public String upstream() {
    return upstream;
  }

  /**
   * The Debian revision ({@code ""} when absent).
   *
   * @return it
   */
  public String revision() {
    return revision;
  }

  /**
   * What dpkg would warn about this version (it accepts it), or {@code null} when it is a valid
   * Policy version.
   *
   * @return the warning or {@code null}
   */
  public String warning() {
    return warning;
  }

  @Override
  public int compareTo(DebVersion o) {
    if (epoch != o.epoch) {
      return epoch < o.epoch ? -1 : 1;
    }
    int c = compareParts(upstreamBytes, o.upstreamBytes);
    if (c != 0) {
      return c;
    }
    return compareParts(revisionBytes, o.revisionBytes);
  }

  /**
   * dpkg's weight of a byte inside a non-digit run: {@code ~} lowest, then the end of the run
   * (and digits, which end it), then letters by their code, then everything else by its code
   * plus 256 (bytes above 127 as C's signed char sees them).
   */
  private static int weight(byte[] s, int i) {
    if (i >= s.length) {
      return 0;
    }
    int c = s[i];
    if (isDigit(c)) {
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

  private static int compareParts(byte[] a, byte[] b) {
    int i = 0;
    int j = 0;
    while (i < a.length || j < b.length) {
      // the non-digit runs, position by position
      while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
        int wa = weight(a, i);
        int wb = weight(b, j);
        if (wa != wb) {
          return Integer.compare(wa, wb);
        }
        i++;
        j++;
      }
      // the digit runs as numbers of any length: drop leading zeros, then the longer run is
      // larger, else the first differing digit decides
      while (i < a.length && a[i] == '0') {
        i++;
      }
      while (j < b.length && b[j] == '0') {
        j++;
      }
      int firstDiff = 0;
      while (i < a.length && isDigit(a[i]) && j < b.length && isDigit(b[j])) {
        if (firstDiff == 0) {
          firstDiff = a[i] - b[j];
        }
        i++;
        j++;
      }
      if (i < a.length && isDigit(a[i])) {
        return 1;
      }
      if (j < b.length && isDigit(b[j])) {
        return -1;
      }
      if (firstDiff != 0) {
        return firstDiff < 0 ? -1 : 1;
      }
    }
    return 0;
  }

  /**
   * Equal when {@link #compareTo} is zero ({@code 1.0}, {@code 1.00}, {@code 0:1.0} and {@code
   * 1.0-0} are all equal).
   *
   * @param o the other object
   * @return whether equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof DebVersion v && compareTo(v) == 0;
  }

  /**
   * A hash over the canonical form (each digit run without leading zeros, a part that is only
   * zeros treated as empty), so that versions equal by {@link #compareTo} hash alike.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(epoch) + canonicalHash(upstreamBytes))
        + canonicalHash(revisionBytes);
  }

  private static int canonicalHash(byte[] s) {
    // a part made only of zeros (or empty) compares equal to the empty part
    boolean allZero = true;
    for (byte c : s) {
      if (c != '0') {
        allZero = false;
        break;
      }
    }
    if (allZero) {
      return 0;
    }
    int h = 1;
    int i = 0;
    while (i < s.length) {
      while (i < s.length && !isDigit(s[i])) {
        h = 31 * h + s[i];
        i++;
      }
      while (i < s.length && s[i] == '0') {
        i++;
      }
      int digits = 0;
      while (i < s.length && isDigit(s[i])) {
        h = 31 * h + s[i];
        digits++;
        i++;
      }
      // an empty or all-zero digit run is the number 0 either way
      h = 31 * h + digits + 7;
    }
    return h;
  }

  /**
   * The version as written (without surrounding blanks).
   *
   * @return the text
   */
  @Override
  public String toString() {
    return text;
  }
}
