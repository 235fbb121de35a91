package dev.vdisk.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an image says about itself.
 *
 * @param format the format's name (for example {@code "raw"}, {@code "vhdx"})
 * @param variant the format's variant (for example {@code "fixed"}, {@code "dynamic"}, {@code
 *     "monolithicSparse"}, or {@code "file"} / {@code "block-device"} for raw)
 * @param virtualSize the size of the disk the guest sees, in bytes
 * @param fileSize bytes the image occupies in its file(s) (apparent size), or -1 if unknown
 * @param chain this image followed by its parents, base last; one entry for a disk with no parent
 * @param properties further format-specific facts (block size, log state, UUIDs), in a stable
 *     order, with keys in lower camel case
 */
public record DiskInfo(
    String format,
    String variant,
    long virtualSize,
    long fileSize,
    List<ChainEntry> chain,
    Map<String, String> properties) {

  /**
   * Validates and copies the collections.
   *
   * @param format the format's name
   * @param variant the variant
   * @param virtualSize the virtual size
   * @param fileSize the file size or -1
   * @param chain the chain
   * @param properties further facts
   */
  public DiskInfo {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(variant, "variant");
    chain = List.copyOf(chain);
    properties = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
  }
}
