package dev.vdisk.inspect;

import java.util.List;
import java.util.Map;

/**
 * One operating system installation found on a disk.
 *
 * @param partition the index of the partition holding the root (as {@code vdisk info} numbers
 *     them; 0 for a bare file system)
 * @param os the facts
 * @param packages the package database's records (all states; see {@link
 *     InstalledPackage#installed()})
 * @param kernels names of the installed kernel packages (Linux)
 * @param updates Windows servicing packages
 * @param applications Windows applications
 * @param pendingReboot the reasons a reboot is pending (Windows {@code RebootPending}, {@code
 *     PendingFileRenameOperations}, {@code pending.xml}; Linux: packages that vdisk's enabled
 *     first-boot unit configures or installs, which are then listed in {@code packages} with
 *     the status {@code install ok installed-pending-reboot}); empty when none
 * @param mounts guest mount point to what is mounted there (Linux fstab entries that were
 *     found, for example {@code /boot} to {@code partition 1}), or drive letter to partition
 *     (Windows {@code MountedDevices}) where they could be matched
 * @param warnings what could not be read, each naming the file and the reason
 */
public record GuestRoot(int partition, OsFacts os, List<InstalledPackage> packages,
    List<String> kernels, List<InstalledUpdate> updates, List<InstalledApplication> applications,
    List<String> pendingReboot, Map<String, String> mounts, List<String> warnings) {

  /** Copies the lists and the map. */
  public GuestRoot {
    packages = List.copyOf(packages);
    kernels = List.copyOf(kernels);
    updates = List.copyOf(updates);
    applications = List.copyOf(applications);
    pendingReboot = List.copyOf(pendingReboot);
    mounts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mounts));
    warnings = List.copyOf(warnings);
  }
}
