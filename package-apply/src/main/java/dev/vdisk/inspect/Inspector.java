package dev.vdisk.inspect;

import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Inspects a disk image offline: probes every partition (or a bare file system), finds Linux
 * roots (os-release and its fallbacks; the file systems their {@code /etc/fstab} names are
 * mounted at their mount points) and Windows roots ({@code Windows/System32/config/SOFTWARE}),
 * and reads their facts and package databases. Opens everything read-only.
 */
public final class Inspector {
  private Inspector() {}

  /**
   * Inspects an image of any supported format.
   *
   * @return the roots found; an image with no operating system gives an empty list
   */
  public static Inspection inspect(Path image) throws IOException {
    throw new UnsupportedFeatureException(null, "inspection", "not written yet");
  }
}
