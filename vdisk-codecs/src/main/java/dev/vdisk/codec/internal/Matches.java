package dev.vdisk.codec.internal;

import java.util.Arrays;

/** LZ77 match copying shared by the decoders. */
public final class Matches {
  private Matches() {}

  /**
   * Copies a match of {@code length} bytes from {@code offset} bytes back; the source may overlap
   * the bytes being written (a run). The caller has checked both bounds.
   *
   * @param dst the output
   * @param out where the match goes
   * @param offset how far back it starts, at least 1
   * @param length how many bytes
   */
  public static void copy(byte[] dst, int out, int offset, int length) {
    int from = out - offset;
    if (offset >= length) {
      System.arraycopy(dst, from, dst, out, length);
    } else if (offset == 1) {
      Arrays.fill(dst, out, out + length, dst[from]);
    } else {
      for (int i = 0; i < length; i++) {
        dst[out + i] = dst[from + i];
      }
    }
  }
}
