package dev.vdisk.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * A one-line progress bar of items done on stderr, for commands that work on many images at
 * once: {@code scanning [###############...............]  25 / 50 images  0:12}. Safe to call
 * from any thread; redrawn at most ten times a second.
 */
final class CountProgress implements IntConsumer, AutoCloseable {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final String label;
  private final int total;
  private final long started = System.nanoTime();
  private long lastDraw;
  private int done;
  private boolean drawn;

  private CountProgress(PrintWriter err, String label, int total) {
    this.err = err;
    this.label = label;
    this.total = total;
  }

  /**
   * A bar when enabled, else null (callers pass null on as "no progress").
   *
   * @param enabled {@code --progress}, or stderr is a terminal
   */
  static CountProgress create(PrintWriter err, String label, int total, boolean enabled) {
    return enabled ? new CountProgress(err, label, total) : null;
  }

  @Override
  public synchronized void accept(int value) {
    done = Math.max(done, value);
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L && done < total) {
      return;
    }
    lastDraw = now;
    draw();
  }

  private void draw() {
    double fraction = total <= 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3d / %d images  %d:%02d", label,
        "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, seconds / 60,
        seconds % 60));
    err.flush();
    drawn = true;
  }

  @Override
  public synchronized void close() {
    if (drawn) {
      draw();
      err.println();
      err.flush();
    }
  }
}
