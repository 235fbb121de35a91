package dev.vdisk.baseline;

import java.util.List;

/**
 * Shell-style name globs as baselines use them: {@code *} any run of characters, {@code ?} one
 * character, {@code [abc]}, {@code [a-z]} and {@code [!abc]} one character of (or not of) a set;
 * everything else matches itself. Matching is case-sensitive (package names are lower case).
 */
public final class Glob {
  /** The longest glob accepted. */
  public static final int MAX_LENGTH = 256;

  private Glob() {}

  /**
   * Why a glob is malformed.
   *
   * @param glob the glob
   * @return the problem, or null when it is well-formed
   */
  public static String problem(String glob) {
    if (glob == null || glob.isEmpty()) {
      return "empty glob";
    }
    if (glob.length() > MAX_LENGTH) {
      return "glob longer than " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "glob '" + glob + "' contains white space or a control character";
      }
      if (c == ']') {
        return "glob '" + glob + "' has ']' without '['";
      }
      if (c == '[') {
        int end = classEnd(glob, i);
        if (end < 0) {
          return "glob '" + glob + "' has '[' without ']'";
        }
        i = end;
      }
    }
    return null;
  }

  /** The index of the ']' closing the class opened at {@code open}, or -1. */
  private static int classEnd(String glob, int open) {
    int i = open + 1;
    if (i < glob.length() && glob.charAt(i) == '!') {
      i++;
    }
    if (i < glob.length() && glob.charAt(i) == ']') {
      i++; // a leading ']' is a member
    }
    for (; i < glob.length(); i++) {
      if (glob.charAt(i) == ']') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether a text matches a glob.
   *
   * @param glob a well-formed glob ({@link #problem} null)
   * @param text the text
   * @return whether it matches
   */
  public static boolean matches(String glob, String text) {
    // iterative matcher with one backtrack point for the last '*': linear in practice, bounded
    // by glob length times text length
    int g = 0;
    int t = 0;
    int starG = -1;
    int starT = -1;
    while (t < text.length()) {
      if (g < glob.length()) {
        char c = glob.charAt(g);
        if (c == '*') {
          starG = g++;
          starT = t;
          continue;
        }
        if (c == '?') {
          g++;
          t++;
          continue;
        }
        if (c == '[') {
          int end = classEnd(glob, g);
          if (end > 0 && inClass(glob, g + 1, end, text.charAt(t))) {
            g = end + 1;
            t++;
            continue;
          }
        } else if (c == text.charAt(t)) {
          g++;
          t++;
          continue;
        }
      }
      if (starG < 0) {
        return false;
      }
      g = starG + 1;
      t = ++starT;
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  private static boolean inClass(String glob, int from, int end, char c) {
    boolean negate = from < end && glob.charAt(from) == '!';
    int i = negate ? from + 1 : from;
    boolean found = false;
    while (i < end) {
      char a = glob.charAt(i);
      if (i + 2 < end && glob.charAt(i + 1) == '-') {
        char b = glob.charAt(i + 2);
        if (c >= a && c <= b) {
          found = true;
        }
        i += 3;
      } else {
        if (c == a) {
          found = true;
        }
        i++;
      }
    }
    return found != negate;
  }

  /**
   * Whether any glob of a list matches.
   *
   * @param globs the globs
   * @param text the text
   * @return whether one matches
   */
  public static boolean anyMatch(List<String> globs, String text) {
    if (text == null) {
      return false;
    }
    for (String g : globs) {
      if (matches(g, text)) {
        return true;
      }
    }
    return false;
  }
}
