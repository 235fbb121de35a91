package dev.vdisk.ntfs.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a file's security descriptor (its own attribute, or through {@code $Secure}). */
final class Security {
  private Security() {}

  static Map<String, Object> describe(NtfsVolume volume, NtfsFile file, StandardInformation si) {
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      byte[] sd = volume.securityDescriptor(file);
      out.put("securityDescriptorLength", sd == null ? 0 : sd.length);
    } catch (IOException e) {
      out.put("securityError", e.getMessage());
    }
    return out;
  }
}
