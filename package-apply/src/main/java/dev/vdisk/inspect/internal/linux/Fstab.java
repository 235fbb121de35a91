package dev.vdisk.inspect.internal.linux;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code /etc/fstab} (fstab(5)): whitespace-separated fields {@code fs_spec fs_file fs_vfstype
 * fs_mntops ...}, {@code #} comments, octal escapes such as {@code \040} for a space.
 */
public final class Fstab {
  private static final int MAX_ENTRIES = 10_000;

  private Fstab() {}

  /**
   * One line.
   *
   * @param spec what is mounted ({@code UUID=...}, {@code /dev/sda1}, ...)
   * @param mountPoint where
   * @param type the file-system type
   * @param options the mount options
   */
  public record Entry(String spec, String mountPoint, String type, String options) {}

  /** The entries, in file order. */
  public static List<Entry> parse(String text) {
    List<Entry> out = new ArrayList<>();
    for (String raw : text.split("\n")) {
      if (out.size() >= MAX_ENTRIES) {
        break;
      }
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      if (f.length < 2) {
        continue;
      }
      out.add(new Entry(unescape(f[0]), unescape(f[1]), f.length > 2 ? f[2] : "auto",
          f.length > 3 ? f[3] : "defaults"));
    }
    return out;
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() + 0 && isOctal(s, i + 1)) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }

  /** Undoes udev's {@code \x20} escapes in {@code /dev/disk/by-label/} names. */
  public static String unescapeUdev(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x'
          && s.substring(i + 2, i + 4).matches("[0-9A-Fa-f]{2}")) {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
