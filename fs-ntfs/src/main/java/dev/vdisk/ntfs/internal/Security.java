package dev.vdisk.ntfs.internal;

import java.util.Map;

/** Reads a file's security descriptor (its own attribute, or through {@code $Secure}). */
final class Security {
  private Security() {}

  static Map<String, Object> describe(NtfsVolume volume, NtfsFile file, StandardInformation si) {
    return Map.of();
  }
}
