package dev.vdisk.vhdx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A log data descriptor ({@code "desc"}): replaying it writes one 4 KiB sector at {@code
 * fileOffset}, made of the descriptor's 8 leading bytes, the data sector's 4084 data bytes and
 * the descriptor's 4 trailing bytes.
 *
 * @param trailingBytes the sector's last 4 bytes
 * @param leadingBytes the sector's first 8 bytes
 * @param fileOffset where, a multiple of 4 KiB
 * @param sequenceNumber must equal the entry's sequence number
 */
public record DataDescriptor(byte[] trailingBytes, byte[] leadingBytes, long fileOffset,
    long sequenceNumber) {
  /** Signature {@code "desc"} as a little-endian int. */
  public static final int SIGNATURE = 0x63736564;

  /**
   * Parses the descriptor if it has the signature and a 4 KiB-aligned, non-negative offset.
   *
   * @param buffer 32 bytes from its position
   * @return the descriptor, or empty
   */
  public static Optional<DataDescriptor> parse(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    if (le.getInt(p) != SIGNATURE) {
      return Optional.empty();
    }
    byte[] trailing = new byte[4];
    byte[] leading = new byte[8];
    le.get(p + 4, trailing);
    le.get(p + 8, leading);
    long fileOffset = le.getLong(p + 16);
    if (fileOffset < 0 || fileOffset % 4096 != 0 || fileOffset > Long.MAX_VALUE - 4096) {
      return Optional.empty();
    }
    return Optional.of(new DataDescriptor(trailing, leading, fileOffset, le.getLong(p + 24)));
  }

  /**
   * Builds the descriptor for a 4 KiB sector.
   *
   * @param sector the sector's 4096 bytes
   * @param fileOffset where it goes
   * @param sequenceNumber the entry's sequence number
   * @return the descriptor
   */
  public static DataDescriptor of(byte[] sector, long fileOffset, long sequenceNumber) {
    return new DataDescriptor(java.util.Arrays.copyOfRange(sector, 4092, 4096),
        java.util.Arrays.copyOfRange(sector, 0, 8), fileOffset, sequenceNumber);
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
    le.put(p + 4, trailingBytes);
    le.put(p + 8, leadingBytes);
    le.putLong(p + 16, fileOffset);
    le.putLong(p + 24, sequenceNumber);
  }
}
