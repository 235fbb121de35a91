package dev.vdisk.vhd.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * The VHD "Hard Disk Footer": 512 bytes at the end of every VHD file, and copied to offset 0 of
 * dynamic and differencing disks. All fields are big-endian.
 *
 * <pre>
 *   0  Cookie "conectix"        8    40  Original Size        8
 *   8  Features                 4    48  Current Size         8
 *  12  File Format Version      4    56  Disk Geometry        4
 *  16  Data Offset              8    60  Disk Type            4
 *  24  Time Stamp               4    64  Checksum             4
 *  28  Creator Application      4    68  Unique Id           16
 *  32  Creator Version          4    84  Saved State          1
 *  36  Creator Host OS          4    85  Reserved           427
 * </pre>
 *
 * <p>{@link #parse} validates the cookie and the disk type but only records whether the checksum
 * matched ({@link #checksumValid()}), because real images with wrong checksums exist and other
 * readers accept them; the caller decides.
 *
 * @param features the features field (bit 1, "reserved", is always set)
 * @param fileFormatVersion the file format version, {@code 0x00010000}
 * @param dataOffset the absolute offset of the dynamic disk header, or all ones for a fixed disk
 * @param timeStamp seconds since 2000-01-01 00:00:00 UTC, unsigned
 * @param creatorApplication the creator application's four bytes
 * @param creatorVersion the creator's version, major in the high 16 bits
 * @param creatorHostOs the creator's host OS, four bytes ({@code "Wi2k"}, {@code "Mac "})
 * @param originalSize the size of the disk when it was created, in bytes
 * @param currentSize the current size of the disk, in bytes
 * @param geometry the CHS geometry
 * @param diskType {@link #FIXED}, {@link #DYNAMIC} or {@link #DIFFERENCING}
 * @param checksum the stored checksum
 * @param uniqueId the disk's unique id
 * @param savedState whether the disk is in a saved state (the VM was saved, not shut down)
 * @param checksumValid whether the stored checksum matched the computed one
 */
public record HardDiskFooter(
    int features,
    int fileFormatVersion,
    long dataOffset,
    long timeStamp,
    int creatorApplication,
    int creatorVersion,
    int creatorHostOs,
    long originalSize,
    long currentSize,
    DiskGeometry geometry,
    int diskType,
    int checksum,
    UUID uniqueId,
    boolean savedState,
    boolean checksumValid) {

  /** The size of the structure in bytes. */
  public static final int SIZE = 512;
  /** The cookie, "conectix". */
  public static final long COOKIE = 0x636F6E6563746978L;
  /** Disk type of a fixed hard disk. */
  public static final int FIXED = 2;
  /** Disk type of a dynamic hard disk. */
  public static final int DYNAMIC = 3;
  /** Disk type of a differencing hard disk. */
  public static final int DIFFERENCING = 4;
  /** The only file format version defined. */
  public static final int VERSION_1_0 = 0x00010000;
  /** The features field's "reserved" bit, which the specification says must always be set. */
  public static final int FEATURE_RESERVED = 0x2;
  /** Seconds from the Unix epoch to the VHD epoch, 2000-01-01 00:00:00 UTC. */
  public static final long EPOCH_2000 = 946684800L;

  private static final int CHECKSUM_FIELD = 64;

  /**
   * Whether the 8 bytes at {@code buffer}'s position are the footer cookie.
   *
   * @param buffer at least 8 bytes remaining
   * @return {@code true} if they read "conectix"
   */
  public static boolean hasCookie(ByteBuffer buffer) {
    return buffer.remaining() >= 8
        && buffer.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(buffer.position()) == COOKIE;
  }

  /**
   * Parses and validates a footer.
   *
   * @param buffer {@link #SIZE} bytes from its position (a 511-byte footer of old images must be
   *     padded with a zero byte by the caller); the position is not moved
   * @param file the image, for errors
   * @param offset the footer's offset in the file, for errors
   * @return the footer
   * @throws CorruptStructureException if the cookie or the disk type is wrong or a size is
   *     negative
   */
  public static HardDiskFooter parse(ByteBuffer buffer, Path file, long offset)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, "hard disk footer",
          "only " + buffer.remaining() + " of " + SIZE + " bytes present");
    }
    byte[] raw = new byte[SIZE];
    buffer.duplicate().get(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
    if (b.getLong(0) != COOKIE) {
      throw new CorruptStructureException(file, offset, "hard disk footer",
          "cookie is not 'conectix'");
    }
    int diskType = b.getInt(60);
    if (diskType != FIXED && diskType != DYNAMIC && diskType != DIFFERENCING) {
      throw new CorruptStructureException(file, offset, "hard disk footer",
          "disk type " + Integer.toUnsignedString(diskType)
              + " is not fixed (2), dynamic (3) or differencing (4)");
    }
    long currentSize = b.getLong(48);
    if (currentSize < 0) {
      throw new CorruptStructureException(file, offset, "hard disk footer",
          "current size " + Long.toUnsignedString(currentSize) + " is out of range");
    }
    int checksum = b.getInt(CHECKSUM_FIELD);
    boolean valid = VhdChecksum.compute(raw, 0, SIZE, CHECKSUM_FIELD) == checksum;
    return new HardDiskFooter(
        b.getInt(8),
        b.getInt(12),
        b.getLong(16),
        b.getInt(24) & 0xFFFF_FFFFL,
        b.getInt(28),
        b.getInt(32),
        b.getInt(36),
        b.getLong(40),
        currentSize,
        DiskGeometry.parse(b.getInt(56)),
        diskType,
        checksum,
        new UUID(b.getLong(68), b.getLong(76)),
        raw[84] != 0,
        valid);
  }

  /**
   * Writes the footer with a freshly computed checksum.
   *
   * @param buffer at least {@link #SIZE} bytes remaining; the position advances by {@link #SIZE}
   */
  public void writeTo(ByteBuffer buffer) {
    byte[] raw = toBytes();
    buffer.put(raw);
  }

  /**
   * The footer's 512 bytes, with a freshly computed checksum.
   *
   * @return a new array
   */
  public byte[] toBytes() {
    byte[] raw = new byte[SIZE];
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
    b.putLong(0, COOKIE);
    b.putInt(8, features);
    b.putInt(12, fileFormatVersion);
    b.putLong(16, dataOffset);
    b.putInt(24, (int) timeStamp);
    b.putInt(28, creatorApplication);
    b.putInt(32, creatorVersion);
    b.putInt(36, creatorHostOs);
    b.putLong(40, originalSize);
    b.putLong(48, currentSize);
    b.putInt(56, geometry.toField());
    b.putInt(60, diskType);
    b.putLong(68, uniqueId.getMostSignificantBits());
    b.putLong(76, uniqueId.getLeastSignificantBits());
    raw[84] = (byte) (savedState ? 1 : 0);
    b.putInt(CHECKSUM_FIELD, VhdChecksum.compute(raw, 0, SIZE, CHECKSUM_FIELD));
    return raw;
  }

  /**
   * Whether this footer describes a dynamic or differencing disk, which has a dynamic disk header.
   *
   * @return {@code true} unless fixed
   */
  public boolean isSparse() {
    return diskType != FIXED;
  }

  /**
   * The variant name: {@code fixed}, {@code dynamic} or {@code differencing}.
   *
   * @return the name
   */
  public String variant() {
    return switch (diskType) {
      case FIXED -> "fixed";
      case DYNAMIC -> "dynamic";
      default -> "differencing";
    };
  }

  /**
   * Four bytes of a creator field as text, with trailing spaces and NULs removed.
   *
   * @param field the field
   * @return the text, for example {@code "win"} or {@code "Wi2k"}
   */
  public static String fourCc(int field) {
    byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(field).array();
    StringBuilder sb = new StringBuilder();
    for (byte x : bytes) {
      int c = x & 0xFF;
      sb.append(c >= 0x20 && c < 0x7F ? (char) c : c == 0 ? ' ' : '?');
    }
    return sb.toString().stripTrailing();
  }

  /**
   * Four ASCII characters as a creator field.
   *
   * @param text exactly four ASCII characters
   * @return the field
   */
  public static int fourCc(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length != 4) {
      throw new IllegalArgumentException("not four characters: '" + text + "'");
    }
    return ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).getInt();
  }

  /**
   * A VHD time stamp for an instant: seconds since 2000-01-01 00:00:00 UTC, clamped to the
   * unsigned 32-bit range.
   *
   * @param instant the instant
   * @return the time stamp
   */
  public static long timeStampOf(Instant instant) {
    long seconds = instant.getEpochSecond() - EPOCH_2000;
    return Math.max(0, Math.min(0xFFFF_FFFFL, seconds));
  }

  /**
   * The creator version as {@code major.minor}.
   *
   * @return for example {@code "6.3"}
   */
  public String creatorVersionText() {
    return (creatorVersion >>> 16) + "." + (creatorVersion & 0xFFFF);
  }
}
