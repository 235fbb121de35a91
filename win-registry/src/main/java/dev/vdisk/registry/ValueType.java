package dev.vdisk.registry;

/** Registry value types (REG_*), with {@link #UNKNOWN} for any other type code. */
public enum ValueType {
  /** REG_NONE. */
  NONE(0),
  /** REG_SZ: a NUL-terminated UTF-16LE string. */
  SZ(1),
  /** REG_EXPAND_SZ: a string with %VARIABLE% references. */
  EXPAND_SZ(2),
  /** REG_BINARY. */
  BINARY(3),
  /** REG_DWORD: 32-bit little-endian. */
  DWORD(4),
  /** REG_DWORD_BIG_ENDIAN. */
  DWORD_BIG_ENDIAN(5),
  /** REG_LINK: a symbolic link target, UTF-16LE. */
  LINK(6),
  /** REG_MULTI_SZ: NUL-separated strings ending with an empty string. */
  MULTI_SZ(7),
  /** REG_RESOURCE_LIST. */
  RESOURCE_LIST(8),
  /** REG_FULL_RESOURCE_DESCRIPTOR. */
  FULL_RESOURCE_DESCRIPTOR(9),
  /** REG_RESOURCE_REQUIREMENTS_LIST. */
  RESOURCE_REQUIREMENTS_LIST(10),
  /** REG_QWORD: 64-bit little-endian. */
  QWORD(11),
  /** Any other type code; the data is kept as bytes. */
  UNKNOWN(-1);

  private final int code;

  ValueType(int code) {
    this.code = code;
  }

  /** The type code stored in the hive (-1 for {@link #UNKNOWN}). */
  public int code() {
    return code;
  }

  /** The type for a stored code, {@link #UNKNOWN} when it is not one of the known ones. */
  public static ValueType of(int code) {
    if (code >= 0 && code <= 11) {
      return values()[code];
    }
    return UNKNOWN;
  }
}
