package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The Parent Locator metadata item of a differencing disk: a locator type GUID and UTF-16LE
 * key/value pairs such as {@code parent_linkage}, {@code relative_path}, {@code volume_path} and
 * {@code absolute_win32_path}.
 *
 * @param locatorType the locator type; {@link #VHDX_LOCATOR_TYPE} for a VHDX parent
 * @param entries the key/value pairs in order
 */
public record ParentLocator(UUID locatorType, Map<String, String> entries) {
  /** The locator type of a VHDX parent. */
  public static final UUID VHDX_LOCATOR_TYPE =
      UUID.fromString("B04AEFB7-D19E-4A81-B789-25B8E9445913");
  private static final int HEADER_SIZE = 20;
  private static final int ENTRY_SIZE = 12;

  /**
   * Copies the map, keeping its order.
   *
   * @param locatorType the type
   * @param entries the pairs
   */
  public ParentLocator {
    entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /**
   * Parses and validates the item: every key and value must lie inside it.
   *
   * @param buffer the item's bytes, from position to limit
   * @param file the image, for messages
   * @param offset the item's file offset, for messages
   * @return the locator
   * @throws CorruptStructureException if an entry points outside the item
   */
  public static ParentLocator parse(ByteBuffer buffer, Path file, long offset)
      throws CorruptStructureException {
    String what = "VHDX parent locator";
    int length = buffer.remaining();
    if (length < HEADER_SIZE) {
      throw new CorruptStructureException(file, offset, what, "item too short");
    }
    ByteBuffer le = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    UUID type = Guids.read(le, 0);
    int count = le.getShort(18) & 0xFFFF;
    if (HEADER_SIZE + (long) count * ENTRY_SIZE > length) {
      throw new CorruptStructureException(file, offset, what, count
          + " entries do not fit in the item of " + length + " bytes");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      int e = HEADER_SIZE + i * ENTRY_SIZE;
      long keyOffset = le.getInt(e) & 0xFFFF_FFFFL;
      long valueOffset = le.getInt(e + 4) & 0xFFFF_FFFFL;
      int keyLength = le.getShort(e + 8) & 0xFFFF;
      int valueLength = le.getShort(e + 10) & 0xFFFF;
      if (keyOffset + keyLength > length || valueOffset + valueLength > length) {
        throw new CorruptStructureException(file, offset + e, what, "entry " + i
            + " points outside the item");
      }
      map.put(utf16(le, (int) keyOffset, keyLength), utf16(le, (int) valueOffset, valueLength));
    }
    return new ParentLocator(type, map);
  }

  private static String utf16(ByteBuffer le, int offset, int length) {
    byte[] raw = new byte[length];
    le.duplicate().position(offset).get(raw);
    return new String(raw, StandardCharsets.UTF_16LE);
  }

  /**
   * The item's size when written.
   *
   * @return bytes
   */
  public int size() {
    int size = HEADER_SIZE + entries.size() * ENTRY_SIZE;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      size += 2 * e.getKey().length() + 2 * e.getValue().length();
    }
    return size;
  }

  /**
   * Writes the item at the buffer's position.
   *
   * @param buffer at least {@link #size()} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    Guids.write(le, 0, locatorType);
    le.putShort(16, (short) 0);
    le.putShort(18, (short) entries.size());
    int data = HEADER_SIZE + entries.size() * ENTRY_SIZE;
    int i = 0;
    for (Map.Entry<String, String> e : entries.entrySet()) {
      byte[] key = e.getKey().getBytes(StandardCharsets.UTF_16LE);
      byte[] value = e.getValue().getBytes(StandardCharsets.UTF_16LE);
      int at = HEADER_SIZE + i * ENTRY_SIZE;
      le.putInt(at, data);
      le.put(data, key, 0, key.length);
      data += key.length;
      le.putInt(at + 4, data);
      le.put(data, value, 0, value.length);
      data += value.length;
      le.putShort(at + 8, (short) key.length);
      le.putShort(at + 10, (short) value.length);
      i++;
    }
  }
}
