package dev.vdisk.core.copy;

/** Receives progress of long operations (conversion, commit). Called from the working thread. */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores progress. */
  ProgressListener NONE = (done, total) -> {};

  /**
   * Reports progress.
   *
   * @param done bytes of the virtual disk handled so far (holes count as handled)
   * @param total bytes to handle in all
   */
  void progress(long done, long total);
}
