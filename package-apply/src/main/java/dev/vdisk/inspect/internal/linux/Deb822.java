package dev.vdisk.inspect.internal.linux;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Control-file paragraphs (Debian Policy 5.1, "deb822"): {@code Field: value} lines, continuation
 * lines starting with a space or tab, paragraphs separated by blank lines. Field names are kept
 * as written; lookups through {@link #field} ignore case.
 */
public final class Deb822 {
  private Deb822() {}

  /** The paragraphs of a file, each a map of field name to value (continuations joined by '\n'). */
  public static List<Map<String, String>> parse(String text) {
    List<Map<String, String>> out = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    String lastKey = null;
    int start = 0;
    int n = text.length();
    while (start <= n) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      String line = text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      start = end + 1;
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          out.add(current);
          current = new LinkedHashMap<>();
        }
        lastKey = null;
      } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (lastKey != null) {
          current.put(lastKey, current.get(lastKey) + "\n" + line.substring(1));
        }
      } else if (line.charAt(0) == '#') {
        continue;
      } else {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          lastKey = null;
          continue;
        }
        lastKey = line.substring(0, colon).strip();
        current.put(lastKey, line.substring(colon + 1).strip());
      }
      if (end == n) {
        break;
      }
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  /** A field's value, ignoring the case of the name; null when absent. */
  public static String field(Map<String, String> paragraph, String name) {
    String v = paragraph.get(name);
    if (v != null) {
      return v;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> e : paragraph.entrySet()) {
      if (e.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
        return e.getValue();
      }
    }
    return null;
  }
}
