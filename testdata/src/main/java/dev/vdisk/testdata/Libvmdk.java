package dev.vdisk.testdata;

import java.nio.file.Path;

/**
 * libyal's libvmdk, through its Python bindings (Debian python3-libvmdk), as an oracle for VMDK
 * content (monolithic, split, streamOptimized, vmfsSparse/COWD; not seSparse) and delta chains,
 * read without qemu's code (see {@link Libyal}). Extent data files are opened from the image's
 * folder by the names its descriptor gives them.
 */
public final class Libvmdk {
  private static final String MODULE = "pyvmdk";
  private static final String PACKAGE = "python3-libvmdk";

  private Libvmdk() {}

  /** Requires the pyvmdk module: fails under CI=true, skips elsewhere. */
  public static void require() {
    Libyal.require(MODULE, PACKAGE);
  }

  /**
   * Reads a whole image (and its parents, child first) with libvmdk.
   *
   * @param image the image
   * @param parents its parent chain, nearest first (pyvmdk does not follow parentFileNameHint)
   * @return the media size and SHA-256
   */
  public static Libyal.Reading read(Path image, Path... parents) {
    return read(-1, image, parents);
  }

  /**
   * Reads the first {@code limit} bytes (all when negative) of an image with libvmdk.
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
