package dev.vdisk.inspect.internal.linux;

import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.InstalledPackage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Packages that vdisk's offline injection left for the guest's first boot: while the first-boot
 * unit is enabled ({@code /etc/systemd/system/multi-user.target.wants/vdisk-firstboot.service}
 * or {@code /etc/rc2.d/S01vdisk-firstboot}), dpkg packages in the {@code unpacked}, {@code
 * half-configured}, {@code triggers-awaited} or {@code triggers-pending} state are reported with
 * the status {@value #STATE} in place of dpkg's state word ({@code install ok
 * installed-pending-reboot}), and each {@code .deb} in {@code /var/lib/vdisk/staged}
 * ({@code NN-name_version_arch.deb}) is reported as one more package with that status (not
 * {@code installed}; the version it replaces stays listed as it is). The reasons go to the root's
 * {@code pendingReboot}.
 */
final class PendingInstalls {
  /** The status word for a package that the first boot configures or installs. */
  static final String STATE = "installed-pending-reboot";
  static final String STAGED = "/var/lib/vdisk/staged";
  private static final Set<String> UNFINISHED =
      Set.of("unpacked", "half-configured", "triggers-awaited", "triggers-pending");
  private static final int MAX_STAGED = 10000;

  private PendingInstalls() {}

  /** Rewrites the packages in place and returns the reasons (empty when nothing is pending). */
  static List<String> apply(GuestFiles guest, List<InstalledPackage> packages)
      throws IOException {
    List<String> reasons = new ArrayList<>();
    boolean enabled = GuestText.exists(guest,
        "/etc/systemd/system/multi-user.target.wants/vdisk-firstboot.service")
        || GuestText.exists(guest, "/etc/rc2.d/S01vdisk-firstboot");
    if (!enabled) {
      return reasons;
    }
    int unfinished = 0;
    for (int i = 0; i < packages.size(); i++) {
      InstalledPackage p = packages.get(i);
      String[] w = p.status().trim().split("\\s+");
      if (p.format().equals("deb") && w.length == 3 && UNFINISHED.contains(w[2])) {
        packages.set(i, new InstalledPackage(p.name(), p.version(), p.arch(),
            w[0] + " " + w[1] + " " + STATE, false, p.format(), p.epoch(),
            p.upstreamVersion(), p.release(), p.source(), p.vendor(), p.installTime()));
        unfinished++;
      }
    }
    if (unfinished > 0) {
      reasons.add("vdisk-firstboot: " + unfinished + " unpacked package(s) to configure");
    }
    Path dir = GuestText.resolve(guest, STAGED);
    if (dir != null && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      TreeSet<String> names = new TreeSet<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path f : ds) {
          if (names.size() >= MAX_STAGED) {
            break;
          }
          names.add(f.getFileName().toString());
        }
      }
      int staged = 0;
      for (String n : names) {
        InstalledPackage p = fromFileName(n);
        if (p != null) {
          packages.add(p);
          staged++;
        }
      }
      if (staged > 0) {
        reasons.add("vdisk-firstboot: " + staged + " staged package(s) to install");
      }
    }
    return reasons;
  }

  /** A staged file's package, or null when the name is not NN-name_version_arch.deb. */
  static InstalledPackage fromFileName(String file) {
    if (!file.endsWith(".deb")) {
      return null;
    }
    int dash = file.indexOf('-');
    String rest = file.substring(dash + 1, file.length() - 4);
    String[] f = rest.split("_");
    if (dash <= 0 || f.length != 3 || f[0].isEmpty() || f[1].isEmpty() || f[2].isEmpty()) {
      return null;
    }
    String version = f[1].replace("%3a", ":").replace("%3A", ":");
    DpkgStatus.Version v = DpkgStatus.Version.split(version);
    return new InstalledPackage(f[0], version, f[2], "install ok " + STATE, false, "deb",
        v.epoch(), v.upstream(), v.revision(), null, null, null);
  }
}
