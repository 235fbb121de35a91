package dev.vdisk.cli;

import dev.vdisk.registry.RegistryValue;
import dev.vdisk.registry.ValueType;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/** Turns {@code vdisk reg set}'s --type and --data into a registry value. */
final class RegData {
  private RegData() {}

  /**
   * The value NAME of TYPE from the --data arguments.
   *
   * @throws CommandLine.ParameterException for an unknown type or data that does not fit it
   */
  static RegistryValue value(CommandLine cli, String name, String type, List<String> data) {
    int code = typeCode(cli, type);
    ValueType t = ValueType.of(code);
    byte[] bytes = switch (t) {
      case SZ, EXPAND_SZ -> utf16(cli, one(cli, t, data), true);
      case LINK -> utf16(cli, one(cli, t, data), false);
      case MULTI_SZ -> multi(cli, data);
      case DWORD -> le(number(cli, one(cli, t, data), 32), 4);
      case DWORD_BIG_ENDIAN -> be(number(cli, one(cli, t, data), 32), 4);
      case QWORD -> le(number(cli, one(cli, t, data), 64), 8);
      default -> hex(cli, String.join(",", data));
    };
    return new RegistryValue(name, code, bytes);
  }

  /** A type name or a number (decimal or 0x hex, up to 0xffffffff). */
  static int typeCode(CommandLine cli, String type) {
    String t = type.toLowerCase(Locale.ROOT);
    switch (t) {
      case "none", "reg_none":
        return 0;
      case "sz", "reg_sz":
        return 1;
      case "expand_sz", "reg_expand_sz":
        return 2;
      case "binary", "reg_binary":
        return 3;
      case "dword", "reg_dword":
        return 4;
      case "dword_be", "reg_dword_big_endian":
        return 5;
      case "link", "reg_link":
        return 6;
      case "multi_sz", "reg_multi_sz":
        return 7;
      case "qword", "reg_qword":
        return 11;
      default:
        try {
          return (int) number(cli, type, 32);
        } catch (CommandLine.ParameterException e) {
          throw new CommandLine.ParameterException(cli, "unknown value type '" + type
              + "' (sz, expand_sz, multi_sz, dword, dword_be, qword, binary, none, link, or a "
              + "number)");
        }
    }
  }

  private static String one(CommandLine cli, ValueType t, List<String> data) {
    if (data.size() != 1) {
      throw new CommandLine.ParameterException(cli, t.name().toLowerCase(Locale.ROOT)
          + " takes exactly one --data (got " + data.size() + ")");
    }
    return data.get(0);
  }

  private static byte[] utf16(CommandLine cli, String s, boolean nul) {
    if (nul && s.indexOf('\0') >= 0) {
      throw new CommandLine.ParameterException(cli, "a string value cannot hold a NUL character");
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_16LE);
    if (!nul) {
      return b;
    }
    byte[] out = new byte[b.length + 2];
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  /** Each string NUL-terminated, then an empty string (as regedit stores MULTI_SZ). */
  private static byte[] multi(CommandLine cli, List<String> data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String s : data) {
      if (s.isEmpty()) {
        throw new CommandLine.ParameterException(cli,
            "a multi_sz string cannot be empty (an empty string ends the list)");
      }
      out.writeBytes(utf16(cli, s, true));
    }
    out.write(0);
    out.write(0);
    return out.toByteArray();
  }

  /** An unsigned number of BITS bits, decimal or 0x hex. */
  static long number(CommandLine cli, String s, int bits) {
    String t = s.strip();
    BigInteger v;
    try {
      v = t.startsWith("0x") || t.startsWith("0X") ? new BigInteger(t.substring(2), 16)
          : new BigInteger(t);
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(cli, "'" + s + "' is not a number (decimal or "
          + "0x hex)");
    }
    if (v.signum() < 0 || v.bitLength() > bits) {
      throw new CommandLine.ParameterException(cli, "'" + s + "' does not fit in " + bits
          + " bits (unsigned)");
    }
    return v.longValue();
  }

  private static byte[] le(long v, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  private static byte[] be(long v, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[n - 1 - i] = (byte) (v >>> (8 * i));
    }
    return b;
  }

  /** Hex bytes: {@code 0a1b2c}, {@code 0a,1b,2c}, {@code 0a 1b 2c} or {@code 0a:1b:2c}. */
  static byte[] hex(CommandLine cli, String s) {
    String digits = s.replaceAll("[,\\s:]", "");
    boolean pairs = true;
    for (String group : s.strip().split("[,\\s:]+")) {
      pairs &= group.length() % 2 == 0;
    }
    if (!pairs) {
      throw new CommandLine.ParameterException(cli, "hex data needs two digits per byte: " + s);
    }
    byte[] b = new byte[digits.length() / 2];
    for (int i = 0; i < b.length; i++) {
      int hi = Character.digit(digits.charAt(2 * i), 16);
      int lo = Character.digit(digits.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new CommandLine.ParameterException(cli, "not hex data: " + s);
      }
      b[i] = (byte) (hi << 4 | lo);
    }
    return b;
  }
}
