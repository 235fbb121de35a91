package dev.vdisk.cli;

import java.util.Locale;

/** Formats byte counts for people. */
final class Sizes {
  private Sizes() {}

  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  /** "1.5 GiB" */
  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, UNITS[unit]);
  }

  /** "1.5 GiB (1610612736 bytes)" */
  static String describe(long bytes) {
    return bytes < 1024 ? bytes + " bytes" : human(bytes) + " (" + bytes + " bytes)";
  }

  /**
   * Parses "1048576", "512K", "32M", "32MiB", "1G": binary multiples.
   *
   * @throws IllegalArgumentException for anything else
   */
  static long parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (t.endsWith("IB")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    long multiplier = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> multiplier = 1L << 10;
        case 'M' -> multiplier = 1L << 20;
        case 'G' -> multiplier = 1L << 30;
        case 'T' -> multiplier = 1L << 40;
        default -> multiplier = 1;
      }
      if (multiplier != 1) {
        t = t.substring(0, t.length() - 1);
      }
    }
    try {
      long value = Long.parseLong(t.trim());
      if (value < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(value, multiplier);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("not a size: '" + text + "' (examples: 1048576, 512K, 32M, 1G)");
    }
  }
}
