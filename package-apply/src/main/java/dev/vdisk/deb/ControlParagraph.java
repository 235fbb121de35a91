package dev.vdisk.deb;

import dev.vdisk.core.CorruptStructureException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One paragraph of a Debian control file ("deb822": Debian Policy 5.1): {@code Name: value}
 * fields, continuation lines starting with a space or tab. The fields keep their order and their
 * exact text, so a paragraph that is only read (another package's stanza in dpkg's {@code status}
 * file, say) is written back byte for byte by {@link #format()}, and a changed one differs only in
 * the fields that were changed.
 *
 * <p>Used for {@code DEBIAN/control}, dpkg's {@code status} and {@code available}, apt's {@code
 * Packages}, {@code Release} and {@code InRelease} bodies.
 */
public final class ControlParagraph {
  /**
   * One field.
   *
   * @param name the field name as written (lookups ignore case)
   * @param value the value: the first line's text after the colon with surrounding blanks
   *     removed, then each continuation line with its first character (the space or tab) removed,
   *     joined by {@code '\n'}; a continuation line of a single {@code "."} stays {@code "."}
   * @param raw the field's exact text, including its continuation lines and the final {@code
   *     '\n'}
   */
  public record Field(String name, String value, String raw) {
    /**
     * Checks the parts.
     *
     * @param name the name
     * @param value the value
     * @param raw the text
     */
    public Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(raw, "raw");
    }

    /**
     * A field written the way dpkg writes it: {@code "Name: first line"}, then each further line
     * of the value prefixed by a space.
     *
     * @param name the name
     * @param value the value (lines separated by {@code '\n'})
     * @return the field
     */
    public static Field of(String name, String value) {
      StringBuilder sb = new StringBuilder(name).append(':');
      String[] lines = value.split("\n", -1);
      if (!lines[0].isEmpty()) {
        sb.append(' ').append(lines[0]);
      }
      sb.append('\n');
      for (int i = 1; i < lines.length; i++) {
        sb.append(' ').append(lines[i]).append('\n');
      }
      return new Field(name, value, sb.toString());
    }
  }

  private final List<Field> fields;

  private ControlParagraph(List<Field> fields) {
    this.fields = List.copyOf(fields);
  }

  /**
   * A paragraph of the given fields.
   *
   * @param fields the fields, in order
   * @return the paragraph
   */
  public static ControlParagraph of(List<Field> fields) {
    return new ControlParagraph(fields);
  }

  /**
   * Parses every paragraph of a file. Blank lines (empty or only spaces and tabs) separate
   * paragraphs; lines starting with {@code '#'} outside a field's continuation are comments and
   * are dropped (as dpkg and apt do).
   *
   * @param text the file's text (a final newline is optional; CR before LF is kept in raw and
   *     removed from values)
   * @param source the file's name for error messages
   * @return the paragraphs in order
   * @throws CorruptStructureException if a line is neither a field, a continuation, a comment nor
   *     blank (the offset is the line's character offset), or a continuation comes first
   */
  public static List<ControlParagraph> parseAll(String text, String source)
      throws CorruptStructureException {
    List<ControlParagraph> out = new ArrayList<>();
    List<Field> current = new ArrayList<>();
    String name = null;
    StringBuilder value = null;
    StringBuilder raw = null;
    int pos = 0;
    int n = text.length();
    while (pos < n) {
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? n : nl + 1;
      String rawLine = text.substring(pos, end);
      String line = stripEol(rawLine);
      boolean blank = line.chars().allMatch(c -> c == ' ' || c == '\t');
      if (blank) {
        if (name != null) {
          current.add(new Field(name, value.toString(), raw.toString()));
          name = null;
        }
        if (!current.isEmpty()) {
          out.add(new ControlParagraph(current));
          current = new ArrayList<>();
        }
      } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (name == null) {
          throw new CorruptStructureException(source, pos, "control paragraph",
              "continuation line without a field: " + abbreviate(line));
        }
        value.append('\n').append(line.substring(1));
        raw.append(rawLine.endsWith("\n") ? rawLine : rawLine + "\n");
      } else if (line.charAt(0) == '#') {
        // comment: dropped
      } else {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new CorruptStructureException(source, pos, "control paragraph",
              "line is not a 'Name: value' field: " + abbreviate(line));
        }
        if (name != null) {
          current.add(new Field(name, value.toString(), raw.toString()));
        }
        name = line.substring(0, colon);
        value = new StringBuilder(line.substring(colon + 1).strip());
        raw = new StringBuilder(rawLine.endsWith("\n") ? rawLine : rawLine + "\n");
      }
      pos = end;
    }
    if (name != null) {
      current.add(new Field(name, value.toString(), raw.toString()));
    }
    if (!current.isEmpty()) {
      out.add(new ControlParagraph(current));
    }
    return out;
  }

  /**
   * Parses a text holding exactly one paragraph (a package's {@code control} file).
   *
   * @param text the text
   * @param source the file's name for error messages
   * @return the paragraph
   * @throws CorruptStructureException if the text is malformed or holds no or several paragraphs
   */
  public static ControlParagraph parse(String text, String source)
      throws CorruptStructureException {
    List<ControlParagraph> all = parseAll(text, source);
    if (all.size() != 1) {
      throw new CorruptStructureException(source, 0, "control file",
          "expected one paragraph, found " + all.size());
    }
    return all.get(0);
  }

  private static String stripEol(String rawLine) {
    int e = rawLine.length();
    if (e > 0 && rawLine.charAt(e - 1) == '\n') {
      e--;
    }
    if (e > 0 && rawLine.charAt(e - 1) == '\r') {
      e--;
    }
    return rawLine.substring(0, e);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? "'" + s + "'" : "'" + s.substring(0, 60) + "...'";
  }

  /**
   * The fields in order.
   *
   * @return the fields (unmodifiable)
   */
  public List<Field> fields() {
    return Collections.unmodifiableList(fields);
  }

  /**
   * A field's value, ignoring the case of its name.
   *
   * @param name the field name
   * @return the value, or {@code null} when the paragraph has no such field
   */
  public String get(String name) {
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return f.value();
      }
    }
    return null;
  }

  /**
   * A field's value, or a default.
   *
   * @param name the field name
   * @param otherwise the value when absent
   * @return the value
   */
  public String get(String name, String otherwise) {
    String v = get(name);
    return v == null ? otherwise : v;
  }

  /**
   * Whether the paragraph has a field.
   *
   * @param name the name (case ignored)
   * @return whether present
   */
  public boolean has(String name) {
    return get(name) != null;
  }

  /**
   * A copy with one field set: replaced in place when present (keeping its position and the
   * name's spelling), else appended. The new field is written as dpkg writes it ({@link
   * Field#of}).
   *
   * @param name the name
   * @param value the value
   * @return the new paragraph
   */
  public ControlParagraph with(String name, String value) {
    List<Field> out = new ArrayList<>(fields);
    for (int i = 0; i < out.size(); i++) {
      if (out.get(i).name().equalsIgnoreCase(name)) {
        out.set(i, Field.of(out.get(i).name(), value));
        return new ControlParagraph(out);
      }
    }
    out.add(Field.of(name, value));
    return new ControlParagraph(out);
  }

  /**
   * A copy without a field.
   *
   * @param name the name (case ignored)
   * @return the new paragraph (this one when the field is absent)
   */
  public ControlParagraph without(String name) {
    List<Field> out = new ArrayList<>(fields);
    if (!out.removeIf(f -> f.name().equalsIgnoreCase(name))) {
      return this;
    }
    return new ControlParagraph(out);
  }

  /**
   * The paragraph's text: every field's {@link Field#raw()} in order, with no blank line after.
   *
   * @return the text
   */
  public String format() {
    StringBuilder sb = new StringBuilder();
    for (Field f : fields) {
      sb.append(f.raw());
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ControlParagraph p && p.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    String pkg = get("Package");
    return "ControlParagraph[" + (pkg != null ? pkg : fields.size() + " fields") + "]";
  }
}
