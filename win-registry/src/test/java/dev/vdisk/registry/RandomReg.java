package dev.vdisk.registry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Writes a seeded random {@code .reg} file that hivexregedit --merge and {@link RegImport} must
 * read the same way: parents are listed before their children (hivex does not create parents),
 * each section ends with a blank line, a section names each value at most once (hivex applies a
 * section's lines together), value names are never re-cased, and {@code dword:} has eight digits.
 * It covers key creation below existing keys, {@code [-KEY]} of existing and missing keys, value
 * deletion ({@code "x"=-}, {@code @=-}), every value form (quoted strings with escapes, {@code
 * dword:}, {@code hex:}, {@code hex(T):} of every type including large type codes, {@code
 * str(T):}), continuation lines, big values (more than 16344 bytes) and Japanese names.
 */
final class RandomReg {
  private final Random random;
  private final String prefix;
  /** Existing key paths below the root ("" = root), as written. */
  private final List<String> keys = new ArrayList<>();
  private final Set<String> keysLower = new HashSet<>();
  /** Value names ever used, lower-cased to the name first used (names are never re-cased). */
  private final java.util.Map<String, String> valueNames = new java.util.HashMap<>();
  private int counter;

  /**
   * @param existing key paths that exist already (from the hive being merged into); the root is
   *     always assumed
   * @param prefix written before every key path (then passed as --prefix), or ""
   */
  RandomReg(long seed, List<String> existing, String prefix) {
    this.random = new Random(seed);
    this.prefix = prefix;
    addKey("");
    for (String k : existing) {
      addKey(k);
    }
  }

  private void addKey(String path) {
    if (keysLower.add(path.toLowerCase(Locale.ROOT))) {
      keys.add(path);
    }
  }

  private String keyLine(String path) {
    return prefix + "\\" + path;
  }

  /** A .reg text of at least MINLINES lines. */
  String generate(int minLines) {
    StringBuilder sb = new StringBuilder(RegFile.HEADER_V5).append("\n\n");
    int lines = 2;
    int sections = 0;
    while (lines < minLines || sections < minLines / 4) {
      sections++;
      int op = random.nextInt(100);
      if (op < 8 && keys.size() > 1) {
        String victim = keys.get(1 + random.nextInt(keys.size() - 1));
        sb.append("[-").append(keyLine(victim)).append("]\n\n");
        String l = victim.toLowerCase(Locale.ROOT);
        keys.removeIf(k -> k.toLowerCase(Locale.ROOT).equals(l)
            || k.toLowerCase(Locale.ROOT).startsWith(l + "\\"));
        keysLower.removeIf(k -> k.equals(l) || k.startsWith(l + "\\"));
        lines += 2;
        continue;
      }
      if (op < 11) {
        sb.append("[-").append(keyLine("missing" + (counter++) + "\\x")).append("]\n\n");
        lines += 2;
        continue;
      }
      String key;
      if (op < 45 || keys.size() < 3) {
        String parent = keys.get(random.nextInt(keys.size()));
        key = (parent.isEmpty() ? "" : parent + "\\") + keyName();
        addKey(key);
      } else {
        key = keys.get(random.nextInt(keys.size()));
        if (random.nextInt(4) == 0 && key.chars().allMatch(c -> c < 0x80)) {
          key = key.toUpperCase(Locale.ROOT); // found case-insensitively
        }
      }
      sb.append('[').append(keyLine(key)).append("]\n");
      lines++;
      int n = random.nextInt(6);
      Set<String> used = new HashSet<>();
      for (int i = 0; i < n; i++) {
        String name = valueName();
        if (!used.add(name.toLowerCase(Locale.ROOT))) {
          continue;
        }
        String quoted = name.isEmpty() ? "@" : quote(name);
        if (random.nextInt(6) == 0) {
          sb.append(quoted).append("=-\n");
          lines++;
        } else {
          String data = data();
          sb.append(quoted).append('=').append(data).append('\n');
          lines += 1 + (int) data.chars().filter(c -> c == '\n').count();
        }
      }
      sb.append('\n');
      lines++;
    }
    return sb.toString();
  }

  private String keyName() {
    return switch (random.nextInt(5)) {
      case 0 -> "キー" + (counter++);
      case 1 -> "Key with spaces " + (counter++);
      default -> "k" + (counter++);
    };
  }

  private String valueName() {
    String name = switch (random.nextInt(8)) {
      case 0 -> "";
      case 1 -> "値" + random.nextInt(20);
      case 2 -> "q\"uote\\d" + random.nextInt(5);
      case 3 -> "with = and ; " + random.nextInt(5);
      default -> "v" + random.nextInt(40);
    };
    String first = valueNames.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
    return first == null ? name : first;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private String data() {
    return switch (random.nextInt(12)) {
      case 0 -> quote(text());
      case 1 -> "str(2):" + quote("%SystemRoot%\\" + text());
      case 2 -> String.format("dword:%08x", random.nextInt());
      case 3 -> "hex:" + hexBytes(random.nextInt(4) == 0 ? 16345 + random.nextInt(30000)
          : random.nextInt(64));
      case 4 -> "hex(b):" + hexBytes(8);
      case 5 -> "hex(7):" + multi();
      case 6 -> "hex(2):" + utf16Hex("%TEMP%\\" + text());
      case 7 -> "hex(0):" + hexBytes(random.nextInt(3));
      case 8 -> "hex(100000):" + hexBytes(random.nextInt(10));
      case 9 -> "hex(5):" + hexBytes(4);
      case 10 -> "hex(4):" + hexBytes(random.nextInt(2) == 0 ? 4 : 3);
      default -> quote("");
    };
  }

  private String text() {
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(30);
    String alphabet = "abcXYZ 0123\"\\;=日本語-_";
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private String multi() {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      s.append("s").append(random.nextInt(1000)).append('\0');
    }
    s.append('\0');
    return utf16Hex(s.toString());
  }

  private static String utf16Hex(String s) {
    byte[] b = RegFile.utf16z(s);
    return hex(b, b.length - 2);
  }

  private String hexBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return hex(b, n);
  }

  /** Comma-separated bytes, broken into continuation lines as regedit does for long data. */
  private static String hex(byte[] b, int n) {
    StringBuilder sb = new StringBuilder(n * 3 + n / 25 * 5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
        if (i % 25 == 0 && n < 400) {
          sb.append("\\\n  ");
        }
      }
      sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16))
          .append(Character.forDigit(b[i] & 0xf, 16));
    }
    return sb.toString();
  }
}
