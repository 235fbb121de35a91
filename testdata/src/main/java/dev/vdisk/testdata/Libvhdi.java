package dev.vdisk.testdata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * libyal's libvhdi, through its Python bindings (Debian python3-libvhdi), as an oracle for VHD and
 * VHDX content, including differencing chains that qemu-img cannot read. It runs {@code
 * testdata/scripts/libvhdi-sha256.py}.
 */
public final class Libvhdi {
  private static final String PYTHON = "/usr/bin/python3";

  private Libvhdi() {}

  /** What libvhdi reads: the media size and the SHA-256 of the hashed bytes. */
  public record Reading(long mediaSize, String sha256) {
    /**
     * The reading as the script prints it.
     *
     * @return {@code "<size> <sha256>"}
     */
    @Override
    public String toString() {
      return mediaSize + " " + sha256;
    }
  }

  /**
   * Requires the pyvhdi module: fails under CI=true, skips elsewhere.
   */
  public static void require() {
    Oracles.requirePythonModule("pyvhdi", "python3-libvhdi");
  }


  /**
   * Reads a whole image (and its parents, child first) with libvhdi.
   *
   * @param image the image
   * @param parents its parent chain, nearest first (pyvhdi does not follow locators)
   * @return the media size and SHA-256
   */
  public static Reading read(Path image, Path... parents) {
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
  public static Reading read(long limit, Path image, Path... parents) {
    require();
    List<String> command = new ArrayList<>();
    command.add(PYTHON);
    command.add(ProjectPaths.script("libvhdi-sha256.py").toString());
    if (limit >= 0) {
      command.add("--limit");
      command.add(Long.toString(limit));
    }
    command.add(image.toString());
    for (Path parent : parents) {
      command.add(parent.toString());
    }
    String[] parts = Oracles.runOk(command.toArray(new String[0])).trim().split("\\s+");
    return new Reading(Long.parseLong(parts[0]), parts[1]);
  }
}
