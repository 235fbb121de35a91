package dev.vdisk.core.fs;

/**
 * How a {@link FileSystemDriver} mounts a device.
 *
 * @param readOnly whether the volume refuses every change; when {@code false} the device is open
 *     for writing and the driver may change it (a driver that cannot write refuses to mount so)
 * @param cacheBytes the most bytes of metadata and data the driver may cache
 */
public record MountOptions(boolean readOnly, long cacheBytes) {
  /** The default cache size: 32 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 32L << 20;

  /**
   * Checks the fields.
   *
   * @param readOnly whether read-only
   * @param cacheBytes the cache bound, at least 1 MiB
   */
  public MountOptions {
    if (cacheBytes < (1 << 20)) {
      throw new IllegalArgumentException("cache must be at least 1 MiB: " + cacheBytes);
    }
  }

  /**
   * Read-only with the default cache: the default options.
   *
   * @return the options
   */
  public static MountOptions defaults() {
    return new MountOptions(true, DEFAULT_CACHE_BYTES);
  }

  /**
   * Read-write with the default cache.
   *
   * @return the options
   */
  public static MountOptions writable() {
    return new MountOptions(false, DEFAULT_CACHE_BYTES);
  }
}
