package dev.vdisk.ext4.internal;

/** CRC16 (ANSI, polynomial 0x8005 reflected) as ext4's {@code gdt_csum} group descriptors use it. */
public final class Crc16 {
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
      }
      TABLE[i] = c;
    }
  }

  private Crc16() {}

  /**
   * Continues a CRC16.
   *
   * @param crc the running value
   * @param b the bytes
   * @param off the first byte
   * @param len how many
   * @return the new value (16 bits)
   */
  public static int update(int crc, byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      crc = ((crc >>> 8) ^ TABLE[(crc ^ b[i]) & 0xFF]) & 0xFFFF;
    }
    return crc;
  }
}
