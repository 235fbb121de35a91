package dev.vdisk.vmdk.internal.esx;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The volatile header of an ESXi seSparse extent (512 bytes at the sector the const header names):
 * magic {@code 0xcafecafe}, the next free grain table number, the next journal transaction
 * sequence number and the replay-journal flag. Little-endian.
 *
 * @param freeGtNumber the next free grain table number
 * @param nextTxnSeqNumber the next journal transaction sequence number
 * @param replayJournal non-zero when the journal holds changes not yet applied
 */
public record SeSparseVolatileHeader(long freeGtNumber, long nextTxnSeqNumber,
    long replayJournal) {

  /** Size of the header in bytes. */
  public static final int SIZE = 512;
  /** The magic number. */
  public static final long MAGIC = 0xcafecafeL;

  private static final String STRUCTURE = "seSparse volatile header";

  /**
   * Parses the header.
   *
   * @param file the extent file, for errors
   * @param offset the header's byte offset, for errors
   * @param buffer at least {@link #SIZE} bytes (position is used)
   * @return the header
   * @throws CorruptStructureException on a bad magic
   */
  public static SeSparseVolatileHeader parse(Path file, long offset, ByteBuffer buffer)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, STRUCTURE,
          "needs " + SIZE + " bytes, " + buffer.remaining() + " available");
    }
    ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    long magic = b.getLong(0);
    if (magic != MAGIC) {
      throw new CorruptStructureException(file, offset, STRUCTURE,
          String.format("bad magic 0x%016x (expected 0x%016x)", magic, MAGIC));
    }
    return new SeSparseVolatileHeader(b.getLong(8), b.getLong(16), b.getLong(24));
  }

  /**
   * Whether the journal must be replayed before the tables can be trusted.
   *
   * @return {@code true} if the replay flag is set
   */
  public boolean needsReplay() {
    return replayJournal != 0;
  }

  /**
   * Writes the header ({@link #SIZE} bytes) at the buffer's position.
   *
   * @param dst the buffer
   */
  public void writeTo(ByteBuffer dst) {
    ByteBuffer b = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < SIZE; i++) {
      b.put(i, (byte) 0);
    }
    b.putLong(0, MAGIC);
    b.putLong(8, freeGtNumber);
    b.putLong(16, nextTxnSeqNumber);
    b.putLong(24, replayJournal);
    dst.position(dst.position() + SIZE);
  }
}
