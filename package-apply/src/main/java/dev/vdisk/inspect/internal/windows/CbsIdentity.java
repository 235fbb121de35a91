package dev.vdisk.inspect.internal.windows;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The KB number of a servicing package. A package identity is
 * {@code name~publicKeyToken~architecture~language~version}; update packages are named {@code
 * Package_for_KB5034441}, {@code Package_1_for_KB5031455} (one of several packages of an update)
 * and so on. A cumulative update's {@code Package_for_RollupFix} names no KB: its KB is then
 * taken from the key's {@code InstallName} (the .cab or .mum it came from, such as {@code
 * Windows10.0-KB5034441-x64.cab}) or {@code InstallLocation}, if one names it.
 */
final class CbsIdentity {
  /** "KB" and 4 to 8 digits, not inside a longer word or number. */
  private static final Pattern KB = Pattern.compile("(?i)(?<![a-z0-9])KB(\\d{4,8})(?!\\d)");

  private CbsIdentity() {}

  /**
   * The KB number in the name part (before the first {@code ~}) of a package identity.
   *
   * @param identity the key name
   * @return {@code KB} and the digits, or null
   */
  static String kb(String identity) {
    int tilde = identity.indexOf('~');
    return find(tilde < 0 ? identity : identity.substring(0, tilde));
  }

  /**
   * The first KB number anywhere in a text (an {@code InstallName} or path).
   *
   * @param text the text, or null
   * @return {@code KB} and the digits, or null
   */
  static String find(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = KB.matcher(text);
    return m.find() ? "KB" + m.group(1).toUpperCase(Locale.ROOT) : null;
  }
}
