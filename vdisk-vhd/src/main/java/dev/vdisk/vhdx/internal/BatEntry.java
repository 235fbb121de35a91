package dev.vdisk.vhdx.internal;

/**
 * One 64-bit entry of the Block Allocation Table: a 3-bit state and a file offset in MiB (bits
 * 20-63). Payload block entries and sector bitmap block entries share the layout and differ in the
 * meaning of their states.
 *
 * @param state the state (bits 0-2)
 * @param fileOffsetMb the file offset in units of 1 MiB
 */
public record BatEntry(int state, long fileOffsetMb) {
  /** Payload block: not present in this file (read from the parent, or zeros). */
  public static final int PAYLOAD_BLOCK_NOT_PRESENT = 0;
  /** Payload block: contents undefined (read as zeros). */
  public static final int PAYLOAD_BLOCK_UNDEFINED = 1;
  /** Payload block: reads as zeros. */
  public static final int PAYLOAD_BLOCK_ZERO = 2;
  /** Payload block: unmapped by the guest (read as zeros). */
  public static final int PAYLOAD_BLOCK_UNMAPPED = 3;
  /** Payload block: fully present in this file. */
  public static final int PAYLOAD_BLOCK_FULLY_PRESENT = 6;
  /** Payload block: present for the sectors its sector bitmap marks (differencing disks). */
  public static final int PAYLOAD_BLOCK_PARTIALLY_PRESENT = 7;
  /** Sector bitmap block: not present. */
  public static final int SB_BLOCK_NOT_PRESENT = 0;
  /** Sector bitmap block: present. */
  public static final int SB_BLOCK_PRESENT = 6;

  /**
   * Decodes an entry.
   *
   * @param raw the 64-bit little-endian value
   * @return the entry
   */
  public static BatEntry parse(long raw) {
    return new BatEntry((int) (raw & 7), raw >>> 20);
  }

  /**
   * Encodes the entry (reserved bits zero).
   *
   * @return the 64-bit value
   */
  public long toLong() {
    return (fileOffsetMb << 20) | (state & 7);
  }

  /**
   * The file offset in bytes.
   *
   * @return {@code fileOffsetMb * 1 MiB}
   */
  public long fileOffset() {
    return fileOffsetMb << 20;
  }

  /**
   * The name of a payload block state, for messages.
   *
   * @param state the state
   * @return its name
   */
  public static String payloadStateName(int state) {
    return switch (state) {
      case 0 -> "PAYLOAD_BLOCK_NOT_PRESENT";
      case 1 -> "PAYLOAD_BLOCK_UNDEFINED";
      case 2 -> "PAYLOAD_BLOCK_ZERO";
      case 3 -> "PAYLOAD_BLOCK_UNMAPPED";
      case 6 -> "PAYLOAD_BLOCK_FULLY_PRESENT";
      case 7 -> "PAYLOAD_BLOCK_PARTIALLY_PRESENT";
      default -> "invalid state " + state;
    };
  }
}
