package dev.vdisk.core.util;

/**
 * Crash-test hook: named points in a format driver's write path (after each write and flush of
 * data, log, tables, headers and metadata) where a crash test can stop the process, to prove that
 * every intermediate state on disk is recoverable or at least detected.
 *
 * <p>Drivers call {@link #step(String)} after each such step; without a listener (the normal case)
 * the call does nothing. One listener serves the whole JVM, shared by every format driver (VHDX,
 * VMDK, ...); tests install it with {@link #setListener(Listener)}, typically in a child JVM that
 * halts itself after the N-th step.
 */
public final class WriteSteps {
  /** Receives the step names. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called after a step completed.
     *
     * @param step the step's name
     */
    void step(String step);
  }

  private static volatile Listener listener;

  private WriteSteps() {}

  /**
   * Installs the listener for this JVM (tests only).
   *
   * @param l the listener, or {@code null} to remove it
   */
  public static void setListener(Listener l) {
    listener = l;
  }

  /**
   * Reports a completed step.
   *
   * @param step its name
   */
  public static void step(String step) {
    Listener l = listener;
    if (l != null) {
      l.step(step);
    }
  }
}
