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
 * @param packages per package, in unpacking order
 * @param warnings things worth knowing that did not stop the apply
 */
public record ApplyReport(Path image, Path written, boolean dryRun, List<PackageAction> packages,
    List<String> warnings) {}
