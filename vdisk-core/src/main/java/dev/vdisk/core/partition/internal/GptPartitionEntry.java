package dev.vdisk.core.partition.internal;

import dev.vdisk.core.util.Guids;
import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One entry of the GPT partition entry array, as the UEFI specification (section 5.3.3, "GPT
 * Partition Entry Array") lays out its first 128 bytes; larger entries carry reserved bytes after
 * them.
 *
 * @param partitionTypeGuid the partition type; all zero for an unused entry
 * @param uniquePartitionGuid the partition's own GUID
 * @param startingLba the first LBA of the partition
 * @param endingLba the last LBA of the partition (inclusive)
 * @param attributes the attribute bits (bit 0 required, bit 1 no block I/O, bit 2 legacy BIOS
 *     bootable, bits 48-63 type-specific)
 * @param partitionName the name (UTF-16LE in 72 bytes), up to the first NUL
 */
public record GptPartitionEntry(
    UUID partitionTypeGuid,
    UUID uniquePartitionGuid,
    long startingLba,
    long endingLba,
    long attributes,
    String partitionName) {

  /** The size of the defined part of an entry in bytes. */
  public static final int SIZE = 128;
  /** The size of the name field in bytes (36 UTF-16 code units). */
  public static final int NAME_BYTES = 72;
  /** The structure name used in error messages. */
  public static final String STRUCTURE = "GPT partition entry";
  /** Attribute bit 2: legacy BIOS bootable. */
  public static final long LEGACY_BIOS_BOOTABLE = 1L << 2;

  private static final int NAME_OFFSET = 56;

  /**
   * Parses the 128 bytes at the buffer's position (the position is not moved). Any byte pattern is
   * a syntactically valid entry; ranges are checked by {@link #checkBounds}.
   *
   * @param buffer at least 128 remaining bytes
   * @return the entry
   * @throws IllegalArgumentException if fewer than 128 bytes remain (a caller's bug)
   */
  public static GptPartitionEntry parse(ByteBuffer buffer) {
    if (buffer.remaining() < SIZE) {
      throw new IllegalArgumentException("GPT partition entry needs 128 bytes, got " + buffer.remaining());
    }
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    int units = 0;
    while (units < NAME_BYTES / 2 && le.getShort(p + NAME_OFFSET + 2 * units) != 0) {
      units++;
    }
    byte[] name = new byte[2 * units];
    le.duplicate().position(p + NAME_OFFSET).get(name);
    return new GptPartitionEntry(
        Guids.read(le, p),
        Guids.read(le, p + 16),
        le.getLong(p + 32),
        le.getLong(p + 40),
        le.getLong(p + 48),
        new String(name, StandardCharsets.UTF_16LE));
  }

  /**
   * Writes the 128 bytes at the buffer's position (the position is not moved). A name longer than
   * 36 UTF-16 code units is cut.
   *
   * @param buffer at least 128 remaining bytes
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    Guids.write(le, p, partitionTypeGuid);
    Guids.write(le, p + 16, uniquePartitionGuid);
    le.putLong(p + 32, startingLba);
    le.putLong(p + 40, endingLba);
    le.putLong(p + 48, attributes);
    byte[] name = partitionName.getBytes(StandardCharsets.UTF_16LE);
    for (int i = 0; i < NAME_BYTES; i++) {
      le.put(p + NAME_OFFSET + i, i < name.length ? name[i] : 0);
    }
  }

  /**
   * Whether the entry is unused (its type GUID is all zero).
   *
   * @return {@code true} for an unused entry
   */
  public boolean isUnused() {
    return partitionTypeGuid.equals(Guids.ZERO);
  }

  /**
   * Checks that the entry's LBA range is ordered and inside the device.
   *
   * @param lastLba the device's last LBA
   * @param source the device description, for error messages
   * @param offset the entry's byte offset on the device, for error messages
   * @param index the entry's 1-based index, for error messages
   * @throws CorruptStructureException if the range is reversed or outside the device
   */
  public void checkBounds(long lastLba, String source, long offset, int index)
      throws CorruptStructureException {
    if (startingLba < 0 || endingLba < 0 || startingLba > endingLba) {
      throw new CorruptStructureException(source, offset, STRUCTURE, "partition " + index
          + " has first LBA " + Long.toUnsignedString(startingLba) + " after its last LBA "
          + Long.toUnsignedString(endingLba));
    }
    if (endingLba > lastLba) {
      throw new CorruptStructureException(source, offset, STRUCTURE, "partition " + index
          + " (LBAs " + startingLba + ".." + endingLba + ") extends past the device's last LBA "
          + lastLba);
    }
  }
}
