package dev.vdisk.compliance;

import dev.vdisk.baseline.BaselineSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Scans images against a baseline file. The sources of the baselines are fetched and verified
 * once, when the scanner is created; scanning opens each image read-only.
 */
public final class Scanner {
  private Scanner() {}

  /**
   * Loads and verifies every source the baselines name.
   *
   * @param baselines the baseline file
   * @param options how
   * @return the scanner
   * @throws IOException if a source cannot be read, or a {@link dev.vdisk.core.TrustException}
   *     if its indexes are not trusted
   */
  public static Scanner create(BaselineSet baselines, ScanOptions options) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Scans one image. Never throws for a bad image: the report is then {@link
   * Compliance#UNKNOWN} with the reason.
   *
   * @param image the image
   * @param tags the target's tags (choose the baselines)
   * @return the report
   */
  public TargetReport scan(Path image, Set<String> tags) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Scans images in parallel ({@link ScanOptions#parallelism()} at a time).
   *
   * @param images the images
   * @param tags the tags of every one of them
   * @param done called with the number of images done so far, from any thread, or null
   * @return one report per image, in order
   */
  public List<TargetReport> scanAll(List<Path> images, Set<String> tags,
      java.util.function.IntConsumer done) {
    throw new UnsupportedOperationException("not yet");
  }
}
