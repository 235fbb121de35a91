package dev.vdisk.core.partition.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The 512-byte Master Boot Record in LBA 0, as the UEFI specification (section 5.2.1, "Legacy
 * Master Boot Record") lays it out: boot code, the 32-bit unique MBR disk signature at offset 440,
 * four {@link MbrPartitionEntry partition records} at offset 446 and the 0x55 0xAA boot signature
 * at offset 510. An Extended Boot Record (EBR) has the same layout, so it is parsed by this class
 * too (with the structure name {@code "EBR"} in error messages).
 *
 * @param uniqueMbrDiskSignature the disk signature (unsigned 32 bits; 0 when unset)
 * @param partitionRecords the four partition records, in slot order
 */
public record MasterBootRecord(long uniqueMbrDiskSignature, List<MbrPartitionEntry> partitionRecords) {

  /** Size of the record in bytes. */
  public static final int SIZE = 512;
  /** Offset of the disk signature. */
  public static final int DISK_SIGNATURE_OFFSET = 440;
  /** Offset of the first partition record. */
  public static final int PARTITION_RECORD_OFFSET = 446;
  /** Offset of the 0x55 0xAA boot signature. */
  public static final int SIGNATURE_OFFSET = 510;

  /**
   * Creates a record.
   *
   * @param uniqueMbrDiskSignature the disk signature
   * @param partitionRecords exactly four partition records
   */
  public MasterBootRecord {
    partitionRecords = List.copyOf(partitionRecords);
    if (partitionRecords.size() != 4) {
      throw new IllegalArgumentException("an MBR has 4 partition records");
    }
  }

  /**
   * Whether the 512 bytes at the buffer's position end with the 0x55 0xAA boot signature.
   *
   * @param buffer the sector
   * @return {@code true} if at least 512 bytes remain and the signature is present
   */
  public static boolean hasBootSignature(ByteBuffer buffer) {
    int p = buffer.position();
    return buffer.remaining() >= SIZE
        && (buffer.get(p + SIGNATURE_OFFSET) & 0xFF) == 0x55
        && (buffer.get(p + SIGNATURE_OFFSET + 1) & 0xFF) == 0xAA;
  }

  /**
   * Whether the sector looks like the boot sector of a FAT, exFAT or NTFS file system rather than
   * a partition table: those also end with 0x55 0xAA, so a bare file system must not be mistaken
   * for an MBR.
   *
   * @param buffer the sector
   * @return {@code true} if a file-system name is at its standard place
   */
  public static boolean looksLikeVolumeBootRecord(ByteBuffer buffer) {
    if (buffer.remaining() < SIZE) {
      return false;
    }
    String oem = ascii(buffer, 3, 8);
    return oem.equals("NTFS    ")
        || oem.equals("EXFAT   ")
        || ascii(buffer, 0x36, 5).equals("FAT12")
        || ascii(buffer, 0x36, 5).equals("FAT16")
        || ascii(buffer, 0x52, 5).equals("FAT32");
  }

  private static String ascii(ByteBuffer buffer, int index, int length) {
    byte[] bytes = new byte[length];
    buffer.duplicate().position(buffer.position() + index).get(bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /**
   * Parses the 512 bytes at the buffer's position (the position is not moved).
   *
   * @param buffer the sector
   * @param source the device description, for error messages
   * @param offset the sector's byte offset on the device, for error messages
   * @param structure {@code "MBR"} or {@code "EBR"}, for error messages
   * @return the record
   * @throws CorruptStructureException if the sector is short or lacks the boot signature
   */
  public static MasterBootRecord parse(ByteBuffer buffer, String source, long offset, String structure)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(source, offset, structure,
          "needs " + SIZE + " bytes, only " + buffer.remaining() + " available");
    }
    if (!hasBootSignature(buffer)) {
      int p = buffer.position();
      throw new CorruptStructureException(source, offset, structure, String.format(
          "boot signature is 0x%02x%02x, expected 0x55aa",
          buffer.get(p + SIGNATURE_OFFSET), buffer.get(p + SIGNATURE_OFFSET + 1)));
    }
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    long diskSignature = le.getInt(p + DISK_SIGNATURE_OFFSET) & 0xFFFF_FFFFL;
    MbrPartitionEntry[] entries = new MbrPartitionEntry[4];
    for (int i = 0; i < 4; i++) {
      entries[i] = MbrPartitionEntry.parse(
          le.duplicate().position(p + PARTITION_RECORD_OFFSET + i * MbrPartitionEntry.SIZE));
    }
    return new MasterBootRecord(diskSignature, List.of(entries));
  }

  /**
   * Writes the disk signature, the four records and the boot signature into the 512 bytes at the
   * buffer's position (boot code bytes are left as they are; the position is not moved).
   *
   * @param buffer at least 512 remaining bytes
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    le.putInt(p + DISK_SIGNATURE_OFFSET, (int) uniqueMbrDiskSignature);
    for (int i = 0; i < 4; i++) {
      partitionRecords.get(i).writeTo(
          le.duplicate().position(p + PARTITION_RECORD_OFFSET + i * MbrPartitionEntry.SIZE));
    }
    le.put(p + SIGNATURE_OFFSET, (byte) 0x55);
    le.put(p + SIGNATURE_OFFSET + 1, (byte) 0xAA);
  }
}
