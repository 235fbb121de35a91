package dev.vdisk.inspect;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Inspector} found on one disk.
 *
 * @param image the image inspected (as given)
 * @param roots every operating system root found, the default (first bootable, else first) first
 * @param warnings what could not be probed (a partition with an unreadable file system, ...)
 */
public record Inspection(String image, List<GuestRoot> roots, List<String> warnings) {

  /** Copies the lists. */
  public Inspection {
    roots = List.copyOf(roots);
    warnings = List.copyOf(warnings);
  }

  /** The default root, if any operating system was found. */
  public Optional<GuestRoot> defaultRoot() {
    return roots.isEmpty() ? Optional.empty() : Optional.of(roots.get(0));
  }
}
