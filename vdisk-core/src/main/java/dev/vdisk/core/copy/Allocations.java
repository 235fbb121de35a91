package dev.vdisk.core.copy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.VirtualDisk;
import java.io.IOException;
import java.util.Optional;

/** Allocation queries that look through a differencing chain. */
public final class Allocations {
  private Allocations() {}

  /**
   * The run starting at {@code offset} as a reader of {@code disk} sees it: {@link
   * Allocation.State#DATA} where this disk or any parent stores data, {@link
   * Allocation.State#ZERO} where the bytes read as zeros (never {@link
   * Allocation.State#UNALLOCATED}). Runs are cut where the answer of any layer changes.
   *
   * @param disk the disk
   * @param offset a byte offset in {@code [0, size())}
   * @return the run
   * @throws IOException on an I/O error
   */
  public static Allocation effective(VirtualDisk disk, long offset) throws IOException {
    Allocation own = disk.allocation(offset);
    if (own.state() != Allocation.State.UNALLOCATED) {
      return own;
    }
    Optional<VirtualDisk> parent = disk.parent();
    if (parent.isEmpty() || offset >= parent.get().size()) {
      return new Allocation(offset, own.length(), Allocation.State.ZERO);
    }
    Allocation below = effective(parent.get(), offset);
    long end = Math.min(own.end(), below.end());
    return new Allocation(offset, end - offset, below.state());
  }
}
