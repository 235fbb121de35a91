package dev.vdisk.apply.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A maintainer script reduced to what can be done offline: the debhelper-generated {@code
 * dpkg-maintscript-helper} calls, and nothing else that would have an effect for the invocation
 * at hand. A script is evaluable when every line is one of: the {@code #!} line, a comment, a
 * blank line, {@code set -e} (or {@code -eu}, {@code -u}), {@code exit 0}, a {@code
 * dpkg-maintscript-helper rm_conffile|mv_conffile|symlink_to_dir|dir_to_symlink ... -- "$@"}
 * call, or an {@code if} block whose condition is an {@code &&} chain made only of {@code [ ... ]}
 * tests (no side effects), one of which is {@code [ "$1" = WORD ]} with WORD not the action being
 * run (so the block cannot run: a purge-only block seen by an upgrade; its body is skipped, nested
 * {@code if}/{@code fi} counted). Anything else means the script must really run: the package is
 * staged.
 */
final class MaintScript {
  /** One helper call: the command and its arguments before {@code --}. */
  record HelperCall(String command, List<String> args) {}

  private MaintScript() {}

  /**
   * The helper calls of a script run with the given first argument, or empty when the script
   * does something else that cannot be evaluated offline.
   *
   * @param text the script
   * @param action the script's first argument ({@code upgrade}, {@code install}, ...)
   * @return the calls in order, or empty
   */
  static Optional<List<HelperCall>> parse(String text, String action) {
    List<HelperCall> calls = new ArrayList<>();
    String[] lines = text.replace("\r\n", "\n").split("\n");
    // join backslash-continued lines
    List<String> joined = new ArrayList<>();
    StringBuilder cur = null;
    for (String l : lines) {
      if (cur != null) {
        cur.append(' ').append(l.strip());
      } else {
        cur = new StringBuilder(l);
      }
      if (cur.toString().endsWith("\\") && !cur.toString().endsWith("\\\\")) {
        cur.setLength(cur.length() - 1);
        continue;
      }
      joined.add(cur.toString());
      cur = null;
    }
    if (cur != null) {
      joined.add(cur.toString());
    }
    int skipDepth = 0;
    for (int i = 0; i < joined.size(); i++) {
      String raw = joined.get(i);
      String line = raw.strip();
      if (skipDepth > 0) {
        for (String tok : line.split("[;\\s]+")) {
          if (tok.equals("if")) {
            skipDepth++;
          } else if (tok.equals("fi")) {
            skipDepth--;
          }
        }
        if (skipDepth < 0) {
          return Optional.empty();
        }
        continue;
      }
      if (i == 0 && line.startsWith("#!")) {
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.matches("set( -[eu]+)+") || line.equals("exit 0")) {
        continue;
      }
      if (line.startsWith("dpkg-maintscript-helper ")) {
        Optional<HelperCall> c = helper(line);
        if (c.isEmpty()) {
          return Optional.empty();
        }
        calls.add(c.get());
        continue;
      }
      if (line.startsWith("if ")) {
        String cond = line.substring(3);
        boolean thenSeen = false;
        if (cond.endsWith("; then")) {
          cond = cond.substring(0, cond.length() - 6);
          thenSeen = true;
        } else if (cond.endsWith(";then")) {
          cond = cond.substring(0, cond.length() - 5);
          thenSeen = true;
        }
        if (!thenSeen) {
          if (i + 1 < joined.size() && joined.get(i + 1).strip().equals("then")) {
            i++;
          } else {
            return Optional.empty();
          }
        }
        if (!cannotRun(cond, action)) {
          return Optional.empty();
        }
        skipDepth = 1;
        continue;
      }
      return Optional.empty();
    }
    if (skipDepth != 0) {
      return Optional.empty();
    }
    return Optional.of(calls);
  }

  /** Whether an && chain of tests contains [ "$1" = WORD ] with WORD not the action. */
  static boolean cannotRun(String cond, String action) {
    if (cond.contains("||") || cond.contains(";") || cond.contains("`") || cond.contains("$(")) {
      return false;
    }
    boolean falseTest = false;
    for (String part : cond.split("&&")) {
      String t = part.strip();
      // only side-effect-free tests may stand in the chain
      if (!t.startsWith("[ ") || !t.endsWith(" ]")) {
        return false;
      }
      List<String> w = words(t);
      if (w == null) {
        continue;
      }
      if (w.size() == 5 && w.get(0).equals("[") && w.get(4).equals("]")
          && w.get(1).equals("$1") && (w.get(2).equals("=") || w.get(2).equals("=="))
          && !w.get(3).equals(action)) {
        falseTest = true;
      }
    }
    return falseTest;
  }

  private static Optional<HelperCall> helper(String line) {
    List<String> w = words(line);
    if (w == null || w.size() < 4) {
      return Optional.empty();
    }
    int dash = w.indexOf("--");
    if (dash < 0 || dash != w.size() - 2 || !w.get(w.size() - 1).equals("\u0000ARGS")) {
      return Optional.empty();
    }
    String cmd = w.get(1);
    switch (cmd) {
      case "rm_conffile", "mv_conffile", "symlink_to_dir", "dir_to_symlink":
        break;
      default:
        return Optional.empty();
    }
    return Optional.of(new HelperCall(cmd, List.copyOf(w.subList(2, dash))));
  }

  /**
   * Splits a simple shell command line into words: single and double quotes, backslash escapes;
   * {@code "$@"} becomes the marker {@code \0ARGS}, {@code "$1"} the word {@code $1}. Returns null
   * on anything else that expands ({@code $}, backquote) or on redirections and operators.
   */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t') {
        if (w != null) {
          out.add(w.toString());
          w = null;
        }
        i++;
        continue;
      }
      if (w == null) {
        w = new StringBuilder();
      }
      if (c == '\\') {
        if (i + 1 >= n) {
          return null;
        }
        w.append(s.charAt(i + 1));
        i += 2;
      } else if (c == '\'') {
        int e = s.indexOf('\'', i + 1);
        if (e < 0) {
          return null;
        }
        w.append(s, i + 1, e);
        i = e + 1;
      } else if (c == '"') {
        int e = i + 1;
        StringBuilder q = new StringBuilder();
        while (e < n && s.charAt(e) != '"') {
          char d = s.charAt(e);
          if (d == '\\' && e + 1 < n && "\"\\$`".indexOf(s.charAt(e + 1)) >= 0) {
            q.append(s.charAt(e + 1));
            e += 2;
            continue;
          }
          if (d == '`') {
            return null;
          }
          q.append(d);
          e++;
        }
        if (e >= n) {
          return null;
        }
        String qs = q.toString();
        if (qs.equals("$@")) {
          w.append("\u0000ARGS");
        } else if (qs.equals("$1")) {
          w.append("$1");
        } else if (qs.contains("$")) {
          return null;
        } else {
          w.append(qs);
        }
        i = e + 1;
      } else if ("$`|&;<>()*?[]{}~".indexOf(c) >= 0 && !(c == '[' || c == ']')) {
        if (c == '&' && i + 1 < n && s.charAt(i + 1) == '&') {
          return null;
        }
        if (c == '~' && w.length() > 0) {
          w.append(c);
          i++;
          continue;
        }
        return null;
      } else {
        w.append(c);
        i++;
      }
    }
    if (w != null) {
      out.add(w.toString());
    }
    return out;
  }
}
