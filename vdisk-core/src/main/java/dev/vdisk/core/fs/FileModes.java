package dev.vdisk.core.fs;

/**
 * Formats a POSIX mode the way {@code ls -l} and {@code stat -c %A} show it, for example
 * {@code -rwsr-xr-x} or {@code drwxrwxrwt}; for the CLI's {@code ls -l} and {@code stat}.
 */
public final class FileModes {
  private FileModes() {}

  /**
   * The ten-character symbolic form of a mode.
   *
   * @param mode the full mode, type bits included (as the {@code unix:mode} attribute gives it)
   * @return the symbolic form
   */
  public static String format(int mode) {
    char[] c = new char[10];
    switch (mode & 0170000) {
      case 0040000: c[0] = 'd'; break;
      case 0120000: c[0] = 'l'; break;
      case 0020000: c[0] = 'c'; break;
      case 0060000: c[0] = 'b'; break;
      case 0010000: c[0] = 'p'; break;
      case 0140000: c[0] = 's'; break;
      case 0100000: c[0] = '-'; break;
      default: c[0] = '?';
    }
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      c[i + 1] = (mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-';
    }
    c[3] = special(c[3], (mode & 04000) != 0, 's');
    c[6] = special(c[6], (mode & 02000) != 0, 's');
    c[9] = special(c[9], (mode & 01000) != 0, 't');
    return new String(c);
  }

  private static char special(char x, boolean set, char lower) {
    if (!set) {
      return x;
    }
    return x == 'x' ? lower : Character.toUpperCase(lower);
  }
}
