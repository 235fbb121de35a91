package dev.vdisk.vmdk.internal;

/**
 * Named points in the VMDK write path (after each data write, table update and flush), where a
 * crash test can stop the process. Without a listener the calls do nothing.
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
   * @param l the listener, or {@code null}
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
