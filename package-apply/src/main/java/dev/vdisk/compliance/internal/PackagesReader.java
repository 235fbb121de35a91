package dev.vdisk.compliance.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.deb.DebVersion;
import dev.vdisk.deb.Relation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code Packages} (or dpkg {@code status}) paragraphs from a stream, one line at a time,
 * keeping only the fields evaluation needs; strings go through an interner shared by every index
 * of a catalog.
 */
public final class PackagesReader {
  private static final Logger LOG = LoggerFactory.getLogger(PackagesReader.class);

  /** The longest line or paragraph accepted. */
  public static final int MAX_PARAGRAPH_BYTES = 1 << 20;
  /** The most paragraphs read from one stream. */
  public static final int MAX_PARAGRAPHS = 2_000_000;

  private static final Set<String> KEPT = Set.of("package", "version", "architecture",
      "multi-arch", "priority", "section", "depends", "pre-depends", "provides", "breaks",
      "conflicts", "filename", "size", "sha256", "status", "essential", "replaces", "installed-size");
  private static final Set<String> RELATIONS = Set.of("depends", "pre-depends", "provides",
      "breaks", "conflicts");

  private final Map<String, String> interned = new HashMap<>();

  /** A reader with its own interner. */
  public PackagesReader() {}

  /**
   * One parsed paragraph: the entry and its dpkg {@code Status} ("" in a Packages index).
   *
   * @param entry the entry
   * @param status the {@code Status} field, or ""
   */
  public record Paragraph(DebEntry entry, String status) {}

  /**
   * Reads every paragraph.
   *
   * @param in the uncompressed text (not closed)
   * @param source the file's name, for messages
   * @param suite the suite the entries belong to, or null for a status file
   * @param sink receives each paragraph
   * @return the number of paragraphs read
   * @throws CorruptStructureException if a line or paragraph is too long, there are too many, or
   *     a paragraph has a malformed version or relationship field (status files: such
   *     paragraphs are skipped with a log message)
   * @throws IOException on an I/O error
   */
  public synchronized int read(InputStream in, String source, SuiteIndex suite,
      Consumer<Paragraph> sink) throws IOException {
    Map<String, String> fields = new HashMap<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    byte[] buf = new byte[1 << 16];
    String current = null;
    StringBuilder value = new StringBuilder();
    long offset = 0;
    long paraStart = 0;
    int paraBytes = 0;
    int count = 0;
    boolean eof = false;
    int n = 0;
    int pos = 0;
    while (!eof) {
      // read one line
      line.reset();
      boolean gotLine = false;
      while (true) {
        if (pos == n) {
          n = in.read(buf);
          pos = 0;
          if (n <= 0) {
            n = 0;
            eof = true;
            break;
          }
        }
        int start = pos;
        while (pos < n && buf[pos] != '\n') {
          pos++;
        }
        line.write(buf, start, pos - start);
        offset += pos - start;
        if (line.size() > MAX_PARAGRAPH_BYTES) {
          throw new CorruptStructureException(source, offset, "Packages paragraph",
              "line longer than " + MAX_PARAGRAPH_BYTES + " bytes");
        }
        if (pos < n) {
          pos++;
          offset++;
          gotLine = true;
          break;
        }
      }
      String l = line.toString(StandardCharsets.UTF_8);
      if (l.endsWith("\r")) {
        l = l.substring(0, l.length() - 1);
      }
      boolean blank = l.isBlank();
      if (!blank) {
        paraBytes += l.length() + 1;
        if (paraBytes > MAX_PARAGRAPH_BYTES) {
          throw new CorruptStructureException(source, paraStart, "Packages paragraph",
              "longer than " + MAX_PARAGRAPH_BYTES + " bytes");
        }
        char c = l.charAt(0);
        if (c == ' ' || c == '\t') {
          if (current != null) {
            value.append('\n').append(l.strip());
          }
        } else if (c != '#') {
          if (current != null) {
            fields.put(current, value.toString());
          }
          int colon = l.indexOf(':');
          if (colon <= 0) {
            throw new CorruptStructureException(source, offset, "Packages paragraph",
                "line is not 'Field: value': '" + abbreviate(l) + "'");
          }
          String key = l.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
          current = KEPT.contains(key) ? key : null;
          value.setLength(0);
          if (current != null) {
            value.append(l.substring(colon + 1).strip());
          }
        }
      }
      if ((blank || eof) && (current != null || !fields.isEmpty() || paraBytes > 0)) {
        if (current != null) {
          fields.put(current, value.toString());
        }
        if (!fields.isEmpty() || paraBytes > 0) {
          Paragraph p = paragraph(fields, source, paraStart, suite);
          if (p != null) {
            sink.accept(p);
            if (++count > MAX_PARAGRAPHS) {
              throw new CorruptStructureException(source, paraStart, "Packages index",
                  "more than " + MAX_PARAGRAPHS + " paragraphs");
            }
          }
        }
        fields.clear();
        current = null;
        value.setLength(0);
        paraBytes = 0;
      }
      if (blank) {
        paraStart = offset;
      }
      if (!gotLine) {
        eof = true;
      }
    }
    return count;
  }

  private Paragraph paragraph(Map<String, String> f, String source, long offset,
      SuiteIndex suite) throws CorruptStructureException {
    String name = f.get("package");
    boolean status = suite == null;
    if (name == null || name.isEmpty()) {
      if (status) {
        return null;
      }
      throw new CorruptStructureException(source, offset, "Packages paragraph",
          "paragraph without Package");
    }
    String v = f.getOrDefault("version", "");
    DebVersion version = DebVersion.tryParse(v);
    if (version == null) {
      if (status) {
        LOG.debug("{}: {} has no valid version '{}'; skipped", source, name, v);
        return null;
      }
      throw new CorruptStructureException(source, offset, "Packages paragraph",
          name + " has an invalid Version '" + abbreviate(v) + "'");
    }
    for (String r : RELATIONS) {
      String text = f.get(r);
      if (text != null && !text.isEmpty()) {
        try {
          Relation.parseField(text);
        } catch (IllegalArgumentException e) {
          if (status) {
            LOG.debug("{}: {} has a malformed {} field; ignored", source, name, r);
            f.put(r, "");
            continue;
          }
          throw new CorruptStructureException(source, offset, "Packages paragraph",
              name + " has a malformed " + r + " field: " + e.getMessage());
        }
      }
    }
    long size = -1;
    String sz = f.get("size");
    if (sz != null && sz.matches("[0-9]{1,18}")) {
      size = Long.parseLong(sz);
    }
    DebEntry e = new DebEntry(i(name), version, i(f.getOrDefault("architecture", "")),
        i(f.getOrDefault("multi-arch", "")), i(f.getOrDefault("priority", "")),
        i(f.getOrDefault("section", "")), i(f.getOrDefault("depends", "")),
        i(f.getOrDefault("pre-depends", "")), i(f.getOrDefault("provides", "")),
        i(f.getOrDefault("breaks", "")), i(f.getOrDefault("conflicts", "")),
        f.getOrDefault("filename", ""), size,
        f.getOrDefault("sha256", "").toLowerCase(java.util.Locale.ROOT), suite,
        "yes".equalsIgnoreCase(f.getOrDefault("essential", "").strip()),
        i(f.getOrDefault("replaces", "")), i(f.getOrDefault("installed-size", "")));
    return new Paragraph(e, f.getOrDefault("status", ""));
  }

  private String i(String s) {
    if (s.isEmpty()) {
      return "";
    }
    String k = interned.putIfAbsent(s, s);
    return k == null ? s : k;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
