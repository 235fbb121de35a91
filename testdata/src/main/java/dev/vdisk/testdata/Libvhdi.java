package dev.vdisk.testdata;

import java.nio.file.Path;

/**
 * libyal's libvhdi, through its Python bindings (Debian python3-libvhdi), as an oracle for VHD and
 * VHDX content, including differencing chains that qemu-img cannot read (see {@link Libyal}).
 */
public final class Libvhdi {
  private static final String MODULE = "pyvhdi";
  private static final String PACKAGE = "python3-libvhdi";

  private Libvhdi() {}

  /** Requires the pyvhdi module: fails under CI=true, skips elsewhere. */
  public static void require() {
    Libyal.require(MODULE, PACKAGE);
  }

  /**
   * Reads a whole image (and its parents, child first) with libvhdi.
   *
   * @param image the image
   * @param parents its parent chain, nearest first (pyvhdi does not follow locators)
   * @return the media size and SHA-256
   */
  public static Libyal.Reading read(Path image, Path... parents) {
    return read(-1, image, parents);
  }

  /**
   * Reads the first {@code limit} bytes (all when negative) of an image with libvhdi.
   *
   * @param limit how many bytes to hash, or -1 for all
   * @param image the image
   * @param parents its parent chain, nearest first
   * @return the media size and SHA-256
   */
  public static Libyal.Reading read(long limit, Path image, Path... parents) {
    return Libyal.read(MODULE, PACKAGE, limit, image, parents);
  }
}
