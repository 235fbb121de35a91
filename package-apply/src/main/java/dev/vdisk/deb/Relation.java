package dev.vdisk.deb;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One alternative of a package relationship field ({@code Depends}, {@code Pre-Depends}, {@code
 * Conflicts}, {@code Breaks}, {@code Provides}, ...; Debian Policy 7.1): {@code
 * name[:archqual] [(op version)] [[arch list]]}.
 *
 * <p>Syntax accepted by {@link #parseField}: groups separated by {@code ,}, alternatives inside a
 * group by {@code |}; white space (including the newlines of a continued field) is allowed
 * around every separator and inside the parentheses and brackets, but not inside a name or
 * between a name and its {@code :} qualifier. The operators are {@code <<}, {@code <=}, {@code =},
 * {@code >=}, {@code >>}; the obsolete {@code <} and {@code >} are read as dpkg reads them, as
 * {@code <=} and {@code >=}, and a version without an operator as {@code =} (dpkg's implicit exact
 * match). Build-profile restrictions ({@code <!nocheck> <stage1 cross>}) are accepted after the
 * architecture list and not kept.
 *
 * @param name the package name (as written; dpkg compares names ignoring case)
 * @param archQualifier the multi-arch qualifier ({@code any}, {@code native} or an architecture),
 *     or {@code null}
 * @param op the operator ({@code <<}, {@code <=}, {@code =}, {@code >=}, {@code >>}), or {@code
 *     null} for any version
 * @param version the version, or {@code null}
 * @param architectures the architecture restriction list as written (may hold {@code !arch}),
 *     empty when absent
 */
public record Relation(String name, String archQualifier, String op, String version,
    List<String> architectures) {

  /** Longest field text accepted (a bound on work for hostile input; real fields are under 64 KiB). */
  public static final int MAX_FIELD_LENGTH = 1 << 20;

  /**
   * Checks the parts.
   *
   * @param name the name
   * @param archQualifier the qualifier or {@code null}
   * @param op the operator or {@code null}
   * @param version the version or {@code null} (present exactly when {@code op} is)
   * @param architectures the architecture list
   */
  public Relation {
    Objects.requireNonNull(name, "name");
    if ((op == null) != (version == null)) {
      throw new IllegalArgumentException("operator and version go together: " + op + " " + version);
    }
    architectures = List.copyOf(architectures);
  }

  /**
   * Parses a relationship field into its AND-list of OR-groups.
   *
   * @param field the field's value
   * @return the groups; each group's alternatives are ORed (empty for an empty field)
   * @throws IllegalArgumentException if the field is malformed: the message names the field text,
   *     the character position and what was expected
   */
  public static List<List<Relation>> parseField(String field) {
    Objects.requireNonNull(field, "field");
    if (field.length() > MAX_FIELD_LENGTH) {
      throw new IllegalArgumentException("relationship field of " + field.length()
          + " characters is longer than " + MAX_FIELD_LENGTH);
    }
    return new Parser(field).field();
  }

  /**
   * The parsed version.
   *
   * @return the version, or {@code null} when the relation has none
   */
  public DebVersion parsedVersion() {
    return version == null ? null : DebVersion.parse(version);
  }

  /**
   * Whether a version satisfies this relation's version constraint (any version does when there
   * is none).
   *
   * @param candidate the version
   * @return whether {@code candidate op version} holds
   */
  public boolean versionSatisfiedBy(DebVersion candidate) {
    return op == null || DebVersion.satisfies(candidate, op, parsedVersion());
  }

  /**
   * The relation as dpkg-dev's {@code Dpkg::Deps} writes it: {@code name[:qual] (op version)
   * [arch ...]}.
   *
   * @return the text
   */
  public String format() {
    StringBuilder sb = new StringBuilder(name);
    if (archQualifier != null) {
      sb.append(':').append(archQualifier);
    }
    if (op != null) {
      sb.append(" (").append(op).append(' ').append(version).append(')');
    }
    if (!architectures.isEmpty()) {
      sb.append(" [").append(String.join(" ", architectures)).append(']');
    }
    return sb.toString();
  }

  /**
   * A whole field written canonically: groups joined by {@code ", "}, alternatives by {@code " |
   * "}.
   *
   * @param groups the groups as {@link #parseField} returns them
   * @return the text
   */
  public static String formatField(List<List<Relation>> groups) {
    StringBuilder sb = new StringBuilder();
    for (List<Relation> group : groups) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      for (int i = 0; i < group.size(); i++) {
        if (i > 0) {
          sb.append(" | ");
        }
        sb.append(group.get(i).format());
      }
    }
    return sb.toString();
  }

  /** A hand-written recursive-descent parser over one field. */
  private static final class Parser {
    private final String s;
    private int p;

    Parser(String s) {
      this.s = s;
    }

    List<List<Relation>> field() {
      List<List<Relation>> groups = new ArrayList<>();
      skipSpace();
      if (p == s.length()) {
        return groups;
      }
      while (true) {
        groups.add(group());
        if (p == s.length()) {
          return groups;
        }
        // group() stops only at the end or a comma
        p++;
        skipSpace();
      }
    }

    private List<Relation> group() {
      List<Relation> alternatives = new ArrayList<>();
      while (true) {
        Relation r = alternative();
        alternatives.add(r);
        if (p == s.length() || s.charAt(p) == ',') {
          return List.copyOf(alternatives);
        }
        if (s.charAt(p) != '|') {
          throw error("syntax error after the reference to '" + r.name()
              + "' (expected ',', '|' or the end)");
        }
        p++;
        skipSpace();
      }
    }

    private Relation alternative() {
      int start = p;
      while (p < s.length() && !isSpace(s.charAt(p)) && ":(,|[<".indexOf(s.charAt(p)) < 0) {
        p++;
      }
      if (p == start) {
        throw error("missing package name, or garbage where a package name was expected");
      }
      String name = s.substring(start, p);
      String bad = illegalName(name);
      if (bad != null) {
        p = start;
        throw error("invalid package name '" + name + "': " + bad);
      }
      String qualifier = null;
      if (p < s.length() && s.charAt(p) == ':') {
        p++;
        int qs = p;
        while (p < s.length() && !isSpace(s.charAt(p)) && "(,|[<".indexOf(s.charAt(p)) < 0) {
          p++;
        }
        qualifier = s.substring(qs, p);
        if (qualifier.isEmpty()) {
          throw error("missing architecture name after ':' of '" + name + "'");
        }
        if (!isArchName(qualifier)) {
          p = qs;
          throw error("invalid architecture qualifier '" + qualifier + "' of '" + name + "'");
        }
      }
      skipSpace();
      String op = null;
      String version = null;
      if (p < s.length() && s.charAt(p) == '(') {
        p++;
        skipSpace();
        op = operator(name);
        skipSpace();
        int vs = p;
        while (p < s.length() && !isSpace(s.charAt(p)) && s.charAt(p) != ')'
            && s.charAt(p) != '(') {
          p++;
        }
        version = s.substring(vs, p);
        skipSpace();
        if (p == s.length()) {
          throw error("version of '" + name + "' unterminated");
        }
        if (s.charAt(p) != ')') {
          throw error("version of '" + name + "' contains '" + s.charAt(p) + "' instead of ')'");
        }
        if (version.isEmpty()) {
          throw error("version of '" + name + "' is empty");
        }
        try {
          DebVersion.parse(version);
        } catch (IllegalArgumentException e) {
          p = vs;
          throw error("bad version of '" + name + "': " + e.getMessage());
        }
        p++;
        skipSpace();
      }
      List<String> arches = List.of();
      if (p < s.length() && s.charAt(p) == '[') {
        arches = archList(name);
        skipSpace();
      }
      while (p < s.length() && s.charAt(p) == '<') {
        profiles(name);
        skipSpace();
      }
      return new Relation(name, qualifier, op, version, arches);
    }

    private String operator(String name) {
      if (p == s.length()) {
        throw error("version of '" + name + "' unterminated");
      }
      char c1 = s.charAt(p);
      if (c1 == '<' || c1 == '>') {
        char c2 = p + 1 < s.length() ? s.charAt(p + 1) : '\0';
        if (c2 == '=') {
          p += 2;
          return c1 + "=";
        }
        if (c2 == c1) {
          p += 2;
          return "" + c1 + c1;
        }
        if (c2 == '<' || c2 == '>') {
          throw error("bad version relationship " + c1 + c2 + " for '" + name + "'");
        }
        // obsolete '<' and '>': dpkg reads them as '<=' and '>='
        p++;
        return c1 + "=";
      }
      if (c1 == '=') {
        p++;
        return "=";
      }
      // no operator: dpkg's implicit exact match
      return "=";
    }

    private List<String> archList(String name) {
      int open = p;
      p++;
      List<String> arches = new ArrayList<>();
      while (true) {
        skipSpace();
        if (p == s.length()) {
          p = open;
          throw error("architecture list of '" + name + "' not closed");
        }
        if (s.charAt(p) == ']') {
          p++;
          break;
        }
        int ts = p;
        while (p < s.length() && !isSpace(s.charAt(p)) && s.charAt(p) != ']') {
          p++;
        }
        String token = s.substring(ts, p);
        String arch = token.startsWith("!") ? token.substring(1) : token;
        if (!isArchName(arch)) {
          p = ts;
          throw error("invalid architecture '" + token + "' in the list of '" + name + "'");
        }
        arches.add(token);
      }
      if (arches.isEmpty()) {
        p = open;
        throw error("empty architecture list of '" + name + "'");
      }
      return arches;
    }

    private void profiles(String name) {
      int open = p;
      p++;
      int terms = 0;
      while (true) {
        skipSpace();
        if (p == s.length()) {
          p = open;
          throw error("build profile list of '" + name + "' not closed");
        }
        if (s.charAt(p) == '>') {
          p++;
          break;
        }
        int ts = p;
        while (p < s.length() && !isSpace(s.charAt(p)) && s.charAt(p) != '>') {
          p++;
        }
        String token = s.substring(ts, p);
        String profile = token.startsWith("!") ? token.substring(1) : token;
        if (profile.isEmpty() || !profile.chars().allMatch(
            c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "+-.".indexOf(c) >= 0)) {
          p = ts;
          throw error("invalid build profile '" + token + "' of '" + name + "'");
        }
        terms++;
      }
      if (terms == 0) {
        p = open;
        throw error("empty build profile list of '" + name + "'");
      }
    }

    private void skipSpace() {
      while (p < s.length() && isSpace(s.charAt(p))) {
        p++;
      }
    }

    private IllegalArgumentException error(String what) {
      String shown = s.length() <= 200 ? s : s.substring(0, 200) + "...";
      return new IllegalArgumentException(
          "relationship field '" + shown + "' at position " + p + ": " + what);
    }
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000b';
  }

  private static boolean isAlnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** dpkg's package name rule: an alphanumeric first, then alphanumerics and {@code -+._}. */
  static String illegalName(String name) {
    if (!isAlnum(name.charAt(0))) {
      return "must start with an alphanumeric character";
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAlnum(c) && "-+._".indexOf(c) < 0) {
        return "character '" + c + "' not allowed (only letters, digits and characters '-+._')";
      }
    }
    return null;
  }

  /** dpkg's architecture name rule: an alphanumeric first, then alphanumerics and {@code -}. */
  static boolean isArchName(String arch) {
    if (arch.isEmpty() || !isAlnum(arch.charAt(0))) {
      return false;
    }
    for (int i = 1; i < arch.length(); i++) {
      char c = arch.charAt(i);
      if (!isAlnum(c) && c != '-') {
        return false;
      }
    }
    return true;
  }
}
