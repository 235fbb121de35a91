package dev.vdisk.vhdx.internal;

/**
 * Named points in the write path (after each write and flush of data, log and metadata), where a
 * crash test can stop the process to prove that every intermediate state is recoverable. Without
 * a listener the calls do nothing.
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
