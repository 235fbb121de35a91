package dev.vdisk.codec;

import dev.vdisk.codec.internal.HuffmanTable;
import dev.vdisk.codec.internal.Matches;
import dev.vdisk.codec.internal.ScratchPool;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decoder of LZX as WIM resources and WOF system compression ({@link WofAlgorithm#LZX}) use it:
 * every chunk is compressed on its own (no window carried over from the previous chunk, the
 * codeword lengths start from zero, the recent offsets from 1), the block header holds no E8
 * header bit, and the E8 call translation is always undone with the fixed translation size
 * 12,000,000, as WIMGAPI does.
 *
 * <p>The chunk is a sequence of blocks, each verbatim, aligned-offset or uncompressed, in a
 * bitstream of little-endian 16-bit words read most significant bit first ([MS-PATCH] "LZX DELTA"
 * describes the full format; the WIM form uses the window sizes 2^15 to 2^21 and none of the DELTA
 * extensions).
 */
public final class Lzx {
  private static final String ALGORITHM = "LZX";
  /** The smallest window (and the one WOF and most WIM files use). */
  public static final int MIN_WINDOW_SIZE = 1 << 15;
  /** The largest window this decoder supports (WIM chunk sizes up to 2 MiB). */
  public static final int MAX_WINDOW_SIZE = 1 << 21;

  private static final int E8_FILE_SIZE = 12_000_000;
  private static final int NUM_CHARS = 256;
  private static final int MAX_SLOTS = 50;
  private static final int MAX_MAIN_SYMBOLS = NUM_CHARS + 8 * MAX_SLOTS;
  private static final int LENGTH_SYMBOLS = 249;
  private static final int PRE_SYMBOLS = 20;
  private static final int ALIGNED_SYMBOLS = 8;
  private static final int VERBATIM = 1;
  private static final int ALIGNED = 2;
  private static final int UNCOMPRESSED = 3;

  /** Extra offset bits of each offset slot. */
  private static final int[] EXTRA_BITS = new int[MAX_SLOTS];
  /** Smallest formatted offset of each offset slot. */
  private static final int[] SLOT_BASE = new int[MAX_SLOTS];

  static {
    int base = 0;
    for (int slot = 0; slot < MAX_SLOTS; slot++) {
      EXTRA_BITS[slot] = slot < 4 ? 0 : Math.min((slot - 2) / 2, 17);
      SLOT_BASE[slot] = base;
      base += 1 << EXTRA_BITS[slot];
    }
  }

  private static final ScratchPool<State> STATES = new ScratchPool<>(State::new, 16);

  private Lzx() {}

  /** Scratch space of one decoding: codeword lengths (kept across a chunk's blocks), tables. */
  private static final class State {
    final byte[] mainLengths = new byte[MAX_MAIN_SYMBOLS];
    final byte[] lengthLengths = new byte[LENGTH_SYMBOLS];
    final byte[] alignedLengths = new byte[ALIGNED_SYMBOLS];
    final byte[] preLengths = new byte[PRE_SYMBOLS];
    final HuffmanTable main = new HuffmanTable(MAX_MAIN_SYMBOLS, 11, 16);
    final HuffmanTable length = new HuffmanTable(LENGTH_SYMBOLS, 10, 16);
    final HuffmanTable aligned = new HuffmanTable(ALIGNED_SYMBOLS, 7, 7);
    final HuffmanTable pre = new HuffmanTable(PRE_SYMBOLS, 8, 15);
  }

  /**
   * Decodes exactly {@code dstLen} bytes of one chunk compressed with the smallest window that
   * holds it: 32 KiB for every chunk up to 32 KiB (WOF, and WIM files with the default chunk size),
   * else the next power of two. For the last, shorter chunk of a WIM resource with chunks larger
   * than 32 KiB, use {@link #decompress(byte[], int, int, byte[], int, int, int)} with the
   * resource's chunk size.
   *
   * @param src the compressed data
   * @param srcOff where it starts in {@code src}
   * @param srcLen its length; nothing after it is read
   * @param dst where to put the uncompressed data
   * @param dstOff where to start writing in {@code dst}
   * @param dstLen the uncompressed size, at most {@link #MAX_WINDOW_SIZE}
   * @throws CorruptCompressedDataException if the data is corrupt (the offset in the exception
   *     counts from {@code srcOff})
   * @throws IndexOutOfBoundsException if the offsets and lengths do not fit the arrays
   * @throws IllegalArgumentException if {@code dstLen} exceeds {@link #MAX_WINDOW_SIZE}
   */
  public static void decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff,
      int dstLen) throws CorruptCompressedDataException {
    int window = MIN_WINDOW_SIZE;
    while (window < dstLen && window < MAX_WINDOW_SIZE) {
      window <<= 1;
    }
    decompress(src, srcOff, srcLen, dst, dstOff, dstLen, window);
  }

  /**
   * Decodes exactly {@code dstLen} bytes of one chunk compressed with a given window size (which
   * sets the number of offset slots, so the size of the main code). A WIM resource's window size
   * is its chunk size.
   *
   * @param src the compressed data
   * @param srcOff where it starts in {@code src}
   * @param srcLen its length; nothing after it is read
   * @param dst where to put the uncompressed data
   * @param dstOff where to start writing in {@code dst}
   * @param dstLen the uncompressed size, at most {@code windowSize}
   * @param windowSize a power of two from {@link #MIN_WINDOW_SIZE} to {@link #MAX_WINDOW_SIZE}
   * @throws CorruptCompressedDataException if the data is corrupt (the offset in the exception
   *     counts from {@code srcOff})
   * @throws IndexOutOfBoundsException if the offsets and lengths do not fit the arrays
   * @throws IllegalArgumentException if the window size is not allowed or smaller than
   *     {@code dstLen}
   */
  public static void decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff,
      int dstLen, int windowSize) throws CorruptCompressedDataException {
    Objects.checkFromIndexSize(srcOff, srcLen, src.length);
    Objects.checkFromIndexSize(dstOff, dstLen, dst.length);
    if (Integer.bitCount(windowSize) != 1 || windowSize < MIN_WINDOW_SIZE
        || windowSize > MAX_WINDOW_SIZE || dstLen > windowSize) {
      throw new IllegalArgumentException("LZX window size " + windowSize + " for " + dstLen
          + " bytes");
    }
    State state = STATES.acquire();
    try {
      new Decoder(state, src, srcOff, srcLen, dst, dstOff, dstLen, windowSize).run();
    } finally {
      STATES.release(state);
    }
  }

  /** The state of one chunk's decoding: the bit reader, the output position, recent offsets. */
  private static final class Decoder {
    private final State s;
    private final byte[] src;
    private final int srcOff;
    private final int end;
    private final byte[] dst;
    private final int dstOff;
    private final int outEnd;
    private final int windowOrder;
    private final int mainSymbols;

    /** Where the current run of the bitstream started (it restarts after uncompressed blocks). */
    private int base;
    /** The next input byte to load into the bit buffer. */
    private int in;
    /** Buffered bits: the low {@code count} bits of {@code buf}, the next bit the highest. */
    private long buf;
    private int count;
    private int out;
    private int r0 = 1;
    private int r1 = 1;
    private int r2 = 1;

    Decoder(State s, byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstLen,
        int windowSize) {
      this.s = s;
      this.src = src;
      this.srcOff = srcOff;
      this.end = srcOff + srcLen;
      this.dst = dst;
      this.dstOff = dstOff;
      this.outEnd = dstOff + dstLen;
      this.windowOrder = Integer.numberOfTrailingZeros(windowSize);
      int slots = switch (windowOrder) {
        case 15 -> 30;
        case 16 -> 32;
        case 17 -> 34;
        case 18 -> 36;
        case 19 -> 38;
        case 20 -> 42;
        default -> 50;
      };
      this.mainSymbols = NUM_CHARS + 8 * slots;
      this.base = srcOff;
      this.in = srcOff;
      this.out = dstOff;
    }

    void run() throws CorruptCompressedDataException {
      Arrays.fill(s.mainLengths, (byte) 0);
      Arrays.fill(s.lengthLengths, (byte) 0);
      boolean sawE8 = false;
      while (out < outEnd) {
        int type = bits(3);
        int size;
        if (bits(1) == 1) {
          size = 32768;
        } else {
          size = bits(16);
          if (windowOrder >= 16) {
            size = (size << 8) | bits(8);
          }
        }
        if (size > outEnd - out) {
          throw corrupt("block of " + size + " bytes past the end of the output ("
              + (outEnd - out) + " left)");
        }
        switch (type) {
          case VERBATIM, ALIGNED -> {
            if (type == ALIGNED) {
              for (int i = 0; i < ALIGNED_SYMBOLS; i++) {
                s.alignedLengths[i] = (byte) bits(3);
              }
              build(s.aligned, s.alignedLengths, 0, ALIGNED_SYMBOLS, "aligned offset");
            }
            readLengths(s.mainLengths, 0, NUM_CHARS);
            readLengths(s.mainLengths, NUM_CHARS, mainSymbols - NUM_CHARS);
            build(s.main, s.mainLengths, 0, mainSymbols, "main");
            readLengths(s.lengthLengths, 0, LENGTH_SYMBOLS);
            build(s.length, s.lengthLengths, 0, LENGTH_SYMBOLS, "length");
            decodeBlock(out + size, type == ALIGNED);
            sawE8 |= s.mainLengths[0xE8] != 0;
          }
          case UNCOMPRESSED -> {
            copyUncompressed(size);
            sawE8 = true;
          }
          default -> throw corrupt("block type " + type);
        }
      }
      long consumed = (long) (in - base) * 8 - count;
      if (consumed > (long) (end - base) * 8) {
        throw new CorruptCompressedDataException(ALGORITHM, end - srcOff,
            "bitstream reads past the end of the input");
      }
      if (sawE8) {
        undoE8();
      }
    }

    private void decodeBlock(int blockEnd, boolean aligned) throws CorruptCompressedDataException {
      HuffmanTable main = s.main;
      while (out < blockEnd) {
        int symbol = decode(main);
        if (symbol < NUM_CHARS) {
          dst[out++] = (byte) symbol;
          continue;
        }
        symbol -= NUM_CHARS;
        int length = symbol & 7;
        int slot = symbol >>> 3;
        if (length == 7) {
          length += decode(s.length);
        }
        length += 2;
        int offset;
        if (slot < 3) {
          if (slot == 0) {
            offset = r0;
          } else if (slot == 1) {
            offset = r1;
            r1 = r0;
            r0 = offset;
          } else {
            offset = r2;
            r2 = r0;
            r0 = offset;
          }
        } else {
          int extra = EXTRA_BITS[slot];
          offset = SLOT_BASE[slot];
          if (aligned && extra >= 3) {
            offset += bits(extra - 3) << 3;
            offset += decode(s.aligned);
          } else {
            offset += bits(extra);
          }
          offset -= 2;
          r2 = r1;
          r1 = r0;
          r0 = offset;
        }
        if (length > blockEnd - out) {
          throw corrupt("match of " + length + " bytes past the end of the block ("
              + (blockEnd - out) + " left)");
        }
        if (offset > out - dstOff || offset <= 0) {
          throw corrupt("match offset " + Integer.toUnsignedString(offset)
              + " before the start of the output (at " + (out - dstOff) + ")");
        }
        Matches.copy(dst, out, offset, length);
        out += length;
      }
    }

    /** Reads codeword lengths as deltas from the previous ones, through the pretree. */
    private void readLengths(byte[] lengths, int from, int n) throws CorruptCompressedDataException {
      for (int i = 0; i < PRE_SYMBOLS; i++) {
        s.preLengths[i] = (byte) bits(4);
      }
      build(s.pre, s.preLengths, 0, PRE_SYMBOLS, "pretree");
      int i = from;
      int stop = from + n;
      while (i < stop) {
        int symbol = decode(s.pre);
        if (symbol < 17) {
          lengths[i] = (byte) ((lengths[i] - symbol + 17) % 17);
          i++;
          continue;
        }
        int run;
        byte value;
        if (symbol == 17) {
          run = 4 + bits(4);
          value = 0;
        } else if (symbol == 18) {
          run = 20 + bits(5);
          value = 0;
        } else {
          run = 4 + bits(1);
          int delta = decode(s.pre);
          if (delta > 16) {
            throw corrupt("pretree run of symbol " + delta);
          }
          value = (byte) ((lengths[i] - delta + 17) % 17);
        }
        int last = Math.min(stop, i + run);
        Arrays.fill(lengths, i, last, value);
        i = last;
      }
    }

    private void build(HuffmanTable table, byte[] lengths, int from, int n, String code)
        throws CorruptCompressedDataException {
      if (!table.build(lengths, from, n)) {
        throw corrupt("over-subscribed " + code + " code lengths");
      }
    }

    /** An uncompressed block: realign, the three recent offsets, the raw bytes, a pad byte. */
    private void copyUncompressed(int size) throws CorruptCompressedDataException {
      long consumed = (long) (in - base) * 8 - count;
      // 1 to 16 bits of padding up to the next 16-bit boundary
      long pos = base + (consumed / 16 + 1) * 2;
      if (pos + 12 > end) {
        throw new CorruptCompressedDataException(ALGORITHM, Math.min(pos, end) - srcOff,
            "uncompressed block header past the end of the input");
      }
      int p = (int) pos;
      r0 = le32(p);
      r1 = le32(p + 4);
      r2 = le32(p + 8);
      if (r0 == 0 || r1 == 0 || r2 == 0) {
        throw new CorruptCompressedDataException(ALGORITHM, p - srcOff,
            "recent offsets " + Integer.toUnsignedString(r0) + ", " + Integer.toUnsignedString(r1)
                + ", " + Integer.toUnsignedString(r2));
      }
      p += 12;
      if (size > end - p) {
        throw new CorruptCompressedDataException(ALGORITHM, p - srcOff,
            "uncompressed block of " + size + " bytes, " + (end - p) + " left in the input");
      }
      System.arraycopy(src, p, dst, out, size);
      out += size;
      p += size;
      if ((size & 1) != 0 && p < end) {
        p++;
      }
      base = p;
      in = p;
      buf = 0;
      count = 0;
    }

    private int le32(int p) {
      return (src[p] & 0xFF) | (src[p + 1] & 0xFF) << 8 | (src[p + 2] & 0xFF) << 16
          | (src[p + 3] & 0xFF) << 24;
    }

    /** Makes at least {@code n} (at most 32) bits available, reading zeros past the end. */
    private void ensure(int n) throws CorruptCompressedDataException {
      while (count < n) {
        int w;
        if (in + 2 <= end) {
          w = (src[in] & 0xFF) | (src[in + 1] & 0xFF) << 8;
        } else if (in < end) {
          w = src[in] & 0xFF;
        } else if (in >= end + 8) {
          throw new CorruptCompressedDataException(ALGORITHM, end - srcOff,
              "bitstream reads past the end of the input");
        } else {
          w = 0;
        }
        in += 2;
        buf = (buf << 16) | w;
        count += 16;
      }
    }

    private int bits(int n) throws CorruptCompressedDataException {
      if (n == 0) {
        return 0;
      }
      ensure(n);
      count -= n;
      return (int) (buf >>> count) & ((1 << n) - 1);
    }

    private int decode(HuffmanTable table) throws CorruptCompressedDataException {
      int max = table.maxLength();
      ensure(max);
      int peek = (int) (buf >>> (count - max)) & ((1 << max) - 1);
      int entry = table.lookup(peek);
      if (entry == 0) {
        throw corrupt("bits match no Huffman codeword");
      }
      count -= entry & 31;
      return entry >>> 5;
    }

    /** Undoes the E8 translation: absolute call targets back to relative ones. */
    private void undoE8() {
      int size = outEnd - dstOff;
      if (size <= 10) {
        return;
      }
      int stop = outEnd - 10;
      int p = dstOff;
      while (p < stop) {
        if (dst[p] != (byte) 0xE8) {
          p++;
          continue;
        }
        int pos = p - dstOff;
        int abs = (dst[p + 1] & 0xFF) | (dst[p + 2] & 0xFF) << 8 | (dst[p + 3] & 0xFF) << 16
            | (dst[p + 4] & 0xFF) << 24;
        if (abs >= -pos && abs < E8_FILE_SIZE) {
          int rel = abs >= 0 ? abs - pos : abs + E8_FILE_SIZE;
          dst[p + 1] = (byte) rel;
          dst[p + 2] = (byte) (rel >>> 8);
          dst[p + 3] = (byte) (rel >>> 16);
          dst[p + 4] = (byte) (rel >>> 24);
        }
        p += 5;
      }
    }

    private CorruptCompressedDataException corrupt(String detail) {
      long consumed = (long) (in - base) * 8 - count;
      long at = Math.min(base + consumed / 8, end);
      return new CorruptCompressedDataException(ALGORITHM, at - srcOff, detail);
    }
  }
}
