package dev.vdisk.testdata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * libyal's Python bindings (pyvhdi, pyvmdk) as oracles for virtual disk content: runs {@code
 * testdata/scripts/libyal-sha256.py}, which reads the whole disk (through its parent chain) in 64
 * KiB pieces and prints its media size and SHA-256. {@link Libvhdi} and {@link Libvmdk} are the
 * per-format front ends.
 */
public final class Libyal {
  private static final String PYTHON = "/usr/bin/python3";

  private Libyal() {}

  /** What the library reads: the media size and the SHA-256 of the hashed bytes. */
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
   * Requires a binding: fails under CI=true, skips elsewhere.
   *
   * @param module the Python module, {@code pyvhdi} or {@code pyvmdk}
   * @param debianPackage the package that provides it
   */
  static void require(String module, String debianPackage) {
    Oracles.requirePythonModule(module, debianPackage);
  }

  /**
   * Reads the first {@code limit} bytes (all when negative) of an image with a binding.
   *
   * @param module the Python module, {@code pyvhdi} or {@code pyvmdk}
   * @param debianPackage the package that provides it
   * @param limit how many bytes to hash, or -1 for all
   * @param image the image
   * @param parents its parent chain, nearest first (the bindings do not follow parent links)
   * @return the media size and SHA-256
   */
  static Reading read(String module, String debianPackage, long limit, Path image,
      Path... parents) {
    require(module, debianPackage);
    List<String> command = new ArrayList<>();
    command.add(PYTHON);
    command.add(ProjectPaths.script("libyal-sha256.py").toString());
    if (limit >= 0) {
      command.add("--limit");
      command.add(Long.toString(limit));
    }
    command.add(module);
    command.add(image.toString());
    for (Path parent : parents) {
      command.add(parent.toString());
    }
    String[] parts = Oracles.runOk(command.toArray(new String[0])).trim().split("\\s+");
    return new Reading(Long.parseLong(parts[0]), parts[1]);
  }
}
