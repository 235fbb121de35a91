package dev.vdisk.deb;

/**
 * A Debian package version, {@code [epoch:]upstream_version[-debian_revision]} (Debian Policy
 * 5.6.12), ordered exactly as {@code dpkg --compare-versions} orders them.
 */
public final class DebVersion implements Comparable<DebVersion> {
  private DebVersion() {}

  /**
   * Parses a version as dpkg does (leading and trailing blanks ignored).
   *
   * @param text the version
   * @return the version
   * @throws IllegalArgumentException if dpkg would reject it (empty, bad epoch, embedded blank,
   *     upstream not starting with a digit is accepted with dpkg's warning semantics)
   */
  public static DebVersion parse(String text) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Compares two version strings as {@code dpkg --compare-versions a lt/eq/gt b} does.
   *
   * @param a one version
   * @param b the other
   * @return negative, zero or positive
   */
  public static int compare(String a, String b) {
    return parse(a).compareTo(parse(b));
  }

  /**
   * The epoch (0 when absent).
   *
   * @return the epoch
   */
  public long epoch() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The upstream part.
   *
   * @return it
   */
  public String upstream() {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The Debian revision ({@code ""} when absent).
   *
   * @return it
   */
  public String revision() {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public int compareTo(DebVersion o) {
    throw new UnsupportedOperationException("not yet");
  }
}
