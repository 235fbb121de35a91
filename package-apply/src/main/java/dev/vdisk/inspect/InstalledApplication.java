package dev.vdisk.inspect;

/**
 * A Windows application from an {@code Uninstall} key (the native and the 32-bit
 * {@code WOW6432Node} view).
 *
 * @param name {@code DisplayName}
 * @param version {@code DisplayVersion}, or null
 * @param publisher {@code Publisher}, or null
 * @param installDate {@code InstallDate} as stored (usually {@code yyyyMMdd}), or null
 * @param systemComponent whether {@code SystemComponent} is 1 (hidden from Programs and
 *     Features)
 * @param key the registry path of the entry in the SOFTWARE hive
 */
public record InstalledApplication(String name, String version, String publisher,
    String installDate, boolean systemComponent, String key) {}
