package dev.vdisk.apply.internal;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Options of {@link DebInjector}.
 *
 * @param foreignMountPoints guest paths where another file system is mounted per fstab (e.g.
 *     {@code "/boot"}): a package with data under them is staged (writes must stay on one file
 *     system for atomicity)
 * @param now the modification time of the staged copies
 * @param failAfterFiles test hook: throw after this many files were written ({@code -1}: off)
 */
public record InjectOptions(Set<String> foreignMountPoints, Instant now, int failAfterFiles) {
  /**
   * Checks the parts.
   *
   * @param foreignMountPoints the mount points
   * @param now the time
   * @param failAfterFiles the hook
   */
  public InjectOptions {
    foreignMountPoints = Set.copyOf(Objects.requireNonNull(foreignMountPoints,
        "foreignMountPoints"));
    Objects.requireNonNull(now, "now");
  }

  /**
   * Defaults: no foreign mount points, the current time, no failure hook.
   *
   * @return the options
   */
  public static InjectOptions defaults() {
    return new InjectOptions(Set.of(), Instant.now(), -1);
  }
}
