package dev.vdisk.vhdx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A log zero descriptor ({@code "zero"}): replaying it writes {@code zeroLength} zero bytes at
 * {@code fileOffset}.
 *
 * @param zeroLength bytes to zero, a multiple of 4 KiB
 * @param fileOffset where, a multiple of 4 KiB
 * @param sequenceNumber must equal the entry's sequence number
 */
public record ZeroDescriptor(long zeroLength, long fileOffset, long sequenceNumber) {
  /** Signature {@code "zero"} as a little-endian int. */
  public static final int SIGNATURE = 0x6F72657A;

  /**
   * Parses the descriptor if it has the signature and 4 KiB-aligned, non-negative fields.
   *
   * @param buffer 32 bytes from its position
   * @return the descriptor, or empty
   */
  public static Optional<ZeroDescriptor> parse(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    if (le.getInt(p) != SIGNATURE) {
      return Optional.empty();
    }
    ZeroDescriptor d = new ZeroDescriptor(le.getLong(p + 8), le.getLong(p + 16), le.getLong(p + 24));
    if (d.zeroLength < 0 || d.fileOffset < 0 || d.zeroLength % 4096 != 0
        || d.fileOffset % 4096 != 0 || d.fileOffset > Long.MAX_VALUE - d.zeroLength) {
      return Optional.empty();
    }
    return Optional.of(d);
  }

  /**
   * Writes the descriptor at the buffer's position.
   *
   * @param buffer 32 bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    le.putInt(p, SIGNATURE);
    le.putInt(p + 4, 0);
    le.putLong(p + 8, zeroLength);
    le.putLong(p + 16, fileOffset);
    le.putLong(p + 24, sequenceNumber);
  }
}
