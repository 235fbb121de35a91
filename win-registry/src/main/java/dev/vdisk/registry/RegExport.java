package dev.vdisk.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Exports a key and everything under it as {@code .reg} text, exactly as {@code hivexregedit
 * --export} (hivex 1.3) writes it:
 *
 * <ul>
 *   <li>the header {@code Windows Registry Editor Version 5.00} and a blank line; lines end with
 *       {@code \n};
 *   <li>each key as {@code [PREFIX\path]} (the prefix loses one trailing backslash; the root's
 *       path is {@code \}), followed by its values, then a blank line, then its subkeys
 *       depth-first;
 *   <li>values and subkeys sorted by name, comparing Unicode code points (case-sensitive, Perl's
 *       {@code cmp});
 *   <li>a value line is {@code @=} for the default value, else {@code "name"=} with {@code \} and
 *       {@code "} escaped by a backslash; REG_DWORD with exactly 4 bytes is {@code
 *       dword:%08x}; everything else, strings included, is {@code hex(T):} with T the type in
 *       lower-case hex and the bytes as comma-separated two-digit lower-case hex on one line.
 * </ul>
 *
 * <p>hivexregedit prints to a raw Perl file handle: every printed piece (the prefix, the key path,
 * a value name) whose characters all lie below U+0100 comes out as Latin-1 bytes, any other as
 * UTF-8. {@link #export(RegistryKey, String, OutputStream)} reproduces those bytes; the {@link
 * Writer} form writes the same characters and leaves the encoding to the writer.
 */
public final class RegExport {
  /** The first line hivexregedit writes. */
  public static final String HEADER = "Windows Registry Editor Version 5.00";

  /** Orders names by Unicode code point, as Perl's {@code cmp} does. */
  static final Comparator<String> CODE_POINTS = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  };

  private RegExport() {}

  /**
   * Writes KEY and everything under it as hivexregedit --export does (same header, key lines with
   * the given prefix, value encodings and escaping, line endings), so that the outputs compare
   * byte for byte when the writer encodes UTF-8 (see the class comment for names made only of
   * Latin-1 characters).
   *
   * @param prefix prepended to every key path (for example {@code HKEY_LOCAL_MACHINE\SOFTWARE}),
   *     or null for none
   */
  public static void export(RegistryKey key, String prefix, Writer out) throws IOException {
    export(key, prefix, (Sink) out::write);
  }

  /**
   * The same as {@link #export(RegistryKey, String, Writer)} but producing hivexregedit's exact
   * bytes, including its per-piece choice between Latin-1 and UTF-8.
   */
  public static void export(RegistryKey key, String prefix, OutputStream out) throws IOException {
    export(key, prefix, (Sink) s -> {
      boolean latin1 = true;
      for (int i = 0; i < s.length() && latin1; i++) {
        latin1 = s.charAt(i) < 0x100;
      }
      out.write(s.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
    });
  }

  @FunctionalInterface
  private interface Sink {
    void write(String piece) throws IOException;
  }

  private static void export(RegistryKey key, String prefix, Sink out) throws IOException {
    out.write(HEADER + "\n\n");
    String p = prefix;
    if (p != null && p.endsWith("\\")) {
      p = p.substring(0, p.length() - 1);
    }
    exportKey(key, p, out);
  }

  private static void exportKey(RegistryKey key, String prefix, Sink out) throws IOException {
    // Depth-first with an explicit stack: hives can nest deeper than the Java stack allows.
    List<RegistryKey> stack = new ArrayList<>();
    stack.add(key);
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    StringBuilder line = new StringBuilder();
    while (!stack.isEmpty()) {
      RegistryKey k = stack.remove(stack.size() - 1);
      if (!seen.add(k.cellOffset())) {
        throw new dev.vdisk.core.CorruptStructureException(k.path(), -1, "nk",
            "key node at " + k.cellOffset() + " is reached twice (a loop in the subkey lists)");
      }
      out.write("[");
      if (prefix != null) {
        out.write(prefix);
      }
      out.write("\\" + k.path());
      out.write("]\n");
      List<RegistryValue> values = new ArrayList<>(k.values());
      values.sort(Comparator.comparing(RegistryValue::name, CODE_POINTS));
      for (RegistryValue v : values) {
        if (v.name().isEmpty()) {
          out.write("@=");
        } else {
          out.write("\"");
          out.write(v.name().replace("\\", "\\\\").replace("\"", "\\\""));
          out.write("\"=");
        }
        line.setLength(0);
        byte[] d = v.data();
        if (v.type() == 4 && d.length == 4) {
          int dword = (d[0] & 0xff) | (d[1] & 0xff) << 8 | (d[2] & 0xff) << 16 | (d[3] & 0xff) << 24;
          line.append("dword:").append(String.format("%08x", dword));
        } else {
          line.append("hex(").append(Integer.toHexString(v.type())).append("):");
          for (int i = 0; i < d.length; i++) {
            if (i > 0) {
              line.append(',');
            }
            line.append(Character.forDigit((d[i] >> 4) & 0xf, 16))
                .append(Character.forDigit(d[i] & 0xf, 16));
          }
        }
        line.append('\n');
        out.write(line.toString());
      }
      out.write("\n");
      List<RegistryKey> children = new ArrayList<>(k.subkeys());
      children.sort(Comparator.comparing(RegistryKey::name, CODE_POINTS));
      for (int i = children.size() - 1; i >= 0; i--) {
        stack.add(children.get(i));
      }
    }
  }

}
