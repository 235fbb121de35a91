package dev.vdisk.trust.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.deb.ControlParagraph;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of an apt {@code Release} (or {@code InRelease}) file: its dates and the SHA-256 of
 * every index it vouches for (Debian wiki "DebianRepository/Format", section Release).
 *
 * @param paragraph the parsed fields
 * @param date the {@code Date}, or {@code null}
 * @param validUntil the {@code Valid-Until}, or {@code null}
 * @param sha256 path (relative to the Release's directory) to its entry
 */
public record ReleaseFile(ControlParagraph paragraph, Instant date, Instant validUntil,
    Map<String, Entry> sha256) {

  /** How far in the future a Release's {@code Date} may lie before it is refused. */
  public static final Duration DATE_SLACK = Duration.ofMinutes(10);

  /** The most index entries read from one Release file. */
  public static final int MAX_ENTRIES = 1_000_000;

  /**
   * One line of the {@code SHA256} field.
   *
   * @param sha256 the hash, lower-case hex
   * @param size the size in bytes
   * @param path the path relative to the Release's directory
   */
  public record Entry(String sha256, long size, String path) {}

  /**
   * Parses a Release body.
   *
   * @param text the text (an InRelease's signed content, or a Release file)
   * @param source the file's name for messages
   * @return the parsed file
   * @throws CorruptStructureException if it is not one control paragraph, a date is malformed,
   *     or a SHA256 line is not "hash size path"
   */
  public static ReleaseFile parse(String text, String source) throws CorruptStructureException {
    List<ControlParagraph> all = ControlParagraph.parseAll(text, source);
    if (all.isEmpty()) {
      throw new CorruptStructureException(source, 0, "Release", "no fields");
    }
    ControlParagraph p = all.get(0);
    Instant date = p.has("Date") ? parseDate(p.get("Date"), source, "Date") : null;
    Instant valid = p.has("Valid-Until")
        ? parseDate(p.get("Valid-Until"), source, "Valid-Until") : null;
    Map<String, Entry> entries = new LinkedHashMap<>();
    String sums = p.get("SHA256");
    if (sums != null) {
      for (String line : sums.split("\n")) {
        String l = line.strip();
        if (l.isEmpty()) {
          continue;
        }
        String[] parts = l.split("[ \t]+");
        if (parts.length != 3 || !parts[0].matches("[0-9a-fA-F]{64}")
            || !parts[1].matches("[0-9]{1,18}")) {
          throw new CorruptStructureException(source, -1, "Release SHA256 field",
              "line is not 'sha256 size path': '" + abbreviate(l) + "'");
        }
        if (entries.size() >= MAX_ENTRIES) {
          throw new CorruptStructureException(source, -1, "Release SHA256 field",
              "more than " + MAX_ENTRIES + " entries");
        }
        entries.put(parts[2], new Entry(parts[0].toLowerCase(Locale.ROOT),
            Long.parseLong(parts[1]), parts[2]));
      }
    }
    return new ReleaseFile(p, date, valid, entries);
  }

  /**
   * Why the Release's dates make it untrustworthy at {@code now}, if they do.
   *
   * @param now the time
   * @param allowExpired accept a {@code Valid-Until} in the past
   * @return the reasons (empty when fine)
   */
  public List<String> dateProblems(Instant now, boolean allowExpired) {
    List<String> out = new ArrayList<>();
    if (validUntil != null && !validUntil.isAfter(now) && !allowExpired) {
      out.add("the index expired on " + KeyValidity.date(validUntil) + " (Valid-Until; now is "
          + KeyValidity.date(now) + "); --allow-expired accepts it");
    }
    if (date != null && date.isAfter(now.plus(DATE_SLACK))) {
      out.add("the index's Date " + KeyValidity.date(date) + " is in the future (now is "
          + KeyValidity.date(now) + ")");
    }
    if (sha256.isEmpty()) {
      out.add("the index has no SHA256 field (MD5Sum and SHA1 alone are not trusted)");
    }
    return out;
  }

  private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
      "aug", "sep", "oct", "nov", "dec"};

  /**
   * Parses an RFC 2822 date as apt writes it: {@code "Sat, 11 Nov 2023 09:31:06 UTC"} (the day
   * name optional; zone {@code UTC}, {@code GMT}, {@code Z} or a numeric offset).
   *
   * @param value the text
   * @param source the file, for messages
   * @param field the field name, for messages
   * @return the instant
   * @throws CorruptStructureException if it is not such a date
   */
  public static Instant parseDate(String value, String source, String field)
      throws CorruptStructureException {
    String v = value.strip();
    int comma = v.indexOf(',');
    if (comma >= 0) {
      v = v.substring(comma + 1).strip();
    }
    String[] parts = v.split("[ \t]+");
    try {
      if (parts.length != 5) {
        throw new DateTimeException("expected 'day month year hh:mm:ss zone'");
      }
      int day = Integer.parseInt(parts[0]);
      int month = -1;
      for (int i = 0; i < 12; i++) {
        if (MONTHS[i].equalsIgnoreCase(parts[1])) {
          month = i + 1;
        }
      }
      int year = Integer.parseInt(parts[2]);
      String[] hms = parts[3].split(":");
      if (month < 0 || hms.length != 3 || parts[2].length() != 4) {
        throw new DateTimeException("bad month or time");
      }
      LocalDateTime t = LocalDateTime.of(year, month, day, Integer.parseInt(hms[0]),
          Integer.parseInt(hms[1]), Integer.parseInt(hms[2]));
      String z = parts[4];
      ZoneOffset off;
      if (z.equalsIgnoreCase("UTC") || z.equalsIgnoreCase("GMT") || z.equals("Z")) {
        off = ZoneOffset.UTC;
      } else if (z.matches("[+-][0-9]{4}")) {
        int hh = Integer.parseInt(z.substring(1, 3));
        int mm = Integer.parseInt(z.substring(3, 5));
        int sign = z.charAt(0) == '-' ? -1 : 1;
        off = ZoneOffset.ofHoursMinutes(sign * hh, sign * mm);
      } else {
        throw new DateTimeException("unknown zone " + z);
      }
      return t.toInstant(off);
    } catch (DateTimeException | NumberFormatException e) {
      throw new CorruptStructureException(source, -1, "Release " + field + " field",
          "not an RFC 2822 date: '" + abbreviate(value) + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
