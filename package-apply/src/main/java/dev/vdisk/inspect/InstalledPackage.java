package dev.vdisk.inspect;

import java.time.Instant;
import java.util.Objects;

/**
 * A package recorded in a guest's package database.
 *
 * @param name the package name
 * @param version the version as the package manager prints it: dpkg's {@code Version} field
 *     ({@code [epoch:]upstream[-revision]}), rpm's {@code [epoch:]version-release}, apk's
 *     {@code version}
 * @param arch the architecture ({@code amd64}, {@code x86_64}, {@code noarch}, ...), "" if none
 * @param status the state as the database records it: dpkg's three-word {@code Status}
 *     ({@code install ok installed}), {@code installed} for rpm and apk
 * @param installed whether the package counts as installed (dpkg: status word
 *     {@code installed}; every rpm and apk record)
 * @param format {@code deb}, {@code rpm} or {@code apk}
 * @param epoch the epoch, or null when none is recorded
 * @param upstreamVersion the version without epoch and release/revision
 * @param release rpm release, dpkg revision, apk {@code -rN} suffix; "" when none
 * @param source the source package (dpkg {@code Source}, rpm {@code SOURCERPM}, apk origin), or
 *     null
 * @param vendor rpm vendor or dpkg/apk maintainer, or null
 * @param installTime when it was installed (rpm {@code INSTALLTIME}, apk {@code t:}), or null
 */
public record InstalledPackage(String name, String version, String arch, String status,
    boolean installed, String format, Integer epoch, String upstreamVersion, String release,
    String source, String vendor, Instant installTime) {

  /** Checks the required components. */
  public InstalledPackage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(format, "format");
  }
}
