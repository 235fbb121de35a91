package dev.vdisk.ext4.internal;

import java.io.IOException;

/**
 * Collects blocks being freed into consecutive runs, so a truncation frees a few long runs
 * through {@link Ext4Writer#freeBlocks(long, long)} instead of one call per block.
 */
final class BlockFreer {
  private final Ext4Writer w;
  private long start = -1;
  private long count;
  private long keepStart = -1;
  private long keepCount;

  BlockFreer(Ext4Writer w) {
    this.w = w;
  }

  /**
   * Frees a run (merged with the pending one when they touch).
   *
   * @param first the first block
   * @param n how many
   * @throws IOException when a block is already free
   */
  void free(long first, long n) throws IOException {
    if (n <= 0) {
      return;
    }
    if (keepStart >= 0 && first < keepStart + keepCount && first + n > keepStart) {
      free(first, keepStart - first);
      long after = keepStart + keepCount;
      free(after, first + n - after);
      return;
    }
    if (start >= 0 && start + count == first) {
      count += n;
      return;
    }
    if (start >= 0 && first + n == start) {
      start = first;
      count += n;
      return;
    }
    flush();
    start = first;
    count = n;
  }

  /**
   * Keeps a run from being freed (bigalloc: the cluster of which the file still maps blocks
   * while blocks of it are being truncated away); parts of later runs that fall in it are
   * skipped.
   *
   * @param first the first block kept
   * @param n how many
   */
  void keep(long first, long n) {
    keepStart = first;
    keepCount = n;
  }

  /**
   * Frees the pending run.
   *
   * @throws IOException when a block is already free
   */
  void flush() throws IOException {
    if (start >= 0) {
      long s = start;
      long c = count;
      start = -1;
      count = 0;
      w.freeBlocks(s, c);
    }
  }
}
