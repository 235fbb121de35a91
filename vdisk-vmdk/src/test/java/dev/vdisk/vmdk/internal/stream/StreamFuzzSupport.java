package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.vmdk.internal.Extent;
import java.io.IOException;

/** The fuzz tests' common exercise of an opened extent, shared with the ESXi fuzz tests. */
public final class StreamFuzzSupport {
  private StreamFuzzSupport() {}

  /**
   * Checks, reads at the start, middle and end, and walks the allocation of an extent; only
   * typed errors may come out.
   *
   * @param extent the extent
   * @throws IOException a typed error
   */
  public static void exercise(Extent extent) throws IOException {
    StreamFuzzTest.exercise(extent);
  }
}
