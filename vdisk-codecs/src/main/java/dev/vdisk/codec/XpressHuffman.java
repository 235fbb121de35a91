package dev.vdisk.codec;

import dev.vdisk.codec.internal.HuffmanTable;
import dev.vdisk.codec.internal.Matches;
import dev.vdisk.codec.internal.ScratchPool;
import java.util.Objects;

/**
 * Decoder of Microsoft's LZ77+Huffman format ("XPRESS Huffman", [MS-XCA] section 2.1 and 2.2): the
 * format of WOF system compression ({@link WofAlgorithm#XPRESS4K}, {@code XPRESS8K}, {@code
 * XPRESS16K}) and of WIM resources compressed with XPRESS.
 *
 * <p>The input is a sequence of blocks, each producing up to 65536 bytes: a 256-byte table of 512
 * four-bit codeword lengths (the low nibble of byte {@code i} for symbol {@code 2i}), then a
 * bitstream of little-endian 16-bit words read most significant bit first. Symbols below 256 are
 * literals; a symbol {@code 256 + 16 * b + l} is a match whose offset is {@code 2^b} plus {@code b}
 * further bits, and whose length is {@code l + 3}, where {@code l = 15} takes an extension from the
 * next raw bytes of the input (one byte; if 255, a 16-bit word; if 0, a 32-bit word).
 *
 * <p>Decoding stops when the requested number of bytes has been produced; the end-of-stream symbol
 * is not needed.
 */
public final class XpressHuffman {
  private static final String ALGORITHM = "XPRESS Huffman";
  private static final int SYMBOLS = 512;
  private static final int TABLE_BITS = 11;
  private static final int MAX_LENGTH = 15;
  private static final int BLOCK_OUTPUT = 65536;

  private static final ScratchPool<State> STATES = new ScratchPool<>(State::new, 16);

  private XpressHuffman() {}

  /** Scratch space of one decoding, reused through {@link #STATES}. */
  private static final class State {
    final byte[] lengths = new byte[SYMBOLS];
    final HuffmanTable table = new HuffmanTable(SYMBOLS, TABLE_BITS, MAX_LENGTH);
  }

  /**
   * Decodes exactly {@code dstLen} bytes.
   *
   * @param src the compressed data
   * @param srcOff where it starts in {@code src}
   * @param srcLen its length; nothing after it is read
   * @param dst where to put the uncompressed data
   * @param dstOff where to start writing in {@code dst}
   * @param dstLen the uncompressed size; nothing after it is written
   * @throws CorruptCompressedDataException if the data is corrupt or produces fewer bytes (the
   *     offset in the exception counts from {@code srcOff})
   * @throws IndexOutOfBoundsException if the offsets and lengths do not fit the arrays
   */
  public static void decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff,
      int dstLen) throws CorruptCompressedDataException {
    Objects.checkFromIndexSize(srcOff, srcLen, src.length);
    Objects.checkFromIndexSize(dstOff, dstLen, dst.length);
    State state = STATES.acquire();
    try {
      decode(state, src, srcOff, srcLen, dst, dstOff, dstLen);
    } finally {
      STATES.release(state);
    }
  }

  private static void decode(State state, byte[] src, int srcOff, int srcLen, byte[] dst,
      int dstOff, int dstLen) throws CorruptCompressedDataException {
    HuffmanTable table = state.table;
    byte[] lengths = state.lengths;
    final int end = srcOff + srcLen;
    final int outEnd = dstOff + dstLen;
    int in = srcOff;
    int out = dstOff;
    while (out < outEnd) {
      if (end - in < 256) {
        throw corrupt(Math.min(in, end) - srcOff, "truncated Huffman table (" + (end - in) + " of 256 bytes)");
      }
      for (int i = 0; i < 256; i++) {
        int b = src[in + i];
        lengths[2 * i] = (byte) (b & 0x0F);
        lengths[2 * i + 1] = (byte) ((b >>> 4) & 0x0F);
      }
      if (!table.build(lengths, 0, SYMBOLS)) {
        throw corrupt(Math.min(in, end) - srcOff, "over-subscribed Huffman code lengths");
      }
      in += 256;
      // The 32-bit register of [MS-XCA] 2.2.4: 16 + extra valid bits, extra in [0, 16].
      int bits = (word(src, in, end) << 16) | word(src, in + 2, end);
      in += 4;
      int extra = 16;
      final int blockEnd = (int) Math.min((long) out + BLOCK_OUTPUT, outEnd);
      while (out < blockEnd) {
        int entry = table.lookup(bits >>> (32 - MAX_LENGTH));
        if (entry == 0) {
          throw corrupt(Math.min(in, end) - srcOff, "bits match no Huffman codeword");
        }
        int len = entry & 31;
        bits <<= len;
        extra -= len;
        if (extra < 0) {
          if (in >= end + 4) {
            throw corrupt(end - srcOff, "bitstream reads past the end of the input");
          }
          bits |= word(src, in, end) << -extra;
          in += 2;
          extra += 16;
        }
        int symbol = entry >>> 5;
        if (symbol < 256) {
          dst[out++] = (byte) symbol;
          continue;
        }
        symbol -= 256;
        int length = symbol & 15;
        int offsetBits = symbol >>> 4;
        if (length == 15) {
          if (in >= end) {
            throw corrupt(Math.min(in, end) - srcOff, "match length byte past the end of the input");
          }
          length = src[in++] & 0xFF;
          if (length == 255) {
            if (end - in < 2) {
              throw corrupt(Math.min(in, end) - srcOff, "match length word past the end of the input");
            }
            length = (src[in] & 0xFF) | (src[in + 1] & 0xFF) << 8;
            in += 2;
            if (length == 0) {
              if (end - in < 4) {
                throw corrupt(Math.min(in, end) - srcOff, "match length dword past the end of the input");
              }
              length = (src[in] & 0xFF) | (src[in + 1] & 0xFF) << 8 | (src[in + 2] & 0xFF) << 16
                  | (src[in + 3] & 0xFF) << 24;
              in += 4;
              if (length < 0) {
                throw corrupt(in - 4 - srcOff, "match length " + Integer.toUnsignedString(length));
              }
            }
            if (length < 15) {
              throw corrupt(Math.min(in, end) - srcOff, "extended match length " + length + " below 15");
            }
            length -= 15;
          }
          length += 15;
        }
        length += 3;
        int offset = (offsetBits == 0 ? 0 : bits >>> (32 - offsetBits)) | (1 << offsetBits);
        bits <<= offsetBits;
        extra -= offsetBits;
        if (extra < 0) {
          if (in >= end + 4) {
            throw corrupt(end - srcOff, "bitstream reads past the end of the input");
          }
          bits |= word(src, in, end) << -extra;
          in += 2;
          extra += 16;
        }
        if (offset > out - dstOff) {
          throw corrupt(Math.min(in, end) - srcOff, "match offset " + offset + " before the start of the output (at "
              + (out - dstOff) + ")");
        }
        if (length > outEnd - out) {
          throw corrupt(Math.min(in, end) - srcOff, "match of " + length + " bytes past the end of the output ("
              + (outEnd - out) + " left)");
        }
        Matches.copy(dst, out, offset, length);
        out += length;
      }
    }
  }

  /** The little-endian 16-bit word at {@code pos}, with bytes at or after {@code end} read as 0. */
  private static int word(byte[] src, int pos, int end) {
    if (pos + 2 <= end) {
      return (src[pos] & 0xFF) | (src[pos + 1] & 0xFF) << 8;
    }
    return pos < end ? src[pos] & 0xFF : 0;
  }

  private static CorruptCompressedDataException corrupt(long offset, String detail) {
    return new CorruptCompressedDataException(ALGORITHM, offset, detail);
  }
}
