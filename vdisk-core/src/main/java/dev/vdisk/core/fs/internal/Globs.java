package dev.vdisk.core.fs.internal;

/** Turns a glob (as {@link java.nio.file.FileSystem#getPathMatcher} describes it) into a regex. */
final class Globs {
  private Globs() {}

  static String toRegex(String glob) {
    StringBuilder re = new StringBuilder("^");
    boolean inGroup = false;
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      switch (c) {
        case '\\':
          if (i < glob.length()) {
            re.append(Pattern0.quote(glob.charAt(i++)));
          } else {
            throw new java.util.regex.PatternSyntaxException("trailing \\", glob, i);
          }
          break;
        case '*':
          if (i < glob.length() && glob.charAt(i) == '*') {
            re.append(".*");
            i++;
          } else {
            re.append("[^/]*");
          }
          break;
        case '?':
          re.append("[^/]");
          break;
        case '{':
          re.append("(?:");
          inGroup = true;
          break;
        case '}':
          re.append(inGroup ? ")" : "\\}");
          inGroup = false;
          break;
        case ',':
          re.append(inGroup ? "|" : ",");
          break;
        case '[':
          re.append('[');
          if (i < glob.length() && glob.charAt(i) == '!') {
            re.append('^');
            i++;
          }
          while (i < glob.length() && glob.charAt(i) != ']') {
            char d = glob.charAt(i++);
            if (d == '\\' || d == '[' || d == '&' || d == '^') {
              re.append('\\');
            }
            re.append(d);
          }
          if (i >= glob.length()) {
            throw new java.util.regex.PatternSyntaxException("missing ]", glob, i);
          }
          i++;
          re.append(']');
          break;
        default:
          re.append(Pattern0.quote(c));
      }
    }
    return re.append('$').toString();
  }

  private static final class Pattern0 {
    static String quote(char c) {
      return "\\^$.|?*+()[]{}".indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
    }
  }
}
