package dev.vdisk.inspect.internal.windows;

import java.util.Locale;

/**
 * The {@code CurrentState} (and {@code ApplicableState}) codes of a Component Based Servicing
 * package key, {@code SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based
 * Servicing\Packages\<identity>}, named.
 *
 * <p>The table is Microsoft's "CBS Servicing States Chart" (Windows support blog "Tip of the
 * Day", 2015-10-12, archived on learn.microsoft.com): 0 absent, 0x5 uninstall pending, 0x10
 * resolving, 0x20 resolved, 0x30 staging, 0x40 staged, 0x50 superseded, 0x60 install pending,
 * 0x65 partially installed, 0x70 installed, 0x80 permanent; and the "broken" states of
 * CbsApi.dll stored as negative numbers: -128 (0xFFFFFF80) permanent but broken, -112
 * (0xFFFFFF90) installed but broken, -64 (0xFFFFFFC0) staged but broken, -32 (0xFFFFFFE0)
 * resolved but broken. Any other code is named {@code unknown-0xNN}.
 *
 * <p>Installed means 0x70 (installed) or 0x80 (permanent: installed and not removable, as
 * servicing stacks and language packs are). Install pending (0x60), partially installed (0x65),
 * staged (0x40), resolved (0x20) and superseded (0x50) are not installed: a superseded package's
 * payload has been replaced by a newer package, which is the one that counts.
 */
final class CbsState {
  private CbsState() {}

  /**
   * The state's name, lower case with dashes ({@code install-pending}).
   *
   * @param code the {@code CurrentState} DWORD, as an unsigned value
   * @return the name, {@code unknown-0xNN} for a code the table does not name
   */
  static String name(long code) {
    int c = (int) code;
    return switch (c) {
      case 0x00 -> "absent";
      case 0x05 -> "uninstall-pending";
      case 0x10 -> "resolving";
      case 0x20 -> "resolved";
      case 0x30 -> "staging";
      case 0x40 -> "staged";
      case 0x50 -> "superseded";
      case 0x60 -> "install-pending";
      case 0x65 -> "partially-installed";
      case 0x70 -> "installed";
      case 0x80 -> "permanent";
      case -128 -> "invalid-permanent";
      case -112 -> "invalid-installed";
      case -64 -> "invalid-staged";
      case -32 -> "invalid-resolved";
      default -> "unknown-0x" + Integer.toHexString(c).toUpperCase(Locale.ROOT);
    };
  }

  /**
   * Whether the code counts as installed: 0x70 installed or 0x80 permanent.
   *
   * @param code the {@code CurrentState} DWORD
   * @return true if installed
   */
  static boolean installed(long code) {
    return code == 0x70 || code == 0x80;
  }
}
