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
}
