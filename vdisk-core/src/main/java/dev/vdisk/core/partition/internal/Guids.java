package dev.vdisk.core.partition.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.UUID;

/**
 * GUIDs as the UEFI specification stores them: 16 bytes in "mixed-endian" order, where the first
 * three fields (Data1 32-bit, Data2 16-bit, Data3 16-bit) are little-endian and the last eight
 * bytes (Data4) are stored as written.
 */
public final class Guids {
  /** The all-zero GUID, which marks an unused GPT partition entry. */
  public static final UUID ZERO = new UUID(0, 0);

  private Guids() {}

  /**
   * Reads a GUID at an absolute index of a buffer, without moving its position.
   *
   * @param buffer the buffer
   * @param index the first of the 16 bytes
   * @return the GUID
   */
  public static UUID read(ByteBuffer buffer, int index) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long data1 = le.getInt(index) & 0xFFFF_FFFFL;
    long data2 = le.getShort(index + 4) & 0xFFFFL;
    long data3 = le.getShort(index + 6) & 0xFFFFL;
    long data4 = buffer.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(index + 8);
    return new UUID((data1 << 32) | (data2 << 16) | data3, data4);
  }

  /**
   * Writes a GUID at an absolute index of a buffer, without moving its position.
   *
   * @param buffer the buffer
   * @param index the first of the 16 bytes
   * @param guid the GUID
   */
  public static void write(ByteBuffer buffer, int index, UUID guid) {
    long msb = guid.getMostSignificantBits();
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(index, (int) (msb >>> 32));
    le.putShort(index + 4, (short) (msb >>> 16));
    le.putShort(index + 6, (short) msb);
    buffer.duplicate().order(ByteOrder.BIG_ENDIAN).putLong(index + 8, guid.getLeastSignificantBits());
  }

  /**
   * The canonical upper-case form that sgdisk and sfdisk print.
   *
   * @param guid the GUID
   * @return for example {@code "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"}
   */
  public static String format(UUID guid) {
    return guid.toString().toUpperCase(Locale.ROOT);
  }
}
