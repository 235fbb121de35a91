package dev.vdisk.core.partition.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One 16-byte partition record of a Master Boot Record or an Extended Boot Record, as the UEFI
 * specification (section 5.2.1, "Legacy MBR Partition Record") lays it out.
 *
 * @param bootIndicator 0x80 for the bootable ("active") partition, 0x00 otherwise
 * @param startingChs the CHS address of the first sector (24 bits, ignored by modern systems)
 * @param osType the partition type byte
 * @param endingChs the CHS address of the last sector (24 bits)
 * @param startingLba the first sector, unsigned 32 bits; relative to the MBR, or for an EBR's
 *     entries relative to the EBR (logical partition) or to the extended partition (link)
 * @param sizeInLba the number of sectors, unsigned 32 bits
 */
public record MbrPartitionEntry(
    int bootIndicator, int startingChs, int osType, int endingChs, long startingLba, long sizeInLba) {

  /** Size of the record in bytes. */
  public static final int SIZE = 16;

  /** Type byte of a DOS extended partition (CHS addressing). */
  public static final int TYPE_EXTENDED = 0x05;
  /** Type byte of a Windows 95 extended partition (LBA addressing). */
  public static final int TYPE_EXTENDED_LBA = 0x0F;
  /** Type byte of a Linux extended partition. */
  public static final int TYPE_LINUX_EXTENDED = 0x85;
  /** Type byte of the GPT protective partition. */
  public static final int TYPE_GPT_PROTECTIVE = 0xEE;

  /**
   * Parses the 16 bytes at the buffer's position (the position is not moved).
   *
   * @param buffer at least 16 remaining bytes
   * @return the entry
   * @throws IllegalArgumentException if fewer than 16 bytes remain (a caller's bug)
   */
  public static MbrPartitionEntry parse(ByteBuffer buffer) {
    if (buffer.remaining() < SIZE) {
      throw new IllegalArgumentException("MBR partition entry needs 16 bytes, got " + buffer.remaining());
    }
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    return new MbrPartitionEntry(
        le.get(p) & 0xFF,
        chs(le, p + 1),
        le.get(p + 4) & 0xFF,
        chs(le, p + 5),
        le.getInt(p + 8) & 0xFFFF_FFFFL,
        le.getInt(p + 12) & 0xFFFF_FFFFL);
  }

  private static int chs(ByteBuffer le, int index) {
    return (le.get(index) & 0xFF) | (le.get(index + 1) & 0xFF) << 8 | (le.get(index + 2) & 0xFF) << 16;
  }

  /**
   * Writes the 16 bytes at the buffer's position (the position is not moved).
   *
   * @param buffer at least 16 remaining bytes
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    le.put(p, (byte) bootIndicator);
    putChs(le, p + 1, startingChs);
    le.put(p + 4, (byte) osType);
    putChs(le, p + 5, endingChs);
    le.putInt(p + 8, (int) startingLba);
    le.putInt(p + 12, (int) sizeInLba);
  }

  private static void putChs(ByteBuffer le, int index, int chs) {
    le.put(index, (byte) chs);
    le.put(index + 1, (byte) (chs >>> 8));
    le.put(index + 2, (byte) (chs >>> 16));
  }

  /**
   * Whether the slot is unused: type 0 or no sectors (util-linux and Linux skip both).
   *
   * @return {@code true} for an unused slot
   */
  public boolean isEmpty() {
    return osType == 0 || sizeInLba == 0;
  }

  /**
   * Whether the type is one of the extended-partition types (0x05, 0x0F, 0x85).
   *
   * @return {@code true} for an extended partition
   */
  public boolean isExtended() {
    return osType == TYPE_EXTENDED || osType == TYPE_EXTENDED_LBA || osType == TYPE_LINUX_EXTENDED;
  }

  /**
   * Whether this is the GPT protective partition (type 0xEE).
   *
   * @return {@code true} for a protective entry
   */
  public boolean isProtective() {
    return osType == TYPE_GPT_PROTECTIVE;
  }

  /**
   * Whether the boot indicator holds one of its two legal values, 0x00 or 0x80.
   *
   * @return {@code true} when valid
   */
  public boolean hasValidBootIndicator() {
    return bootIndicator == 0x00 || bootIndicator == 0x80;
  }
}
