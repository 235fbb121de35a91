package dev.vdisk.vhd.internal;

/**
 * The checksum of the VHD hard disk footer and dynamic disk header: the one's complement of the
 * sum of all the structure's bytes, with the four bytes of the checksum field itself left out.
 */
public final class VhdChecksum {
  private VhdChecksum() {}

  /**
   * Computes the checksum of a structure.
   *
   * @param data the structure's bytes
   * @param from index of the structure's first byte in {@code data}
   * @param length the structure's length
   * @param checksumField offset of the 4-byte checksum field within the structure
   * @return the checksum as the structure stores it (big-endian when written)
   */
  public static int compute(byte[] data, int from, int length, int checksumField) {
    long sum = 0;
    for (int i = 0; i < length; i++) {
      if (i >= checksumField && i < checksumField + 4) {
        continue;
      }
      sum += data[from + i] & 0xFF;
    }
    return (int) ~sum;
  }
}
