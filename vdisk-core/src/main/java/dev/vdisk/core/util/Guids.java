package dev.vdisk.core.util;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * GUIDs as Microsoft and UEFI store them: 16 bytes whose first three fields are little-endian and
 * last eight bytes are in order (GPT, VHDX, NTFS, registry and many more). Shared by every module
 * that reads such structures.
 */
public final class Guids {
  /** The all-zero GUID, which MS-VHDX uses for "no log" and "no value". */
  public static final UUID ZERO = new UUID(0, 0);

  private Guids() {}

  /**
   * Reads a GUID at an absolute position.
   *
   * @param buffer the bytes
   * @param position where the 16 bytes start
   * @return the GUID
   */
  public static UUID read(ByteBuffer buffer, int position) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long d1 = le.getInt(position) & 0xFFFF_FFFFL;
    long d2 = le.getShort(position + 4) & 0xFFFFL;
    long d3 = le.getShort(position + 6) & 0xFFFFL;
    long msb = (d1 << 32) | (d2 << 16) | d3;
    long lsb = le.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(position + 8);
    return new UUID(msb, lsb);
  }

  /**
   * Writes a GUID at an absolute position.
   *
   * @param buffer the bytes
   * @param position where the 16 bytes start
   * @param guid the GUID
   */
  public static void write(ByteBuffer buffer, int position, UUID guid) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long msb = guid.getMostSignificantBits();
    le.putInt(position, (int) (msb >>> 32));
    le.putShort(position + 4, (short) (msb >>> 16));
    le.putShort(position + 6, (short) msb);
    le.duplicate().order(ByteOrder.BIG_ENDIAN).putLong(position + 8, guid.getLeastSignificantBits());
  }

  /**
   * Whether a GUID is all zeros.
   *
   * @param guid the GUID
   * @return {@code true} for the zero GUID
   */
  public static boolean isZero(UUID guid) {
    return ZERO.equals(guid);
  }

  /**
   * The GUID in the braced lower-case form parent locators use, {@code {xxxxxxxx-...}} (libvhdi
   * 20210425 fails to parse upper-case hex).
   *
   * @param guid the GUID
   * @return the text
   */
  public static String braced(UUID guid) {
    return "{" + guid.toString() + "}";
  }

  /**
   * Parses a GUID with or without braces.
   *
   * @param text the text
   * @return the GUID, or {@code null} if the text is not a GUID
   */
  public static UUID parse(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    if (t.startsWith("{") && t.endsWith("}")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(t);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The canonical upper-case form that sgdisk and sfdisk print.
   *
   * @param guid the GUID
   * @return for example {@code "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"}
   */
  public static String format(UUID guid) {
    return guid.toString().toUpperCase(java.util.Locale.ROOT);
  }
}
