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
