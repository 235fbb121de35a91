package dev.vdisk.compliance;

/**
 * How {@link Remediator} remediates.
 *
 * @param scan how sources are loaded and targets scanned ({@link ScanOptions#parallelism()}
 *     images are remediated at once)
 * @param snapshot write into a new differencing child named after each image (the image itself
 *     stays unchanged) instead of the image
 * @param dryRun resolve, fetch, verify and apply into a discarded transaction: nothing is written
 */
public record RemediateOptions(ScanOptions scan, boolean snapshot, boolean dryRun) {}
