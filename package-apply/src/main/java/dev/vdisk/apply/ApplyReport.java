package dev.vdisk.apply;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of {@link Applier#apply}.
 *
 * @param image the image asked for
 * @param written the image actually written (the snapshot child, or the image), or {@code null}
 *     for a dry run
 * @param dryRun whether nothing was made durable
 * @param partition the partition holding the guest root that was serviced (0: the whole disk)
 * @param packages per package, in unpacking order
 * @param changedBytes how many bytes of the disk the transaction changed (committed, or dropped
 *     for a dry run), in 4 KiB blocks
 * @param warnings things worth knowing that did not stop the apply
 */
public record ApplyReport(Path image, Path written, boolean dryRun, int partition,
    List<PackageAction> packages, long changedBytes, List<String> warnings) {
  /** Copies the lists. */
  public ApplyReport {
    packages = List.copyOf(packages);
    warnings = List.copyOf(warnings);
  }
}
