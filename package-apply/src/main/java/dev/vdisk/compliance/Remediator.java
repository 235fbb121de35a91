package dev.vdisk.compliance;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Brings images into compliance: scan, resolve what is missing to packages in the baselines'
 * trusted sources (with their dependencies, under the baselines' rules), fetch and verify them,
 * apply them in one transaction per image, and scan again. A failure in one image never affects
 * another.
 */
public final class Remediator {
  private Remediator() {}

  /**
   * Creates a remediator over a scanner's verified sources.
   *
   * @param scanner the scanner (its sources are reused)
   * @param options how
   * @return the remediator
   */
  public static Remediator create(Scanner scanner, RemediateOptions options) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Remediates one image. Never throws for a bad image or a failed application: the report's
   * outcome is then {@link RemediationReport.Outcome#FAILED} with the reason, and the image is
   * unchanged.
   *
   * @param image the image
   * @param tags the target's tags
   * @return the report
   */
  public RemediationReport remediate(Path image, Set<String> tags) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Remediates images in parallel.
   *
   * @param images the images
   * @param tags the tags of every one of them
   * @param done called with the number of images done so far, from any thread, or null
   * @return one report per image, in order
   */
  public List<RemediationReport> remediateAll(List<Path> images, Set<String> tags,
      IntConsumer done) {
    throw new UnsupportedOperationException("not yet");
  }
}
