package dev.vdisk.cli;

import dev.vdisk.core.copy.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second:
 * {@code [##########..........]  50%  512.0 MiB / 1.0 GiB  210.3 MiB/s}.
 */
final class ProgressBar implements ProgressListener, AutoCloseable {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final String label;
  private final long started = System.nanoTime();
  private long lastDraw;
  private long lastDone;
  private long lastTotal;
  private boolean drawn;

  private ProgressBar(PrintWriter err, String label) {
    this.err = err;
    this.label = label;
  }

  /**
   * A bar when enabled, otherwise a listener that prints nothing.
   *
   * @param enabled {@code --progress}, or stderr is a terminal
   */
  static ProgressBar create(PrintWriter err, String label, boolean enabled) {
    return enabled ? new ProgressBar(err, label) : null;
  }

  static boolean wanted(Boolean flag) {
    return flag != null ? flag : System.console() != null;
  }

  @Override
  public void progress(long done, long total) {
    lastDone = done;
    lastTotal = total;
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L && done < total) {
      return;
    }
    lastDraw = now;
    draw();
  }

  private void draw() {
    double fraction = lastTotal <= 0 ? 1 : Math.min(1, (double) lastDone / lastTotal);
    int filled = (int) Math.round(fraction * WIDTH);
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    String line = String.format(Locale.ROOT, "\r%s [%s%s] %3d%%  %s / %s  %s/s", label,
        "#".repeat(filled), ".".repeat(WIDTH - filled), (int) (fraction * 100),
        Sizes.human(lastDone), Sizes.human(lastTotal), Sizes.human((long) (lastDone / seconds)));
    err.print(line);
    err.flush();
    drawn = true;
  }

  @Override
  public void close() {
    if (drawn) {
      draw();
      err.println();
      err.flush();
    }
  }
}
