package dev.vdisk.core;

/**
 * How a device stores one run of bytes, as answered by {@link BlockDevice#allocation(long)}.
 *
 * @param offset first byte of the run
 * @param length length of the run in bytes, at least 1 and never past the end of the device
 * @param state how the run is stored
 */
public record Allocation(long offset, long length, State state) {

  /** How a run of bytes is stored. */
  public enum State {
    /** The device stores data for this run; it may still happen to be zero. */
    DATA,
    /** The run reads as zeros and occupies no data space (a hole, or a block known to be zero). */
    ZERO,
    /**
     * This layer stores nothing for the run: reads come from the parent disk, or are zeros when
     * there is no parent.
     */
    UNALLOCATED
  }

  /**
   * Validates the run.
   *
   * @param offset first byte of the run
   * @param length length of the run
   * @param state how the run is stored
   */
  public Allocation {
    if (offset < 0 || length <= 0) {
      throw new IllegalArgumentException("bad run: offset " + offset + ", length " + length);
    }
    java.util.Objects.requireNonNull(state, "state");
  }

  /**
   * The first byte after the run.
   *
   * @return {@code offset + length}
   */
  public long end() {
    return offset + length;
  }
}
