package dev.vdisk.registry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A registry value: its name ("" for the key's default value), its type code and its raw data.
 *
 * @param name the value name
 * @param type the type code as stored (see {@link ValueType})
 * @param data the raw data bytes
 */
public record RegistryValue(String name, int type, byte[] data) {

  /** Copies nothing; checks the arguments. */
  public RegistryValue {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(data, "data");
  }

  /** The type as an enum. */
  public ValueType valueType() {
    return ValueType.of(type);
  }

  /**
   * The data as a string: UTF-16LE up to the first NUL (an odd trailing byte is ignored).
   *
   * @throws IllegalStateException if the type is not SZ, EXPAND_SZ or LINK
   */
  public String asString() {
    ValueType t = valueType();
    if (t != ValueType.SZ && t != ValueType.EXPAND_SZ && t != ValueType.LINK) {
      throw new IllegalStateException("value " + name + " is " + t + ", not a string");
    }
    String s = utf16(data, 0, data.length & ~1);
    int nul = s.indexOf('\0');
    return nul < 0 ? s : s.substring(0, nul);
  }

  /**
   * The strings of a MULTI_SZ value (NUL-separated; the list ends at the first empty string).
   *
   * @throws IllegalStateException if the type is not MULTI_SZ
   */
  public List<String> asStrings() {
    if (valueType() != ValueType.MULTI_SZ) {
      throw new IllegalStateException("value " + name + " is " + valueType() + ", not MULTI_SZ");
    }
    String s = utf16(data, 0, data.length & ~1);
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < s.length()) {
      int nul = s.indexOf('\0', start);
      int end = nul < 0 ? s.length() : nul;
      if (end == start) {
        break;
      }
      out.add(s.substring(start, end));
      start = end + 1;
    }
    return out;
  }

  /**
   * The data as a number: DWORD (little-endian), DWORD_BIG_ENDIAN, or QWORD.
   *
   * @throws IllegalStateException for another type or a wrong data length
   */
  public long asNumber() {
    ValueType t = valueType();
    if ((t == ValueType.DWORD || t == ValueType.DWORD_BIG_ENDIAN) && data.length == 4) {
      ByteBuffer b = ByteBuffer.wrap(data).order(t == ValueType.DWORD ? ByteOrder.LITTLE_ENDIAN
          : ByteOrder.BIG_ENDIAN);
      return Integer.toUnsignedLong(b.getInt());
    }
    if (t == ValueType.QWORD && data.length == 8) {
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
    throw new IllegalStateException("value " + name + " is " + t + " of " + data.length
        + " bytes, not a number");
  }

  private static String utf16(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.UTF_16LE);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegistryValue v && v.type == type && v.name.equals(name)
        && Arrays.equals(v.data, data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "RegistryValue[" + name + ", type " + type + ", " + data.length + " bytes]";
  }
}
