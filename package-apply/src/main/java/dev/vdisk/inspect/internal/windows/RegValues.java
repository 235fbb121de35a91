package dev.vdisk.inspect.internal.windows;

import dev.vdisk.registry.RegistryKey;
import dev.vdisk.registry.RegistryValue;
import dev.vdisk.registry.ValueType;
import java.io.IOException;
import java.util.Optional;

/** Lenient reads of values whose type varies between Windows versions and writers. */
final class RegValues {
  private RegValues() {}

  /**
   * A value as text: strings as stored, DWORD and QWORD in decimal; null when absent or of
   * another type, or empty.
   */
  static String text(RegistryKey key, String name) throws IOException {
    Optional<RegistryValue> v = key.value(name);
    if (v.isEmpty()) {
      return null;
    }
    String s = switch (v.get().valueType()) {
      case SZ, EXPAND_SZ -> v.get().asString();
      case DWORD, DWORD_BIG_ENDIAN, QWORD -> numberOrNull(v.get()) == null ? null
          : Long.toUnsignedString(numberOrNull(v.get()));
      default -> null;
    };
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * A value as a number: DWORD and QWORD, or a string of decimal digits; null otherwise.
   */
  static Long number(RegistryKey key, String name) throws IOException {
    Optional<RegistryValue> v = key.value(name);
    if (v.isEmpty()) {
      return null;
    }
    ValueType t = v.get().valueType();
    if (t == ValueType.SZ || t == ValueType.EXPAND_SZ) {
      String s = v.get().asString().trim();
      return s.matches("\\d{1,18}") ? Long.parseLong(s) : null;
    }
    return numberOrNull(v.get());
  }

  private static Long numberOrNull(RegistryValue v) {
    try {
      return v.asNumber();
    } catch (IllegalStateException e) {
      return null; // a DWORD of the wrong length
    }
  }

  /**
   * Whether a value holds anything: a MULTI_SZ (or any value) with a non-NUL byte in its data.
   */
  static boolean nonEmpty(RegistryKey key, String name) throws IOException {
    Optional<RegistryValue> v = key.value(name);
    if (v.isEmpty()) {
      return false;
    }
    for (byte b : v.get().data()) {
      if (b != 0) {
        return true;
      }
    }
    return false;
  }
}
