package dev.vdisk.vhdx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A log data sector ({@code "data"}): 4 KiB holding the high and low halves of the entry's
 * sequence number around 4084 bytes of a sector's data.
 *
 * @param sequenceNumber the sequence number its halves make
 * @param data the 4084 data bytes
 */
public record DataSector(long sequenceNumber, byte[] data) {
  /** Size of a data sector. */
  public static final int SIZE = 4096;
  /** Signature {@code "data"} as a little-endian int. */
  public static final int SIGNATURE = 0x61746164;

  /**
   * Parses the sector if it has the signature.
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @return the sector, or empty
   */
  public static Optional<DataSector> parse(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    if (le.getInt(p) != SIGNATURE) {
      return Optional.empty();
    }
    long high = le.getInt(p + 4) & 0xFFFF_FFFFL;
    long low = le.getInt(p + 4092) & 0xFFFF_FFFFL;
    byte[] data = new byte[4084];
    le.get(p + 8, data);
    return Optional.of(new DataSector((high << 32) | low, data));
  }

  /**
   * Builds the sector that carries a 4 KiB sector's middle bytes.
   *
   * @param sector the 4096-byte sector
   * @param sequenceNumber the entry's sequence number
   * @return the data sector
   */
  public static DataSector of(byte[] sector, long sequenceNumber) {
    return new DataSector(sequenceNumber, java.util.Arrays.copyOfRange(sector, 8, 4092));
  }

  /**
   * The replayed sector: the descriptor's leading bytes, the data, the trailing bytes.
   *
   * @param descriptor the matching descriptor
   * @return 4096 bytes
   */
  public byte[] sector(DataDescriptor descriptor) {
    byte[] out = new byte[SIZE];
    System.arraycopy(descriptor.leadingBytes(), 0, out, 0, 8);
    System.arraycopy(data, 0, out, 8, 4084);
    System.arraycopy(descriptor.trailingBytes(), 0, out, 4092, 4);
    return out;
  }

  /**
   * Writes the sector at the buffer's position.
   *
   * @param buffer {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    le.putInt(p, SIGNATURE);
    le.putInt(p + 4, (int) (sequenceNumber >>> 32));
    le.put(p + 8, data);
    le.putInt(p + 4092, (int) sequenceNumber);
  }
}
