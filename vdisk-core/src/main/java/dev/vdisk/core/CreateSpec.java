package dev.vdisk.core;

/**
 * What to create: the virtual size, the format's variant and an optional block size.
 *
 * @param virtualSize the size of the disk in bytes
 * @param variant the format's variant name (for example {@code "dynamic"}), or {@code null} for
 *     the format's default
 * @param blockSize the allocation unit in bytes, or 0 for the format's default
 */
public record CreateSpec(long virtualSize, String variant, long blockSize) {

  /**
   * Validates the spec.
   *
   * @param virtualSize the size
   * @param variant the variant
   * @param blockSize the block size
   */
  public CreateSpec {
    if (virtualSize < 0) {
      throw new IllegalArgumentException("negative size " + virtualSize);
    }
    if (blockSize < 0) {
      throw new IllegalArgumentException("negative block size " + blockSize);
    }
  }

  /**
   * A spec of the given size with the format's default variant and block size.
   *
   * @param virtualSize the size in bytes
   * @return the spec
   */
  public static CreateSpec ofSize(long virtualSize) {
    return new CreateSpec(virtualSize, null, 0);
  }
}
