package dev.vdisk.ext4.internal;

/**
 * CRC32C (Castagnoli) as ext4 and jbd2 use it: the raw register, seeded by the caller, without the
 * final inversion (the kernel's {@code crc32c_le}). {@code java.util.zip.CRC32C} cannot take a seed,
 * so this is table-driven here.
 */
public final class Crc32c {
  private static final int[] TABLE = new int[256];
  /** Slicing-by-8 tables: T8[k][b] is the CRC of byte b followed by k zero bytes. */
  private static final int[][] T8 = new int[8][256];

  static {
    for (int i = 0; i < 256; i++) {
      int c = i;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
      }
      TABLE[i] = c;
    }
    T8[0] = TABLE;
    for (int k = 1; k < 8; k++) {
      for (int i = 0; i < 256; i++) {
        int c = T8[k - 1][i];
        T8[k][i] = TABLE[c & 0xFF] ^ (c >>> 8);
      }
    }
  }

  private Crc32c() {}

  /**
   * Continues a CRC over bytes.
   *
   * @param crc the seed or running value
   * @param b the bytes
   * @param off the first byte
   * @param len how many
   * @return the new value
   */
  public static int update(int crc, byte[] b, int off, int len) {
    int end = off + len;
    while (end - off >= 8) {
      int lo = crc ^ ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16
          | (b[off + 3] & 0xFF) << 24);
      crc = T8[7][lo & 0xFF] ^ T8[6][(lo >>> 8) & 0xFF] ^ T8[5][(lo >>> 16) & 0xFF]
          ^ T8[4][lo >>> 24] ^ T8[3][b[off + 4] & 0xFF] ^ T8[2][b[off + 5] & 0xFF]
          ^ T8[1][b[off + 6] & 0xFF] ^ T8[0][b[off + 7] & 0xFF];
      off += 8;
    }
    len = end - off;
    for (int i = off; i < off + len; i++) {
      crc = TABLE[(crc ^ b[i]) & 0xFF] ^ (crc >>> 8);
    }
    return crc;
  }

  /**
   * Continues a CRC over a little-endian 32-bit value.
   *
   * @param crc the running value
   * @param v the value
   * @return the new value
   */
  public static int updateLe32(int crc, int v) {
    return update(crc, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)},
        0, 4);
  }

  /**
   * Continues a CRC over a big-endian 32-bit value (jbd2 sequence numbers).
   *
   * @param crc the running value
   * @param v the value
   * @return the new value
   */
  public static int updateBe32(int crc, int v) {
    return update(crc, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v},
        0, 4);
  }

  /**
   * Continues a CRC over zero bytes.
   *
   * @param crc the running value
   * @param len how many zeros
   * @return the new value
   */
  public static int updateZeros(int crc, int len) {
    for (int i = 0; i < len; i++) {
      crc = TABLE[crc & 0xFF] ^ (crc >>> 8);
    }
    return crc;
  }
}
