package dev.vdisk.report;

import dev.vdisk.compliance.RemediationReport;
import dev.vdisk.compliance.TargetReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes compliance reports as one self-contained HTML file (inline CSS, SVG and script; no
 * network access when viewed).
 */
public final class HtmlReport {
  private HtmlReport() {}

  /**
   * Writes a scan report.
   *
   * @param title the page title (e.g. the baseline file's name)
   * @param reports one per target
   * @param out the file to write (replaced atomically)
   * @throws IOException if it cannot be written
   */
  public static void writeScan(String title, List<TargetReport> reports, Path out)
      throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Writes a remediation report (before and after per target).
   *
   * @param title the page title
   * @param reports one per target
   * @param out the file to write (replaced atomically)
   * @throws IOException if it cannot be written
   */
  public static void writeRemediation(String title, List<RemediationReport> reports, Path out)
      throws IOException {
    throw new UnsupportedOperationException("not yet");
  }
}
