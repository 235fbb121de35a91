package dev.vdisk.ntfs.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A file's security owner and descriptor as attributes of the {@code ntfs} view. */
final class Security {
  private Security() {}

  static Map<String, Object> describe(NtfsVolume volume, NtfsFile file) {
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      Optional<SecurityDescriptor> sd = volume.securityDescriptor(file);
      out.put("ownerSid", sd.flatMap(SecurityDescriptor::owner).map(Sid::toString).orElse(null));
      out.put("groupSid", sd.flatMap(SecurityDescriptor::group).map(Sid::toString).orElse(null));
      out.put("sddl", sd.map(SecurityDescriptor::toSddl).orElse(null));
    } catch (IOException e) {
      out.put("securityError", e.getMessage());
    }
    return out;
  }
}
