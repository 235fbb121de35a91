package dev.vdisk.vmdk.internal;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The data of one extent named by a VMDK descriptor (FLAT, SPARSE, ZERO, VMFS, VMFSSPARSE,
 * SESPARSE, or a streamOptimized sparse file), addressed in bytes from the extent's first byte.
 *
 * <p>The disk ({@code VmdkDisk}) lays extents end to end and routes each request to the extent
 * holding it; it reads {@link Allocation.State#UNALLOCATED} runs from the parent of a delta disk
 * (or as zeros without one), so an extent never knows about parents.
 */
public interface Extent extends Closeable {

  /** The file holding this extent's data, for messages. */
  Path file();

  /** Capacity in bytes (the descriptor's sector count times 512). */
  long size();

  /**
   * The run of one state that starts at {@code offset} (bytes from this extent's start, below
   * {@link #size()}), clipped to the extent: DATA (stored here), ZERO (known zeros, such as a
   * zeroed-grain table entry) or UNALLOCATED (not stored here: the parent's data, or zeros).
   */
  Allocation allocation(long offset) throws IOException;

  /**
   * Fills {@code dst} from {@code offset}; unallocated and zero parts read as zeros. The range
   * lies inside the extent.
   */
  void read(long offset, ByteBuffer dst) throws IOException;

  /** Whether {@link #write} is possible on this open extent. */
  default boolean isWritable() {
    return false;
  }

  /**
   * Writes {@code src} at {@code offset}; the range lies inside the extent. Sparse extents
   * allocate grains in a crash-safe order: grain data first, then table entries, then the
   * redundant copy.
   */
  default void write(long offset, ByteBuffer src) throws IOException {
    throw new UnsupportedFeatureException(file(), "writing this VMDK extent type", "read-only");
  }

  /** Makes written data and metadata durable. */
  default void flush() throws IOException {}

  /** Adds the structural problems found in this extent to {@code report} (for {@code check}). */
  default void check(CheckReport.Builder report) throws IOException {}
}
