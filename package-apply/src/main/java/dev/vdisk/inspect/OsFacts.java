package dev.vdisk.inspect;

/**
 * Facts about one operating system installation. Fields that do not apply or were not found are
 * null.
 *
 * @param family {@code linux} or {@code windows}
 * @param distribution distribution id ({@code debian}, {@code rhel}, {@code alpine}, ...; {@code
 *     windows} for Windows)
 * @param version human version ({@code os-release VERSION}; Windows {@code CurrentVersion} or
 *     display version)
 * @param versionId machine version ({@code VERSION_ID})
 * @param product pretty product name ({@code PRETTY_NAME}; Windows {@code ProductName})
 * @param pointRelease the distribution's point release where it has one ({@code
 *     /etc/debian_version})
 * @param codename {@code VERSION_CODENAME}
 * @param build Windows {@code major.minor.build.UBR}
 * @param edition Windows {@code EditionID}
 * @param installationType Windows {@code InstallationType} ({@code Client}, {@code Server},
 *     {@code Server Core})
 * @param displayVersion Windows {@code DisplayVersion} (or {@code ReleaseId})
 * @param arch architecture ({@code x86_64}, {@code aarch64}, {@code i386}, ...)
 * @param hostname the configured host name
 * @param initSystem {@code systemd}, {@code sysvinit}, {@code openrc}, {@code busybox}, ...
 * @param packageFormat {@code deb}, {@code rpm}, {@code apk}, {@code windows}
 * @param packageManager {@code dpkg}, {@code rpm}, {@code apk}, {@code cbs}
 */
public record OsFacts(String family, String distribution, String version, String versionId,
    String product, String pointRelease, String codename, String build, String edition,
    String installationType, String displayVersion, String arch, String hostname,
    String initSystem, String packageFormat, String packageManager) {}
