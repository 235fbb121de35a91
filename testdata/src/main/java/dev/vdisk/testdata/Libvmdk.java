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
   * Reads a whole VMDK (a descriptor or monolithic file, and its parents) with libvmdk.
   *
   * @param image the image
   * @param parents its parent chain, nearest first (pyvmdk does not follow parentFileNameHint)
   * @return the media size and SHA-256
   */
  public static Libyal.Reading read(Path image, Path... parents) {
    return Libyal.read(MODULE, PACKAGE, -1, image, parents);
  }
}
