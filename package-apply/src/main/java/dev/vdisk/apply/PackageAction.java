package dev.vdisk.apply;

import java.util.List;

/**
 * What happened to one package.
 *
 * @param name the package name
 * @param architecture its architecture
 * @param oldVersion the version installed before, or {@code null}
 * @param newVersion the version injected
 * @param action what was done
 * @param reason why it was staged rather than unpacked, or {@code null}
 * @param files the number of files, links and directories written
 * @param conffilesKept admin-modified conffiles that the new version also changes: the admin's
 *     file is kept and the new one left beside it as {@code .dpkg-dist} when the first boot
 *     configures the package ({@code --force-confold}); an admin-modified conffile the package
 *     does not change is kept silently and not listed
 */
public record PackageAction(String name, String architecture, String oldVersion,
    String newVersion, Action action, String reason, int files, List<String> conffilesKept) {
  /** What was done. */
  public enum Action {
    /** Unpacked into the file system and recorded as {@code unpacked}; configured at first boot. */
    UNPACKED,
    /** Copied into the image and installed by the first-boot unit. */
    STAGED,
    /** The same version is installed already. */
    UNCHANGED
  }
}
