package dev.vdisk.vhd.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The VHD "Dynamic Disk Header": 1024 bytes at the footer's Data Offset in dynamic and
 * differencing disks. All fields are big-endian.
 *
 * <pre>
 *   0  Cookie "cxsparse"        8    40  Parent Unique ID        16
 *   8  Data Offset (unused)     8    56  Parent Time Stamp        4
 *  16  Table Offset             8    60  Reserved                 4
 *  24  Header Version           4    64  Parent Unicode Name    512 (UTF-16 big-endian)
 *  28  Max Table Entries        4   576  Parent Locator Entries 8 × 24
 *  32  Block Size               4   768  Reserved               256
 *  36  Checksum                 4
 * </pre>
 *
 * <p>{@link #parse} validates the cookie, the version and the block size (a power of two of at
 * least 512 bytes), and records whether the checksum matched ({@link #checksumValid()}).
 *
 * @param dataOffset the unused data offset field (all ones)
 * @param tableOffset absolute file offset of the block allocation table
 * @param headerVersion the header version, {@code 0x00010000}
 * @param maxTableEntries the number of BAT entries, unsigned
 * @param blockSize the block size in bytes, unsigned
 * @param checksum the stored checksum
 * @param parentUniqueId the parent's unique id (differencing disks)
 * @param parentTimeStamp the parent's modification time, seconds since 2000, unsigned
 * @param reserved the reserved field at 60
 * @param parentUnicodeName the parent's file name (differencing disks), possibly empty
 * @param parentLocators the eight parent locator entries
 * @param checksumValid whether the stored checksum matched the computed one
 */
public record DynamicDiskHeader(
    long dataOffset,
    long tableOffset,
    int headerVersion,
    long maxTableEntries,
    long blockSize,
    int checksum,
    UUID parentUniqueId,
    long parentTimeStamp,
    int reserved,
    String parentUnicodeName,
    List<ParentLocatorEntry> parentLocators,
    boolean checksumValid) {

  /** The size of the structure in bytes. */
  public static final int SIZE = 1024;
  /** The cookie, "cxsparse". */
  public static final long COOKIE = 0x6378737061727365L;
  /** The only header version defined. */
  public static final int VERSION_1_0 = 0x00010000;
  /** The number of parent locator entries. */
  public static final int LOCATOR_COUNT = 8;
  /** The largest block size vdisk accepts (256 MiB). */
  public static final long MAX_BLOCK_SIZE = 256L << 20;
  /** The default block size, 2 MiB. */
  public static final long DEFAULT_BLOCK_SIZE = 2L << 20;

  private static final int CHECKSUM_FIELD = 36;
  private static final int NAME_OFFSET = 64;
  private static final int NAME_BYTES = 512;
  private static final int LOCATORS_OFFSET = 576;

  /**
   * Copies the locator list.
   *
   * @param dataOffset the data offset
   * @param tableOffset the table offset
   * @param headerVersion the version
   * @param maxTableEntries the max table entries
   * @param blockSize the block size
   * @param checksum the checksum
   * @param parentUniqueId the parent unique id
   * @param parentTimeStamp the parent time stamp
   * @param reserved the reserved field
   * @param parentUnicodeName the parent name
   * @param parentLocators the locators
   * @param checksumValid whether the checksum matched
   */
  public DynamicDiskHeader {
    parentLocators = List.copyOf(parentLocators);
    if (parentLocators.size() != LOCATOR_COUNT) {
      throw new IllegalArgumentException("need 8 parent locator entries");
    }
  }

  /**
   * Parses and validates a header.
   *
   * @param buffer {@link #SIZE} bytes from its position; the position is not moved
   * @param file the image, for errors
   * @param offset the header's offset in the file, for errors
   * @return the header
   * @throws CorruptStructureException if the cookie, version or block size is wrong
   */
  public static DynamicDiskHeader parse(ByteBuffer buffer, Path file, long offset)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, "dynamic disk header",
          "only " + buffer.remaining() + " of " + SIZE + " bytes present");
    }
    byte[] raw = new byte[SIZE];
    buffer.duplicate().get(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
    if (b.getLong(0) != COOKIE) {
      throw new CorruptStructureException(file, offset, "dynamic disk header",
          "cookie is not 'cxsparse'");
    }
    int version = b.getInt(24);
    if ((version >>> 16) != 1) {
      throw new CorruptStructureException(file, offset, "dynamic disk header",
          String.format("header version 0x%08x is not 1.x", version));
    }
    long blockSize = b.getInt(32) & 0xFFFF_FFFFL;
    if (blockSize < 512 || Long.bitCount(blockSize) != 1) {
      throw new CorruptStructureException(file, offset, "dynamic disk header",
          "block size " + blockSize + " is not a power of two of at least 512");
    }
    long tableOffset = b.getLong(16);
    if (tableOffset < 0) {
      throw new CorruptStructureException(file, offset, "dynamic disk header",
          "table offset " + Long.toUnsignedString(tableOffset) + " is out of range");
    }
    String name = decodeName(raw);
    List<ParentLocatorEntry> locators = new ArrayList<>(LOCATOR_COUNT);
    for (int i = 0; i < LOCATOR_COUNT; i++) {
      locators.add(ParentLocatorEntry.parse(
          ByteBuffer.wrap(raw, LOCATORS_OFFSET + i * ParentLocatorEntry.SIZE,
              ParentLocatorEntry.SIZE)));
    }
    int checksum = b.getInt(CHECKSUM_FIELD);
    return new DynamicDiskHeader(
        b.getLong(8),
        tableOffset,
        version,
        b.getInt(28) & 0xFFFF_FFFFL,
        blockSize,
        checksum,
        new UUID(b.getLong(40), b.getLong(48)),
        b.getInt(56) & 0xFFFF_FFFFL,
        b.getInt(60),
        name,
        locators,
        VhdChecksum.compute(raw, 0, SIZE, CHECKSUM_FIELD) == checksum);
  }

  private static String decodeName(byte[] raw) {
    int end = NAME_OFFSET;
    while (end + 1 < NAME_OFFSET + NAME_BYTES && (raw[end] != 0 || raw[end + 1] != 0)) {
      end += 2;
    }
    return new String(raw, NAME_OFFSET, end - NAME_OFFSET, StandardCharsets.UTF_16BE);
  }

  /**
   * Writes the header with a freshly computed checksum.
   *
   * @param buffer at least {@link #SIZE} bytes remaining; the position advances by {@link #SIZE}
   */
  public void writeTo(ByteBuffer buffer) {
    buffer.put(toBytes());
  }

  /**
   * The header's 1024 bytes, with a freshly computed checksum.
   *
   * @return a new array
   * @throws IllegalArgumentException if the parent name does not fit in 256 UTF-16 units
   */
  public byte[] toBytes() {
    byte[] raw = new byte[SIZE];
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
    b.putLong(0, COOKIE);
    b.putLong(8, dataOffset);
    b.putLong(16, tableOffset);
    b.putInt(24, headerVersion);
    b.putInt(28, (int) maxTableEntries);
    b.putInt(32, (int) blockSize);
    b.putLong(40, parentUniqueId.getMostSignificantBits());
    b.putLong(48, parentUniqueId.getLeastSignificantBits());
    b.putInt(56, (int) parentTimeStamp);
    b.putInt(60, reserved);
    byte[] name = parentUnicodeName.getBytes(StandardCharsets.UTF_16BE);
    if (name.length > NAME_BYTES) {
      throw new IllegalArgumentException("parent name longer than 256 UTF-16 units");
    }
    System.arraycopy(name, 0, raw, NAME_OFFSET, name.length);
    b.position(LOCATORS_OFFSET);
    for (ParentLocatorEntry locator : parentLocators) {
      locator.writeTo(b);
    }
    b.putInt(CHECKSUM_FIELD, VhdChecksum.compute(raw, 0, SIZE, CHECKSUM_FIELD));
    return raw;
  }

  /**
   * The size of each block's sector bitmap in bytes: one bit per 512-byte sector, padded to a
   * multiple of 512 bytes.
   *
   * @return the padded bitmap size
   */
  public int sectorBitmapSize() {
    return sectorBitmapSize(blockSize);
  }

  /**
   * The padded sector bitmap size for a block size.
   *
   * @param blockSize the block size, a power of two of at least 512
   * @return the bitmap size in bytes, a multiple of 512
   */
  public static int sectorBitmapSize(long blockSize) {
    long bits = blockSize / 512;
    long bytes = (bits + 7) / 8;
    return (int) ((bytes + 511) / 512 * 512);
  }
}
