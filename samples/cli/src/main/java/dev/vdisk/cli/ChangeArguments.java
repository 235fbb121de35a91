package dev.vdisk.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** The argument types of the changing file commands, each a picocli converter (bad input: exit 1). */
final class ChangeArguments {
  private ChangeArguments() {}

  /** A numeric owner: {@code UID:GID}, {@code UID} or {@code :GID}; -1 keeps one. */
  record Owner(long uid, long gid) {
    @Override
    public String toString() {
      return (uid < 0 ? "" : Long.toString(uid)) + (gid < 0 ? "" : ":" + gid);
    }
  }

  /** Parses {@code UID:GID} ({@code UID} alone, or {@code :GID}); numbers only. */
  static final class OwnerConverter implements CommandLine.ITypeConverter<Owner> {
    @Override
    public Owner convert(String value) {
      String[] parts = value.split(":", -1);
      if (parts.length > 2 || value.isEmpty() || value.equals(":")) {
        throw new CommandLine.TypeConversionException("expected UID:GID (numbers), got '"
            + value + "'");
      }
      long uid = id(parts[0], value);
      long gid = parts.length == 2 ? id(parts[1], value) : -1;
      return new Owner(uid, gid);
    }

    private static long id(String part, String value) {
      if (part.isEmpty()) {
        return -1;
      }
      if (!part.matches("[0-9]{1,10}") || Long.parseLong(part) > 0xFFFF_FFFEL) {
        throw new CommandLine.TypeConversionException("expected numeric UID:GID (names are "
            + "not looked up inside the image), got '" + value + "'");
      }
      return Long.parseLong(part);
    }
  }

  /** Parses an octal mode such as {@code 644}, {@code 0755} or {@code 4755}. */
  static final class ModeConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      if (!value.matches("[0-7]{1,4}")) {
        throw new CommandLine.TypeConversionException("expected an octal mode such as 644 or "
            + "4755, got '" + value + "'");
      }
      return Integer.parseInt(value, 8);
    }
  }

  /**
   * Parses a time: {@code 2024-02-03T04:05:06Z}, with an offset ({@code +02:00}), without one
   * (UTC), or a date alone (midnight UTC); fractions of a second up to nanoseconds.
   */
  static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeParseException e) {
        // try the next form
      }
      try {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        // try the next form
      }
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("expected an ISO-8601 time such as "
            + "2024-02-03T04:05:06Z, got '" + value + "'");
      }
    }
  }
}
