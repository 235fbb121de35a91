package dev.vdisk.inspect.internal.windows;

import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.partition.PartitionTable;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import java.io.IOException;

/** Windows system volumes: recognising them and reading their facts from the hives. */
public final class WindowsInspector {
  private WindowsInspector() {}

  /** Whether the volume holds {@code Windows/System32/config/SOFTWARE} (names case-insensitive). */
  public static boolean isWindowsRoot(GuestFiles guest) throws IOException {
    return false;
  }

  /**
   * Reads a Windows system volume's facts, updates, applications and pending-reboot state.
   *
   * @param partition the index of the partition holding the volume (0 for a bare file system)
   * @param table the disk's partition table, to match {@code MountedDevices} to partitions, or
   *     null
   */
  public static GuestRoot inspect(GuestFiles guest, int partition, PartitionTable table)
      throws IOException {
    throw new UnsupportedFeatureException(null, "Windows inspection", "not written yet");
  }
}
