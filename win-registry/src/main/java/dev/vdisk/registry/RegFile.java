package dev.vdisk.registry;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed {@code .reg} file: the text format regedit, Wine's regedit and {@code hivexregedit}
 * read and write. The file is kept as a list of {@link Record}s in file order, each naming its
 * key path exactly as written (with any {@code HKEY_...} prefix); {@link RegImport} applies them
 * to a hive.
 *
 * <p>What is read:
 *
 * <ul>
 *   <li>the header {@code Windows Registry Editor Version 5.00} or {@code REGEDIT4} as the first
 *       line that is not blank; the bytes may be UTF-16LE with a byte-order mark (as regedit
 *       writes them), UTF-8 with or without one, or, line by line where a line is not valid
 *       UTF-8, Latin-1 (hivexregedit --export writes names made only of characters below U+0100
 *       as Latin-1 bytes);
 *   <li>{@code [KEY]} (create the key, then its values follow) and {@code [-KEY]} (delete the key
 *       and everything below it);
 *   <li>{@code "name"=DATA} and {@code @=DATA} (the default value), {@code "name"=-} and {@code
 *       @=-} (delete the value). In quoted names and strings {@code \\} is a backslash and {@code
 *       \"} a quote; {@code \n}, {@code \r} and {@code \0} are the control characters (as Wine's
 *       regedit writes them); a backslash before any other character is kept with it;
 *   <li>DATA: {@code "string"} (REG_SZ, stored as UTF-16LE with a terminating NUL), {@code
 *       dword:X} (one to eight hex digits, little-endian), {@code hex:BYTES} (REG_BINARY), {@code
 *       hex(T):BYTES} (any type code T up to {@code ffffffff}, in hex: {@code hex(2)} EXPAND_SZ,
 *       {@code hex(7)} MULTI_SZ, {@code hex(b)} QWORD, {@code hex(0)} NONE, {@code hex(100000)}
 *       ...), and hivexregedit's and Wine's {@code str:"..."} and {@code str(T):"..."} (a quoted
 *       string stored as UTF-16LE with a NUL under type T). BYTES are two-digit hex numbers
 *       separated by commas, possibly none;
 *   <li>a line ending in a backslash (outside a quoted string) continues on the next line;
 *       leading blanks of the continuation are ignored;
 *   <li>comment lines starting with {@code ;}, a {@code ;} comment after a complete value, blank
 *       lines, CRLF or LF line ends.
 * </ul>
 *
 * <p>The bytes of {@code hex(2)}/{@code hex(7)} values are kept as written, also in REGEDIT4 files
 * (where Windows would convert them from the ANSI code page); a REGEDIT4 file's non-ASCII text is
 * read as Latin-1 unless it is valid UTF-8. More lenient than hivexregedit: a {@code [KEY]} line
 * may follow value lines without a blank line, comments may stand inside a section, {@code
 * dword:} takes one to eight digits; stricter: hex bytes must have two digits each and nothing
 * but a comment may follow a value. Anything else is reported as a
 * {@link CorruptStructureException} whose offset is the 1-based line number (the first line of a
 * continued line) and whose message quotes the line.
 */
public final class RegFile {
  /** The header of version 5 files. */
  public static final String HEADER_V5 = "Windows Registry Editor Version 5.00";
  /** The header of version 4 files. */
  public static final String HEADER_V4 = "REGEDIT4";

  /** Longest line (after joining continuations) accepted, in characters. */
  private static final int MAX_LINE = 64 * 1024 * 1024;

  /** The header the file starts with. */
  public enum Version {
    /** {@code REGEDIT4}. */
    REGEDIT4,
    /** {@code Windows Registry Editor Version 5.00}. */
    V5
  }

  /** One operation of the file, in file order. */
  public sealed interface Record permits CreateKey, DeleteKey, SetValue, DeleteValue {
    /** The key path as written between the brackets. */
    String keyPath();

    /** The 1-based line number the record starts on. */
    int line();
  }

  /**
   * {@code [KEY]}: the key is created when missing (values of the following lines go into it).
   *
   * @param keyPath the path as written
   * @param line the line number
   */
  public record CreateKey(String keyPath, int line) implements Record {}

  /**
   * {@code [-KEY]}: the key and everything below it are deleted.
   *
   * @param keyPath the path as written
   * @param line the line number
   */
  public record DeleteKey(String keyPath, int line) implements Record {}

  /**
   * {@code "name"=DATA}: set a value of the key of the last {@code [KEY]} line.
   *
   * @param keyPath the path as written
   * @param value the value (name "" for {@code @=})
   * @param line the line number
   */
  public record SetValue(String keyPath, RegistryValue value, int line) implements Record {}

  /**
   * {@code "name"=-}: delete a value of the key of the last {@code [KEY]} line.
   *
   * @param keyPath the path as written
   * @param name the value name ("" for {@code @=-})
   * @param line the line number
   */
  public record DeleteValue(String keyPath, String name, int line) implements Record {}

  private final String source;
  private final Version version;
  private final List<Record> records;

  private RegFile(String source, Version version, List<Record> records) {
    this.source = source;
    this.version = version;
    this.records = List.copyOf(records);
  }

  /** The name of the parsed file, as used in messages. */
  public String source() {
    return source;
  }

  /** The header the file starts with. */
  public Version version() {
    return version;
  }

  /** The operations in file order. */
  public List<Record> records() {
    return records;
  }

  /** Reads and parses a file (see the class comment for the encodings recognised). */
  public static RegFile parse(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.toString());
  }

  /**
   * Parses {@code .reg} bytes, recognising the encoding: a UTF-16LE, UTF-16BE or UTF-8 byte-order
   * mark; UTF-16LE without a mark when the second byte is NUL; else UTF-8 line by line, falling
   * back to Latin-1 for a line that is not valid UTF-8.
   *
   * @param name the file name used in error messages
   */
  public static RegFile parse(byte[] bytes, String name) throws CorruptStructureException {
    Objects.requireNonNull(bytes, "bytes");
    String text;
    int n = bytes.length;
    if (n >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe) {
      text = new String(bytes, 2, n - 2, StandardCharsets.UTF_16LE);
    } else if (n >= 2 && (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff) {
      text = new String(bytes, 2, n - 2, StandardCharsets.UTF_16BE);
    } else if (n >= 2 && bytes[0] != 0 && bytes[1] == 0) {
      text = new String(bytes, 0, n & ~1, StandardCharsets.UTF_16LE);
    } else {
      int start = n >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
          && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
      text = decodeLines(bytes, start);
    }
    return parse(text, name);
  }

  /** UTF-8 per line, Latin-1 for the lines that are not valid UTF-8. */
  private static String decodeLines(byte[] b, int start) {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return utf8.decode(ByteBuffer.wrap(b, start, b.length - start)).toString();
    } catch (CharacterCodingException e) {
      // mixed: decide line by line
    }
    StringBuilder out = new StringBuilder(b.length);
    int i = start;
    while (i < b.length) {
      int end = i;
      while (end < b.length && b[end] != '\n') {
        end++;
      }
      int stop = end < b.length ? end + 1 : end;
      out.append(decode(utf8, b, i, stop));
      i = stop;
    }
    return out.toString();
  }

  private static CharSequence decode(CharsetDecoder utf8, byte[] b, int from, int to) {
    try {
      CharBuffer c = utf8.reset().decode(ByteBuffer.wrap(b, from, to - from));
      return c;
    } catch (CharacterCodingException e) {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Parses bytes in a known encoding.
   *
   * @param name the file name used in error messages
   */
  public static RegFile parse(byte[] bytes, Charset charset, String name)
      throws CorruptStructureException {
    String text = new String(bytes, charset);
    if (!text.isEmpty() && text.charAt(0) == '\ufeff') {
      text = text.substring(1);
    }
    return parse(text, name);
  }

  /**
   * Parses {@code .reg} text that is already decoded (a leading byte-order mark is ignored).
   *
   * @param name the file name used in error messages
   */
  public static RegFile parse(String text, String name) throws CorruptStructureException {
    return new Parser(text, name).run();
  }

  /** Line-by-line parser. */
  private static final class Parser {
    private final String text;
    private final String name;
    private int pos;
    private int lineNo;
    private final List<Record> records = new ArrayList<>();

    Parser(String text, String name) {
      this.text = text.startsWith("\ufeff") ? text.substring(1) : text;
      this.name = name;
    }

    /** The next physical line without its line end, or null at the end. */
    private String nextLine() {
      if (pos >= text.length()) {
        return null;
      }
      int nl = text.indexOf('\n', pos);
      int end = nl < 0 ? text.length() : nl;
      String line = text.substring(pos, end);
      pos = nl < 0 ? text.length() : nl + 1;
      lineNo++;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      return line;
    }

    private CorruptStructureException error(int line, String content, String what) {
      String shown = content.length() > 200 ? content.substring(0, 200) + "..." : content;
      return new CorruptStructureException(name, line, ".reg line",
          "line " + line + ": " + what + ": " + shown);
    }

    RegFile run() throws CorruptStructureException {
      Version version = null;
      String key = null;
      String line;
      while ((line = nextLine()) != null) {
        int start = lineNo;
        String t = line.strip();
        if (version == null) {
          if (t.isEmpty()) {
            continue;
          }
          if (t.equals(HEADER_V5)) {
            version = Version.V5;
          } else if (t.equals(HEADER_V4)) {
            version = Version.REGEDIT4;
          } else {
            throw error(start, line, "expected the header \"" + HEADER_V5 + "\" or \""
                + HEADER_V4 + "\"");
          }
          continue;
        }
        if (t.isEmpty() || t.startsWith(";")) {
          continue;
        }
        if (t.startsWith("[")) {
          if (!t.endsWith("]")) {
            throw error(start, line, "a key line must end with ]");
          }
          String path = t.substring(1, t.length() - 1);
          if (path.startsWith("-")) {
            path = path.substring(1);
            checkKeyPath(start, line, path);
            records.add(new DeleteKey(path, start));
            key = null;
          } else {
            checkKeyPath(start, line, path);
            records.add(new CreateKey(path, start));
            key = path;
          }
          continue;
        }
        if (t.startsWith("\"") || t.startsWith("@")) {
          if (key == null) {
            throw error(start, line, "a value line outside a [KEY] section");
          }
          valueLine(start, t, key);
          continue;
        }
        throw error(start, line, "unexpected text");
      }
      if (version == null) {
        throw error(Math.max(lineNo, 1), "", "no header \"" + HEADER_V5 + "\" or \""
            + HEADER_V4 + "\"");
      }
      return new RegFile(name, version, records);
    }

    private void checkKeyPath(int start, String line, String path)
        throws CorruptStructureException {
      if (path.isEmpty()) {
        throw error(start, line, "empty key path");
      }
    }

    /** One value line (t is stripped and starts with " or @). */
    private void valueLine(int start, String t, String key) throws CorruptStructureException {
      String valueName;
      int i;
      if (t.charAt(0) == '@') {
        valueName = "";
        i = 1;
      } else {
        StringBuilder sb = new StringBuilder();
        i = quoted(t, 0, sb, start);
        valueName = sb.toString();
      }
      i = skipBlanks(t, i);
      if (i >= t.length() || t.charAt(i) != '=') {
        throw error(start, t, "expected = after the value name");
      }
      String data = t.substring(skipBlanks(t, i + 1));
      if (data.equals("-") || isDeletion(data)) {
        records.add(new DeleteValue(key, valueName, start));
        return;
      }
      RegistryValue value = parseData(start, t, valueName, data);
      records.add(new SetValue(key, value, start));
    }

    private static boolean isDeletion(String data) {
      if (!data.startsWith("-")) {
        return false;
      }
      String rest = data.substring(1).strip();
      return rest.isEmpty() || rest.startsWith(";");
    }

    private static int skipBlanks(String s, int i) {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
      return i;
    }

    /**
     * Reads a quoted string starting at s[i] == '"' into out; returns the index after the closing
     * quote.
     */
    private int quoted(String s, int i, StringBuilder out, int start)
        throws CorruptStructureException {
      if (i >= s.length() || s.charAt(i) != '"') {
        throw error(start, s, "expected a quoted string");
      }
      i++;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '"') {
          return i + 1;
        }
        if (c == '\\' && i + 1 < s.length()) {
          char e = s.charAt(i + 1);
          switch (e) {
            case '\\', '"' -> out.append(e);
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case '0' -> out.append('\0');
            default -> out.append('\\').append(e);
          }
          i += 2;
          continue;
        }
        out.append(c);
        i++;
      }
      throw error(start, s, "a quoted string has no closing quote");
    }

    /** Nothing but blanks or a ; comment from i on. */
    private void expectEnd(int start, String line, String s, int i)
        throws CorruptStructureException {
      int j = skipBlanks(s, i);
      if (j < s.length() && s.charAt(j) != ';') {
        throw error(start, line, "unexpected text after the value");
      }
    }

    private RegistryValue parseData(int start, String line, String valueName, String data)
        throws CorruptStructureException {
      if (data.startsWith("\"")) {
        StringBuilder sb = new StringBuilder();
        int end = quoted(data, 0, sb, start);
        expectEnd(start, line, data, end);
        return new RegistryValue(valueName, ValueType.SZ.code(), utf16z(sb));
      }
      String lower = data.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("dword:")) {
        String digits = data.substring(6);
        int j = 0;
        while (j < digits.length() && Character.digit(digits.charAt(j), 16) >= 0) {
          j++;
        }
        if (j == 0 || j > 8) {
          throw error(start, line, "dword: needs one to eight hex digits");
        }
        expectEnd(start, line, digits, j);
        int v = (int) Long.parseLong(digits.substring(0, j), 16);
        byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        return new RegistryValue(valueName, ValueType.DWORD.code(), b);
      }
      if (lower.startsWith("str:") || lower.startsWith("str(")) {
        int[] typeAndEnd = typeCode(start, line, data, 3, ValueType.SZ.code());
        String rest = data.substring(typeAndEnd[1]);
        StringBuilder sb = new StringBuilder();
        int end = quoted(rest, 0, sb, start);
        expectEnd(start, line, rest, end);
        return new RegistryValue(valueName, typeAndEnd[0], utf16z(sb));
      }
      if (lower.startsWith("hex:") || lower.startsWith("hex(")) {
        int[] typeAndEnd = typeCode(start, line, data, 3, ValueType.BINARY.code());
        String bytes = hexData(data.substring(typeAndEnd[1]));
        return new RegistryValue(valueName, typeAndEnd[0], hexBytes(start, line, bytes));
      }
      throw error(start, line, "unknown value data (expected \"...\", dword:, hex:, hex(T): or "
          + "str(T):)");
    }

    /**
     * After a 3-letter word at data[0..3): ":" (the default type) or "(T):"; returns the type and
     * the index after the colon.
     */
    private int[] typeCode(int start, String line, String data, int i, int defaultType)
        throws CorruptStructureException {
      if (data.charAt(i) == ':') {
        return new int[] {defaultType, i + 1};
      }
      int close = data.indexOf(')', i);
      if (close < 0 || close + 1 >= data.length() || data.charAt(close + 1) != ':') {
        throw error(start, line, "expected (TYPE): with TYPE in hex");
      }
      String hex = data.substring(i + 1, close);
      if (hex.isEmpty() || hex.length() > 8) {
        throw error(start, line, "a type code needs one to eight hex digits");
      }
      for (int k = 0; k < hex.length(); k++) {
        if (Character.digit(hex.charAt(k), 16) < 0) {
          throw error(start, line, "a type code needs one to eight hex digits");
        }
      }
      return new int[] {(int) Long.parseLong(hex, 16), close + 2};
    }

    /** The hex data of a value, with the continuation lines that follow joined to it. */
    private String hexData(String first) throws CorruptStructureException {
      StringBuilder sb = new StringBuilder(first);
      while (true) {
        int end = sb.length();
        while (end > 0 && Character.isWhitespace(sb.charAt(end - 1))) {
          end--;
        }
        if (end == 0 || sb.charAt(end - 1) != '\\') {
          return sb.toString();
        }
        sb.setLength(end - 1);
        String next = nextLine();
        if (next == null) {
          return sb.toString();
        }
        if (sb.length() + next.length() > MAX_LINE) {
          throw error(lineNo, "", "a continued line is longer than " + MAX_LINE
              + " characters");
        }
        sb.append(next.strip());
      }
    }

    private byte[] hexBytes(int start, String line, String s) throws CorruptStructureException {
      int semi = s.indexOf(';');
      if (semi >= 0) {
        s = s.substring(0, semi);
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length() / 3 + 1);
      int i = skipAll(s, 0);
      if (i >= s.length()) {
        return new byte[0];
      }
      while (true) {
        int hi = i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
        int lo = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw error(start, line, "hex data must be two-digit hex bytes separated by commas");
        }
        out.write(hi << 4 | lo);
        i = skipAll(s, i + 2);
        if (i >= s.length()) {
          break;
        }
        if (s.charAt(i) != ',') {
          throw error(start, line, "hex data must be two-digit hex bytes separated by commas");
        }
        i = skipAll(s, i + 1);
        if (i >= s.length()) {
          break; // a trailing comma
        }
      }
      return out.toByteArray();
    }

    private static int skipAll(String s, int i) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return i;
    }
  }

  /** UTF-16LE bytes of the string with a terminating NUL, as regedit stores a quoted string. */
  static byte[] utf16z(CharSequence s) {
    byte[] b = new byte[s.length() * 2 + 2];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b[2 * i] = (byte) c;
      b[2 * i + 1] = (byte) (c >>> 8);
    }
    return b;
  }
}
