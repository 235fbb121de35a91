package dev.vdisk.core.partition.internal;

import dev.vdisk.core.util.Guids;
import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * The GPT Header, as the UEFI specification (section 5.3.2, "GPT Header") lays it out. The primary
 * header is in LBA 1; the backup header is normally in the last LBA of the disk.
 *
 * @param revision the header revision (0x00010000 for revision 1.0)
 * @param headerSize the number of bytes covered by the header CRC (92 up to the sector size)
 * @param headerCrc32 the stored CRC32 of the header (unsigned)
 * @param myLba the LBA that holds this header
 * @param alternateLba the LBA of the other header
 * @param firstUsableLba the first LBA a partition may use
 * @param lastUsableLba the last LBA a partition may use
 * @param diskGuid the disk's GUID
 * @param partitionEntryLba the first LBA of this header's partition entry array
 * @param numberOfPartitionEntries the number of entries in the array (unsigned 32 bits)
 * @param sizeOfPartitionEntry the size of one entry in bytes (128 × 2ⁿ)
 * @param partitionEntryArrayCrc32 the stored CRC32 of the entry array (unsigned)
 */
public record GptHeader(
    int revision,
    int headerSize,
    long headerCrc32,
    long myLba,
    long alternateLba,
    long firstUsableLba,
    long lastUsableLba,
    UUID diskGuid,
    long partitionEntryLba,
    long numberOfPartitionEntries,
    long sizeOfPartitionEntry,
    long partitionEntryArrayCrc32) {

  /** The signature "EFI PART" read as a little-endian 64-bit number. */
  public static final long SIGNATURE = 0x5452_4150_2049_4645L;
  /** The header size this implementation writes, and the minimum it accepts. */
  public static final int MIN_HEADER_SIZE = 92;
  /** The largest partition entry array accepted: 4 MiB (the usual array is 16 KiB). */
  public static final int MAX_ENTRY_ARRAY_BYTES = 4 << 20;
  /** The structure name used in error messages. */
  public static final String STRUCTURE = "GPT header";

  private static final int CRC_OFFSET = 16;

  /**
   * Whether the sector at the buffer's position starts with the "EFI PART" signature.
   *
   * @param buffer the sector
   * @return {@code true} if the signature is present
   */
  public static boolean hasSignature(ByteBuffer buffer) {
    return buffer.remaining() >= 8
        && buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(buffer.position()) == SIGNATURE;
  }

  /**
   * Parses and validates the header in the sector at the buffer's position: signature, revision,
   * header size, header CRC32 (computed with the CRC field taken as zero) and the partition entry
   * size and count. Where the header sits on the device is checked by {@link #checkPlacement}.
   *
   * @param sector the whole sector holding the header (its remaining bytes are the sector size)
   * @param source the device description, for error messages
   * @param offset the sector's byte offset on the device, for error messages
   * @return the header
   * @throws CorruptStructureException if any check fails
   */
  public static GptHeader parse(ByteBuffer sector, String source, long offset)
      throws CorruptStructureException {
    int sectorSize = sector.remaining();
    if (sectorSize < 512) {
      throw corrupt(source, offset, "needs a sector of at least 512 bytes, got " + sectorSize);
    }
    if (!hasSignature(sector)) {
      throw corrupt(source, offset, "no \"EFI PART\" signature");
    }
    ByteBuffer le = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = sector.position();
    int revision = le.getInt(p + 8);
    if ((revision >>> 16) != 1) {
      throw corrupt(source, offset, String.format("unsupported revision 0x%08x", revision));
    }
    long headerSize = le.getInt(p + 12) & 0xFFFF_FFFFL;
    if (headerSize < MIN_HEADER_SIZE || headerSize > sectorSize) {
      throw corrupt(source, offset,
          "header size " + headerSize + " is outside 92.." + sectorSize + " bytes");
    }
    long storedCrc = le.getInt(p + CRC_OFFSET) & 0xFFFF_FFFFL;
    long computedCrc = headerCrc32(sector, p, (int) headerSize);
    if (storedCrc != computedCrc) {
      throw corrupt(source, offset, String.format(
          "header CRC32 mismatch: stored 0x%08x, computed 0x%08x", storedCrc, computedCrc));
    }
    long entrySize = le.getInt(p + 84) & 0xFFFF_FFFFL;
    if (entrySize < 128 || entrySize % 128 != 0 || Long.bitCount(entrySize / 128) != 1) {
      throw corrupt(source, offset,
          "partition entry size " + entrySize + " is not 128 × 2^n bytes");
    }
    long count = le.getInt(p + 80) & 0xFFFF_FFFFL;
    if (count * entrySize > MAX_ENTRY_ARRAY_BYTES) { // both < 2^32: no overflow
      throw corrupt(source, offset, "partition entry array of " + count + " entries of "
          + entrySize + " bytes is larger than the " + (MAX_ENTRY_ARRAY_BYTES >> 20) + " MiB limit");
    }
    return new GptHeader(
        revision,
        (int) headerSize,
        storedCrc,
        le.getLong(p + 24),
        le.getLong(p + 32),
        le.getLong(p + 40),
        le.getLong(p + 48),
        Guids.read(le, p + 56),
        le.getLong(p + 72),
        count,
        entrySize,
        le.getInt(p + 88) & 0xFFFF_FFFFL);
  }

  /**
   * Checks where the header and its entry array sit: MyLBA must be where the header was read, the
   * usable range and the entry array must lie inside the device, and the array must not cover the
   * header itself.
   *
   * @param expectedLba the LBA the header was read from
   * @param lastLba the device's last LBA
   * @param sectorSize the sector size in bytes
   * @param source the device description, for error messages
   * @throws CorruptStructureException if any check fails
   */
  public void checkPlacement(long expectedLba, long lastLba, int sectorSize, String source)
      throws CorruptStructureException {
    long offset = expectedLba * sectorSize;
    if (myLba != expectedLba) {
      throw corrupt(source, offset,
          "MyLBA is " + Long.toUnsignedString(myLba) + " but the header is at LBA " + expectedLba);
    }
    if (firstUsableLba < 0 || lastUsableLba < 0 || lastUsableLba > lastLba
        || firstUsableLba > lastUsableLba + 1) {
      throw corrupt(source, offset, "usable LBA range " + Long.toUnsignedString(firstUsableLba)
          + ".." + Long.toUnsignedString(lastUsableLba) + " is not inside the device's LBAs 0.."
          + lastLba);
    }
    long arraySectors = entryArraySectors(sectorSize);
    if (partitionEntryLba < 1 || partitionEntryLba > lastLba
        || arraySectors > lastLba - partitionEntryLba + 1) {
      throw corrupt(source, offset, "partition entry array at LBA "
          + Long.toUnsignedString(partitionEntryLba) + " (" + arraySectors
          + " sectors) is not inside the device's LBAs 0.." + lastLba);
    }
    if (arraySectors > 0 && myLba >= partitionEntryLba && myLba < partitionEntryLba + arraySectors) {
      throw corrupt(source, offset, "partition entry array at LBA " + partitionEntryLba
          + " overlaps the header");
    }
  }

  /**
   * The size of the partition entry array in bytes (at most {@link #MAX_ENTRY_ARRAY_BYTES}).
   *
   * @return the size
   */
  public int entryArrayBytes() {
    return (int) (numberOfPartitionEntries * sizeOfPartitionEntry);
  }

  /**
   * The number of sectors the partition entry array occupies.
   *
   * @param sectorSize the sector size in bytes
   * @return the number of sectors
   */
  public long entryArraySectors(int sectorSize) {
    return (entryArrayBytes() + (long) sectorSize - 1) / sectorSize;
  }

  /**
   * Checks the partition entry array's CRC32.
   *
   * @param array the array, {@link #entryArrayBytes()} bytes from its position
   * @param source the device description, for error messages
   * @param offset the array's byte offset on the device, for error messages
   * @throws CorruptStructureException if the CRC does not match
   */
  public void checkEntryArray(ByteBuffer array, String source, long offset) throws CorruptStructureException {
    long computed = crc32(array, array.position(), entryArrayBytes());
    if (computed != partitionEntryArrayCrc32) {
      throw new CorruptStructureException(source, offset, "GPT partition entry array", String.format(
          "CRC32 mismatch: stored 0x%08x, computed 0x%08x", partitionEntryArrayCrc32, computed));
    }
  }

  /**
   * Writes the header into the sector at the buffer's position with a freshly computed header
   * CRC32 (the stored {@link #headerCrc32} is ignored); the position is not moved.
   *
   * @param sector at least {@link #headerSize} remaining bytes
   */
  public void writeTo(ByteBuffer sector) {
    ByteBuffer le = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = sector.position();
    le.putLong(p, SIGNATURE);
    le.putInt(p + 8, revision);
    le.putInt(p + 12, headerSize);
    le.putInt(p + CRC_OFFSET, 0);
    le.putInt(p + 20, 0);
    le.putLong(p + 24, myLba);
    le.putLong(p + 32, alternateLba);
    le.putLong(p + 40, firstUsableLba);
    le.putLong(p + 48, lastUsableLba);
    Guids.write(le, p + 56, diskGuid);
    le.putLong(p + 72, partitionEntryLba);
    le.putInt(p + 80, (int) numberOfPartitionEntries);
    le.putInt(p + 84, (int) sizeOfPartitionEntry);
    le.putInt(p + 88, (int) partitionEntryArrayCrc32);
    le.putInt(p + CRC_OFFSET, (int) headerCrc32(le, p, headerSize));
  }

  /** CRC32 of a header of {@code length} bytes at an absolute index, its CRC field taken as zero. */
  private static long headerCrc32(ByteBuffer buffer, int index, int length) {
    byte[] bytes = new byte[length];
    buffer.duplicate().position(index).get(bytes);
    for (int i = CRC_OFFSET; i < CRC_OFFSET + 4; i++) {
      bytes[i] = 0;
    }
    return crc32(bytes);
  }

  /** CRC32 of {@code length} bytes at an absolute index. */
  private static long crc32(ByteBuffer buffer, int index, int length) {
    byte[] bytes = new byte[length];
    buffer.duplicate().position(index).get(bytes);
    return crc32(bytes);
  }

  private static long crc32(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }
}
