package dev.vdisk.codec.internal;

import java.util.Arrays;

/**
 * A two-level decoding table for a canonical Huffman code whose codewords are read most significant
 * bit first (the codes of XPRESS Huffman and LZX).
 *
 * <p>The decoder peeks {@link #maxLength()} bits and looks the top {@link #tableBits()} of them up
 * in the primary table. An entry is one of:
 *
 * <ul>
 *   <li>{@code 0}: no codeword starts with these bits (the code is incomplete there);
 *   <li>a leaf, {@code (symbol << 5) | length} with length 1 to 16;
 *   <li>a link (sign bit set) to a subtable indexed by the remaining {@code maxLength - tableBits}
 *       peeked bits, whose entries are leaves or 0.
 * </ul>
 *
 * <p>Codes are assigned canonically: shorter codewords first, and within one length in increasing
 * symbol order. An over-subscribed set of lengths is rejected; an incomplete set (including the
 * empty one) is accepted, and a lookup that lands in its unused space yields 0.
 */
public final class HuffmanTable {
  private static final int LINK = 0x8000_0000;

  private final int numSymbols;
  private final int tableBits;
  private final int maxLength;
  private final int subBits;
  private final int[] entries;
  private final int[] count = new int[17];
  private final int[] next = new int[17];

  /**
   * Creates the table's storage (built later, once per code, by {@link #build}).
   *
   * @param numSymbols how many symbols the code has at most
   * @param tableBits bits looked up in the primary table (at most {@code maxLength})
   * @param maxLength the longest codeword length allowed, at most 16
   */
  public HuffmanTable(int numSymbols, int tableBits, int maxLength) {
    if (maxLength < 1 || maxLength > 16 || tableBits < 1 || tableBits > maxLength) {
      throw new IllegalArgumentException("tableBits " + tableBits + ", maxLength " + maxLength);
    }
    this.numSymbols = numSymbols;
    this.tableBits = tableBits;
    this.maxLength = maxLength;
    this.subBits = maxLength - tableBits;
    int subtables = subBits == 0 ? 0 : numSymbols;
    this.entries = new int[(1 << tableBits) + (subtables << subBits)];
  }

  /**
   * The number of bits the primary table is indexed by.
   *
   * @return the bits
   */
  public int tableBits() {
    return tableBits;
  }

  /**
   * The longest codeword, and the number of bits {@link #lookup} expects.
   *
   * @return the length in bits
   */
  public int maxLength() {
    return maxLength;
  }

  /**
   * Builds the table from codeword lengths.
   *
   * @param lengths the codeword length of each symbol (0: the symbol is unused)
   * @param offset where symbol 0's length is in {@code lengths}
   * @param symbols the number of symbols (at most the capacity given to the constructor)
   * @return {@code false} if a length exceeds {@link #maxLength()} or the lengths are
   *     over-subscribed (no prefix code has them)
   */
  public boolean build(byte[] lengths, int offset, int symbols) {
    if (symbols > numSymbols) {
      throw new IllegalArgumentException(symbols + " symbols > capacity " + numSymbols);
    }
    Arrays.fill(count, 0);
    for (int s = 0; s < symbols; s++) {
      int len = lengths[offset + s];
      if (len < 0 || len > maxLength) {
        return false;
      }
      count[len]++;
    }
    count[0] = 0;
    int left = 1;
    int code = 0;
    for (int len = 1; len <= maxLength; len++) {
      left = (left << 1) - count[len];
      if (left < 0) {
        return false;
      }
      code = (code + count[len - 1]) << 1;
      next[len] = code;
    }
    int primary = 1 << tableBits;
    Arrays.fill(entries, 0, primary, 0);
    int subNext = primary;
    int subSize = 1 << subBits;
    for (int s = 0; s < symbols; s++) {
      int len = lengths[offset + s];
      if (len == 0) {
        continue;
      }
      int c = next[len]++;
      int leaf = (s << 5) | len;
      if (len <= tableBits) {
        int start = c << (tableBits - len);
        Arrays.fill(entries, start, start + (1 << (tableBits - len)), leaf);
      } else {
        int prefix = c >>> (len - tableBits);
        int link = entries[prefix];
        int base;
        if (link < 0) {
          base = link & ~LINK;
        } else {
          base = subNext;
          subNext += subSize;
          Arrays.fill(entries, base, base + subSize, 0);
          entries[prefix] = LINK | base;
        }
        int low = c & ((1 << (len - tableBits)) - 1);
        int start = base + (low << (maxLength - len));
        Arrays.fill(entries, start, start + (1 << (maxLength - len)), leaf);
      }
    }
    return true;
  }

  /**
   * Looks up the codeword at the start of {@code bits}.
   *
   * @param bits the next {@link #maxLength()} bits of input, first bit most significant
   * @return {@code (symbol << 5) | length}, or 0 if no codeword matches
   */
  public int lookup(int bits) {
    int e = entries[bits >>> subBits];
    if (e < 0) {
      e = entries[(e & ~LINK) + (bits & ((1 << subBits) - 1))];
    }
    return e;
  }
}
