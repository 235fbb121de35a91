package dev.vdisk.ext4.internal;

/**
 * The htree directory hashes (legacy, half-MD4 and TEA, each signed or unsigned), as the ext4
 * documentation and e2fsprogs' {@code ext2fs_dirhash} define them.
 */
public final class DirHash {
  public static final int LEGACY = 0;
  public static final int HALF_MD4 = 1;
  public static final int TEA = 2;
  public static final int LEGACY_UNSIGNED = 3;
  public static final int HALF_MD4_UNSIGNED = 4;
  public static final int TEA_UNSIGNED = 5;
  private static final int EOF_32 = 0x7FFFFFFF;

  private DirHash() {}

  /**
   * The major hash of a name (bit 0 clear).
   *
   * @param version the hash version (0..5)
   * @param name the name's bytes
   * @param seed the four seed words ({@code s_hash_seed}); all zero means the default
   * @return the hash
   * @throws IllegalArgumentException for an unknown version
   */
  public static int hash(int version, byte[] name, int[] seed) {
    boolean unsigned = version >= 3;
    int[] buf = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    if (seed != null && (seed[0] | seed[1] | seed[2] | seed[3]) != 0) {
      buf = seed.clone();
    }
    int hash;
    switch (version) {
      case LEGACY:
      case LEGACY_UNSIGNED:
        hash = legacy(name, unsigned);
        break;
      case HALF_MD4:
      case HALF_MD4_UNSIGNED: {
        int[] in = new int[8];
        for (int p = 0, len = name.length; len > 0; len -= 32, p += 32) {
          str2hashbuf(name, p, len, in, 8, unsigned);
          halfMd4(buf, in);
        }
        hash = buf[1];
        break;
      }
      case TEA:
      case TEA_UNSIGNED: {
        int[] in = new int[4];
        for (int p = 0, len = name.length; len > 0; len -= 16, p += 16) {
          str2hashbuf(name, p, len, in, 4, unsigned);
          tea(buf, in);
        }
        hash = buf[0];
        break;
      }
      default:
        throw new IllegalArgumentException("unknown htree hash version " + version);
    }
    hash &= ~1;
    if (hash == (EOF_32 << 1)) {
      hash = (EOF_32 - 1) << 1;
    }
    return hash;
  }

  private static int legacy(byte[] name, boolean unsigned) {
    int hash0 = 0x12a3fe2d;
    int hash1 = 0x37abe8f9;
    for (byte b : name) {
      int c = unsigned ? b & 0xFF : b;
      int hash = hash1 + (hash0 ^ (c * 7152373));
      if ((hash & 0x80000000) != 0) {
        hash -= 0x7fffffff;
      }
      hash1 = hash0;
      hash0 = hash;
    }
    return hash0 << 1;
  }

  private static void str2hashbuf(byte[] msg, int off, int len, int[] buf, int num,
      boolean unsigned) {
    int pad = len | (len << 8);
    pad |= pad << 16;
    int val = pad;
    if (len > num * 4) {
      len = num * 4;
    }
    int k = 0;
    for (int i = 0; i < len; i++) {
      int c = unsigned ? msg[off + i] & 0xFF : msg[off + i];
      val = c + (val << 8);
      if ((i % 4) == 3) {
        buf[k++] = val;
        val = pad;
        num--;
      }
    }
    if (--num >= 0) {
      buf[k++] = val;
    }
    while (--num >= 0) {
      buf[k++] = pad;
    }
  }

  private static int f(int x, int y, int z) {
    return z ^ (x & (y ^ z));
  }

  private static int g(int x, int y, int z) {
    return (x & y) + ((x ^ y) & z);
  }

  private static int h(int x, int y, int z) {
    return x ^ y ^ z;
  }

  private static final int K2 = 013240474631;
  private static final int K3 = 015666365641;

  private static void halfMd4(int[] buf, int[] in) {
    int a = buf[0];
    int b = buf[1];
    int c = buf[2];
    int d = buf[3];
    a = Integer.rotateLeft(a + f(b, c, d) + in[0], 3);
    d = Integer.rotateLeft(d + f(a, b, c) + in[1], 7);
    c = Integer.rotateLeft(c + f(d, a, b) + in[2], 11);
    b = Integer.rotateLeft(b + f(c, d, a) + in[3], 19);
    a = Integer.rotateLeft(a + f(b, c, d) + in[4], 3);
    d = Integer.rotateLeft(d + f(a, b, c) + in[5], 7);
    c = Integer.rotateLeft(c + f(d, a, b) + in[6], 11);
    b = Integer.rotateLeft(b + f(c, d, a) + in[7], 19);
    a = Integer.rotateLeft(a + g(b, c, d) + in[1] + K2, 3);
    d = Integer.rotateLeft(d + g(a, b, c) + in[3] + K2, 5);
    c = Integer.rotateLeft(c + g(d, a, b) + in[5] + K2, 9);
    b = Integer.rotateLeft(b + g(c, d, a) + in[7] + K2, 13);
    a = Integer.rotateLeft(a + g(b, c, d) + in[0] + K2, 3);
    d = Integer.rotateLeft(d + g(a, b, c) + in[2] + K2, 5);
    c = Integer.rotateLeft(c + g(d, a, b) + in[4] + K2, 9);
    b = Integer.rotateLeft(b + g(c, d, a) + in[6] + K2, 13);
    a = Integer.rotateLeft(a + h(b, c, d) + in[3] + K3, 3);
    d = Integer.rotateLeft(d + h(a, b, c) + in[7] + K3, 9);
    c = Integer.rotateLeft(c + h(d, a, b) + in[2] + K3, 11);
    b = Integer.rotateLeft(b + h(c, d, a) + in[6] + K3, 15);
    a = Integer.rotateLeft(a + h(b, c, d) + in[1] + K3, 3);
    d = Integer.rotateLeft(d + h(a, b, c) + in[5] + K3, 9);
    c = Integer.rotateLeft(c + h(d, a, b) + in[0] + K3, 11);
    b = Integer.rotateLeft(b + h(c, d, a) + in[4] + K3, 15);
    buf[0] += a;
    buf[1] += b;
    buf[2] += c;
    buf[3] += d;
  }

  private static void tea(int[] buf, int[] in) {
    int sum = 0;
    int b0 = buf[0];
    int b1 = buf[1];
    int a = in[0];
    int b = in[1];
    int c = in[2];
    int d = in[3];
    for (int n = 0; n < 16; n++) {
      sum += 0x9E3779B9;
      b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >>> 5) + b);
      b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >>> 5) + d);
    }
    buf[0] += b0;
    buf[1] += b1;
  }
}
