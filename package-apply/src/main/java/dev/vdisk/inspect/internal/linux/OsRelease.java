package dev.vdisk.inspect.internal.linux;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@code os-release} file (also {@code lsb-release}): {@code KEY=value} lines whose values
 * follow the shell's quoting rules (double quotes with backslash escapes for {@code $ ` " \},
 * single quotes taken literally, unquoted text with backslash escapes), {@code #} comments.
 * Lines that are not assignments are skipped, as a shell sourcing the file would fail on them.
 */
public final class OsRelease {
  private static final int MAX_LINES = 10_000;

  private OsRelease() {}

  /** The assignments in order (a later one wins). */
  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", MAX_LINES + 1);
    int n = Math.min(lines.length, MAX_LINES);
    for (int i = 0; i < n; i++) {
      // only leading blanks go: a trailing one may be escaped ("a\ ")
      String line = lines[i].stripLeading();
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring(7).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq);
      if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        continue;
      }
      String value = unquote(line.substring(eq + 1));
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  /** A shell word's value, or null when the quoting is unbalanced. */
  static String unquote(String word) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    int n = word.length();
    while (i < n) {
      char c = word.charAt(i);
      if (c == '\'') {
        int end = word.indexOf('\'', i + 1);
        if (end < 0) {
          return null;
        }
        sb.append(word, i + 1, end);
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char d = word.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n && "$`\"\\\n".indexOf(word.charAt(i + 1)) >= 0) {
            sb.append(word.charAt(i + 1));
            i += 2;
          } else {
            sb.append(d);
            i++;
          }
        }
        if (!closed) {
          return null;
        }
      } else if (c == '\\') {
        if (i + 1 < n) {
          sb.append(word.charAt(i + 1));
        }
        i += 2;
      } else if (Character.isWhitespace(c)) {
        break; // the rest is another word (a command, in a shell): ignored
      } else if (c == '#' && sb.length() == 0) {
        break;
      } else {
        sb.append(c);
        i++;
      }
    }
    return sb.toString();
  }
}
