package dev.vdisk.testdata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code qemu-img} and {@code qemu-io} (Debian qemu-utils) as oracles, for any image format. */
public final class Qemu {
  private static final String PACKAGE = "qemu-utils";

  private Qemu() {}

  /**
   * Requires qemu-img: fails under CI=true, skips elsewhere.
   *
   * @return its path as a string
   */
  public static String img() {
    return Oracles.require("qemu-img", PACKAGE).toString();
  }

  /**
   * Requires qemu-io: fails under CI=true, skips elsewhere.
   *
   * @return its path as a string
   */
  public static String io() {
    return Oracles.require("qemu-io", PACKAGE).toString();
  }

  /**
   * Runs qemu-io commands (such as {@code write -P 0x5a 0 64k}) on an image; fails unless they
   * succeed.
   *
   * @param format qemu's name of the format, such as {@code vmdk}
   * @param image the image
   * @param commands the commands, each given with {@code -c}
   */
  public static void io(String format, Path image, String... commands) {
    List<String> cmd = new ArrayList<>(List.of(io(), "-f", format));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(image.toString());
    Oracles.runOk(cmd.toArray(String[]::new));
  }

  /**
   * qemu-img's raw view of an image ({@code qemu-img convert -O raw}), written to {@code dir} as
   * {@code NAME.qemu.raw}.
   *
   * @param format qemu's name of the image's format
   * @param image the image
   * @param dir where to write the raw file
   * @return the raw file
   */
  public static Path toRaw(String format, Path image, Path dir) {
    Path raw = dir.resolve(image.getFileName() + ".qemu.raw");
    Oracles.runOk(img(), "convert", "-f", format, "-O", "raw", image.toString(), raw.toString());
    return raw;
  }

  /**
   * Fails unless {@code qemu-img compare} says the image (as qemu reads it) equals the raw file.
   *
   * @param format qemu's name of the image's format
   * @param image the image
   * @param raw the raw file
   */
  public static void compare(String format, Path image, Path raw) {
    Oracles.runOk(img(), "compare", "-f", format, "-F", "raw", image.toString(), raw.toString());
  }

  /**
   * Runs {@code qemu-img check} (exit code 0: clean, 3: leaks only, 2: errors, 63: nothing to
   * check).
   *
   * @param format qemu's name of the image's format
   * @param image the image
   * @return what it said
   */
  public static Oracles.Result check(String format, Path image) {
    return Oracles.run(img(), "check", "-f", format, image.toString());
  }
}
