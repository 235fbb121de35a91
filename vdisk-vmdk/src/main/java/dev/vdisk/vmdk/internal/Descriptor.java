package dev.vdisk.vmdk.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VdiskException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The VMDK text descriptor ("Disk DescriptorFile"): a standalone file or the text embedded in a
 * monolithic sparse extent. It holds header keys ({@code version}, {@code CID}, {@code parentCID},
 * {@code createType}, {@code parentFileNameHint}), the extent descriptions, and the disk database
 * ({@code ddb.*} keys).
 *
 * <p>Parsing is tolerant: comments, blank lines, CRLF line ends, spaces around {@code =}, quoted
 * or bare values, and unknown keys are accepted and kept; {@link #toText()} reproduces every line
 * that was not changed through {@link #set}. It is bounded: at most {@link #MAX_SIZE} bytes and
 * {@link #MAX_EXTENTS} extents.
 */
public final class Descriptor {
  /** The largest descriptor accepted, in bytes. */
  public static final int MAX_SIZE = 4 << 20;
  /** The most extents accepted. */
  public static final int MAX_EXTENTS = 1 << 16;
  /** The CID meaning "no parent" in {@code parentCID}. */
  public static final long NO_PARENT_CID = 0xffffffffL;

  private static final String STRUCTURE = "VMDK descriptor";

  /** A line of the descriptor: kept verbatim unless its value was changed. */
  private static final class Line {
    String raw;
    final String key;
    String value;
    final boolean quoted;
    final ExtentDescription extent;

    Line(String raw, String key, String value, boolean quoted, ExtentDescription extent) {
      this.raw = raw;
      this.key = key;
      this.value = value;
      this.quoted = quoted;
      this.extent = extent;
    }
  }

  private final List<Line> lines;
  private final String lineEnd;
  private final Charset charset;

  private Descriptor(List<Line> lines, String lineEnd, Charset charset) {
    this.lines = lines;
    this.lineEnd = lineEnd;
    this.charset = charset;
  }

  /**
   * Parses descriptor bytes; text after the first NUL byte (the padding of an embedded descriptor)
   * is ignored.
   *
   * @param file the file holding the descriptor, for messages
   * @param fileOffset where the descriptor starts in {@code file}, for messages
   * @param bytes the bytes from the buffer's position to its limit (the position is unchanged)
   * @return the descriptor
   * @throws CorruptStructureException if it is too large, holds too many extents, or an extent
   *     line is malformed
   * @throws UnsupportedFeatureException if an extent type is unknown
   */
  public static Descriptor parse(Path file, long fileOffset, ByteBuffer bytes)
      throws VdiskException {
    ByteBuffer b = bytes.duplicate();
    int length = 0;
    int limit = b.remaining();
    int start = b.position();
    while (length < limit && b.get(start + length) != 0) {
      length++;
    }
    if (length > MAX_SIZE) {
      throw new CorruptStructureException(file, fileOffset, STRUCTURE,
          "larger than " + MAX_SIZE + " bytes");
    }
    byte[] raw = new byte[length];
    b.get(start, raw);
    Charset charset = StandardCharsets.UTF_8;
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      charset = StandardCharsets.ISO_8859_1;
      text = new String(raw, charset);
    }
    return parse(file, fileOffset, text, charset);
  }

  /**
   * Parses descriptor text.
   *
   * @param file the file, for messages
   * @param fileOffset where the text starts in {@code file}, for messages
   * @param text the text
   * @return the descriptor
   * @throws VdiskException as {@link #parse(Path, long, ByteBuffer)}
   */
  public static Descriptor parse(Path file, long fileOffset, String text) throws VdiskException {
    return parse(file, fileOffset, text, StandardCharsets.UTF_8);
  }

  private static Descriptor parse(Path file, long fileOffset, String text, Charset charset)
      throws VdiskException {
    if (text.length() > MAX_SIZE) {
      throw new CorruptStructureException(file, fileOffset, STRUCTURE,
          "larger than " + MAX_SIZE + " bytes");
    }
    String lineEnd = text.contains("\r\n") ? "\r\n" : "\n";
    List<Line> lines = new ArrayList<>();
    int extents = 0;
    int pos = 0;
    int lineNo = 0;
    while (pos < text.length()) {
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? text.length() : nl;
      String raw = text.substring(pos, end);
      if (raw.endsWith("\r")) {
        raw = raw.substring(0, raw.length() - 1);
      }
      pos = nl < 0 ? text.length() : nl + 1;
      lineNo++;
      String t = raw.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        lines.add(new Line(raw, null, null, false, null));
        continue;
      }
      ExtentDescription extent = parseExtent(file, fileOffset, lineNo, t);
      if (extent != null) {
        if (++extents > MAX_EXTENTS) {
          throw new CorruptStructureException(file, fileOffset, STRUCTURE,
              "more than " + MAX_EXTENTS + " extents");
        }
        lines.add(new Line(raw, null, null, false, extent));
        continue;
      }
      int eq = t.indexOf('=');
      if (eq <= 0) {
        // Not a key: keep it as it is (VMware ignores such lines too).
        lines.add(new Line(raw, null, null, false, null));
        continue;
      }
      String key = t.substring(0, eq).strip();
      String value = t.substring(eq + 1).strip();
      boolean quoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"");
      if (quoted) {
        value = value.substring(1, value.length() - 1);
      }
      lines.add(new Line(raw, key, value, quoted, null));
    }
    return new Descriptor(lines, lineEnd, charset);
  }

  private static ExtentDescription parseExtent(Path file, long fileOffset, int lineNo, String t)
      throws VdiskException {
    int sp = indexOfSpace(t, 0);
    if (sp < 0) {
      return null;
    }
    ExtentDescription.Access access;
    switch (t.substring(0, sp).toUpperCase(Locale.ROOT)) {
      case "RW" -> access = ExtentDescription.Access.RW;
      case "RDONLY" -> access = ExtentDescription.Access.RDONLY;
      case "NOACCESS" -> access = ExtentDescription.Access.NOACCESS;
      default -> {
        return null;
      }
    }
    List<String> tokens = tokens(file, fileOffset, lineNo, t.substring(sp));
    if (tokens.size() < 2 || tokens.size() > 4) {
      throw extentError(file, fileOffset, lineNo, "expected ACCESS SECTORS TYPE [\"FILE\" [OFFSET]]");
    }
    long sectors = number(file, fileOffset, lineNo, tokens.get(0), "sector count");
    ExtentDescription.Type type = ExtentDescription.Type.of(tokens.get(1));
    if (type == null) {
      throw new UnsupportedFeatureException(file, "VMDK extent type " + tokens.get(1),
          "line " + lineNo + " of the descriptor");
    }
    String name = tokens.size() > 2 ? tokens.get(2) : null;
    long offset = tokens.size() > 3 ? number(file, fileOffset, lineNo, tokens.get(3), "offset") : 0;
    if (type != ExtentDescription.Type.ZERO && (name == null || name.isEmpty())) {
      throw extentError(file, fileOffset, lineNo, type + " extent without a file name");
    }
    if (sectors > SparseExtentHeader.MAX_CAPACITY_SECTORS
        || offset > SparseExtentHeader.MAX_OFFSET_SECTORS) {
      throw extentError(file, fileOffset, lineNo, "sector count or offset out of range");
    }
    return new ExtentDescription(access, sectors, type, name, offset);
  }

  private static int indexOfSpace(String t, int from) {
    for (int i = from; i < t.length(); i++) {
      if (Character.isWhitespace(t.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Splits on whitespace; a token in double quotes may hold spaces. */
  private static List<String> tokens(Path file, long fileOffset, int lineNo, String s)
      throws CorruptStructureException {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length() && out.size() <= 4) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"') {
        int close = s.indexOf('"', i + 1);
        if (close < 0) {
          throw extentError(file, fileOffset, lineNo, "unterminated quoted file name");
        }
        out.add(s.substring(i + 1, close));
        i = close + 1;
      } else {
        int end = indexOfSpace(s, i);
        end = end < 0 ? s.length() : end;
        out.add(s.substring(i, end));
        i = end;
      }
    }
    if (out.size() > 4) {
      throw extentError(file, fileOffset, lineNo, "too many fields");
    }
    return out;
  }

  private static long number(Path file, long fileOffset, int lineNo, String s, String what)
      throws CorruptStructureException {
    try {
      long v = Long.parseLong(s);
      if (v < 0) {
        throw extentError(file, fileOffset, lineNo, "negative " + what);
      }
      return v;
    } catch (NumberFormatException e) {
      throw extentError(file, fileOffset, lineNo, what + " '" + abbreviate(s) + "' is not a number");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static CorruptStructureException extentError(Path file, long fileOffset, int lineNo,
      String detail) {
    return new CorruptStructureException(file, fileOffset, STRUCTURE,
        "extent description on line " + lineNo + ": " + detail);
  }

  /**
   * The extent descriptions, in order.
   *
   * @return an unmodifiable list
   */
  public List<ExtentDescription> extents() {
    List<ExtentDescription> list = new ArrayList<>();
    for (Line l : lines) {
      if (l.extent != null) {
        list.add(l.extent);
      }
    }
    return Collections.unmodifiableList(list);
  }

  /**
   * The value of {@code key} (the first occurrence; keys compare case-insensitively), unquoted.
   *
   * @param key the key
   * @return the value
   */
  public Optional<String> get(String key) {
    for (Line l : lines) {
      if (l.key != null && l.key.equalsIgnoreCase(key)) {
        return Optional.of(l.value);
      }
    }
    return Optional.empty();
  }

  /**
   * The keys in order (header keys and {@code ddb.*} keys).
   *
   * @return the keys
   */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (Line l : lines) {
      if (l.key != null) {
        keys.add(l.key);
      }
    }
    return keys;
  }

  /**
   * Sets {@code key}: replaces the value of its line (keeping the key's spelling and whether it
   * was quoted), or adds a line: header keys before the first extent, {@code ddb.*} keys at the
   * end.
   *
   * @param key the key
   * @param value the value, unquoted
   * @param quote whether a new line quotes the value
   */
  public void set(String key, String value, boolean quote) {
    for (Line l : lines) {
      if (l.key != null && l.key.equalsIgnoreCase(key)) {
        l.value = value;
        l.raw = l.key + (l.raw.contains(" = ") ? " = " : "=")
            + (l.quoted ? "\"" + value + "\"" : value);
        return;
      }
    }
    String text = key + (key.startsWith("ddb.") ? " = " : "=") + (quote ? "\"" + value + "\"" : value);
    Line line = new Line(text, key, value, quote, null);
    if (key.startsWith("ddb.")) {
      lines.add(line);
      return;
    }
    int at = lines.size();
    int lastKey = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).extent != null || isSectionComment(lines.get(i), "extent")) {
        at = i;
        break;
      }
      if (lines.get(i).key != null) {
        lastKey = i;
      }
    }
    lines.add(lastKey >= 0 ? lastKey + 1 : at, line);
  }

  private static boolean isSectionComment(Line l, String word) {
    return l.key == null && l.extent == null
        && l.raw.strip().toLowerCase(Locale.ROOT).startsWith("# " + word);
  }

  /**
   * Removes every line of {@code key}.
   *
   * @param key the key
   * @return whether a line was removed
   */
  public boolean remove(String key) {
    return lines.removeIf(l -> l.key != null && l.key.equalsIgnoreCase(key));
  }

  /**
   * The content ID ({@code CID}), a 32-bit value written in hex.
   *
   * @param file for messages
   * @return the CID
   * @throws CorruptStructureException if missing or not hex
   */
  public long cid(Path file) throws CorruptStructureException {
    return hexKey(file, "CID").orElseThrow(() ->
        new CorruptStructureException(file, -1, STRUCTURE, "no CID"));
  }

  /**
   * The parent's content ID, or {@link #NO_PARENT_CID} when absent.
   *
   * @param file for messages
   * @return the parent CID
   * @throws CorruptStructureException if not hex
   */
  public long parentCid(Path file) throws CorruptStructureException {
    return hexKey(file, "parentCID").orElse(NO_PARENT_CID);
  }

  private Optional<Long> hexKey(Path file, String key) throws CorruptStructureException {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    String s = v.get().strip();
    try {
      long value = Long.parseUnsignedLong(s, 16);
      if (s.isEmpty() || s.length() > 8) {
        throw new NumberFormatException(s);
      }
      return Optional.of(value);
    } catch (NumberFormatException e) {
      throw new CorruptStructureException(file, -1, STRUCTURE,
          key + " '" + abbreviate(s) + "' is not a 32-bit hexadecimal number");
    }
  }

  /**
   * Formats a CID as VMware writes it: eight lower-case hex digits.
   *
   * @param cid the CID
   * @return the text
   */
  public static String formatCid(long cid) {
    return String.format("%08x", cid & 0xffffffffL);
  }

  /**
   * The {@code createType}, or an empty string.
   *
   * @return the create type as written
   */
  public String createType() {
    return get("createType").orElse("");
  }

  /**
   * The {@code parentFileNameHint} of a delta disk.
   *
   * @return the hint
   */
  public Optional<String> parentFileNameHint() {
    return get("parentFileNameHint").filter(s -> !s.isBlank());
  }

  /**
   * The text, with every unchanged line as read and the original line ends (CRLF or LF).
   *
   * @return the text, ending with a line end
   */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    for (Line l : lines) {
      sb.append(l.raw).append(lineEnd);
    }
    return sb.toString();
  }

  /**
   * The text encoded as it was read (UTF-8, or ISO-8859-1 when the bytes were not UTF-8).
   *
   * @return the bytes
   */
  public byte[] toBytes() {
    return toText().getBytes(charset);
  }
}
