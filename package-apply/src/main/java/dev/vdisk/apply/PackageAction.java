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
 * @param conffilesKept admin-modified conffiles that were kept (the new one written beside as
 *     {@code .dpkg-dist})
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
