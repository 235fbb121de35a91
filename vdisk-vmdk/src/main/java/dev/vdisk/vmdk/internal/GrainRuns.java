package dev.vdisk.vmdk.internal;

import dev.vdisk.core.Allocation;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The address arithmetic that every grain-mapped extent (hosted sparse, streamOptimized, COWD,
 * seSparse) shares: range checks, merging neighbouring grains of one state into an allocation
 * run, and splitting a read into per-grain pieces.
 */
public final class GrainRuns {
  private GrainRuns() {}

  /** The allocation state of one grain. */
  @FunctionalInterface
  public interface StateOf {
    /**
     * Looks it up.
     *
     * @param grain the grain's number
     * @return its state
     * @throws IOException on an I/O or format error
     */
    Allocation.State of(long grain) throws IOException;
  }

  /** Reads the part of one grain that a request covers. */
  @FunctionalInterface
  public interface GrainPiece {
    /**
     * Fills {@code part} (all of it) from the grain.
     *
     * @param grain the grain's number
     * @param inGrain the byte offset inside the grain
     * @param part the buffer to fill, at most up to the grain's end
     * @throws IOException on an I/O or format error
     */
    void read(long grain, long inGrain, ByteBuffer part) throws IOException;
  }

  /**
   * Fails unless {@code [offset, offset + length)} lies inside an extent of {@code size} bytes.
   *
   * @param offset the range's start
   * @param length its length
   * @param size the extent's size
   * @throws IllegalArgumentException if it does not (a caller's bug, not bad input)
   */
  public static void checkRange(long offset, long length, long size) {
    if (offset < 0 || length < 0 || offset > size || length > size - offset) {
      throw new IllegalArgumentException(
          "range " + offset + "+" + length + " outside the extent of " + size + " bytes");
    }
  }

  /**
   * The run of one state that starts at {@code offset}: the grains after its grain are merged
   * while they have the same state, at most {@code maxGrains} of them, and the run is clipped to
   * the extent.
   *
   * @param offset where the run starts (inside the extent)
   * @param size the extent's size
   * @param grainBytes the grain size in bytes
   * @param maxGrains how many following grains to look at, at most
   * @param state the state of a grain
   * @return the run
   * @throws IOException on an I/O or format error
   */
  public static Allocation run(long offset, long size, long grainBytes, long maxGrains,
      StateOf state) throws IOException {
    long grain = offset / grainBytes;
    long last = (size - 1) / grainBytes;
    Allocation.State first = state.of(grain);
    long g = grain + 1;
    long limit = Math.min(last, grain + maxGrains);
    while (g <= limit && state.of(g) == first) {
      g++;
    }
    long end = Math.min(size, g * grainBytes);
    return new Allocation(offset, end - offset, first);
  }

  /**
   * Fills {@code dst} from {@code offset} grain by grain: each piece ends at a grain boundary or
   * at the buffer's limit.
   *
   * @param offset where to start reading
   * @param dst the buffer; its position ends at its limit
   * @param grainBytes the grain size in bytes
   * @param piece reads one piece
   * @throws IOException on an I/O or format error
   */
  public static void read(long offset, ByteBuffer dst, long grainBytes, GrainPiece piece)
      throws IOException {
    long at = offset;
    while (dst.hasRemaining()) {
      long grain = at / grainBytes;
      long inGrain = at - grain * grainBytes;
      int n = (int) Math.min(dst.remaining(), grainBytes - inGrain);
      piece.read(grain, inGrain, dst.slice().limit(n));
      dst.position(dst.position() + n);
      at += n;
    }
  }
}
