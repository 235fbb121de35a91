package dev.vdisk.registry.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Marvin32 hash (Microsoft's keyed 64-bit hash) that new-format transaction log entries carry
 * as Hash-1 and Hash-2, with the seed the registry uses ({@code 82 EF 4D 88 7A 4E 55 C5}, read as one hexadecimal
 * number: its low 32 bits start the low state word).
 */
public final class Marvin32 {
  /** The registry's seed for log entry hashes. */
  public static final long REGISTRY_SEED = 0x82EF4D887A4E55C5L;

  private Marvin32() {}

  /**
   * Hashes {@code length} bytes of {@code data} starting at absolute index {@code from}.
   *
   * @return the 64-bit hash: the high state word in the upper 32 bits, the low one in the lower
   */
  public static long hash(ByteBuffer data, int from, int length, long seed) {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int lo = (int) seed;
    int hi = (int) (seed >>> 32);
    int at = from;
    int end = from + length;
    while (end - at >= 4) {
      lo += b.getInt(at);
      at += 4;
      // one block of the mix
      hi ^= lo;
      lo = Integer.rotateLeft(lo, 20) + hi;
      hi = Integer.rotateLeft(hi, 9) ^ lo;
      lo = Integer.rotateLeft(lo, 27) + hi;
      hi = Integer.rotateLeft(hi, 19);
    }
    int rest = end - at;
    int last;
    switch (rest) {
      case 0 -> last = 0x80;
      case 1 -> last = 0x8000 | (b.get(at) & 0xff);
      case 2 -> last = 0x800000 | (b.getShort(at) & 0xffff);
      default -> last = 0x80000000 | (b.getShort(at) & 0xffff) | (b.get(at + 2) & 0xff) << 16;
    }
    lo += last;
    for (int round = 0; round < 2; round++) {
      hi ^= lo;
      lo = Integer.rotateLeft(lo, 20) + hi;
      hi = Integer.rotateLeft(hi, 9) ^ lo;
      lo = Integer.rotateLeft(lo, 27) + hi;
      hi = Integer.rotateLeft(hi, 19);
    }
    return ((long) hi << 32) | (lo & 0xffffffffL);
  }
}
