package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link XpressHuffman} on streams encoded by hand from [MS-XCA] 2.1-2.2 (the nibble table, the
 * bitstream of 16-bit words, the match-length escape read from the byte stream), and its errors.
 * The oracle tests are {@link WimCodecVectorsIT} and the committed wimlib vectors.
 */
class XpressHuffmanTest {
  /** A block: the 256-byte table giving the listed symbols the listed lengths, then the rest. */
  private static byte[] block(int[] symbols, int[] lengths, int... rest) {
    byte[] out = new byte[256 + rest.length];
    for (int i = 0; i < symbols.length; i++) {
      int s = symbols[i];
      out[s / 2] |= (byte) (s % 2 == 0 ? lengths[i] : lengths[i] << 4);
    }
    for (int i = 0; i < rest.length; i++) {
      out[256 + i] = (byte) rest[i];
    }
    return out;
  }

  private static String decode(byte[] src, int n) throws CorruptCompressedDataException {
    byte[] out = new byte[n];
    XpressHuffman.decompress(src, 0, src.length, out, 0, n);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  @Test
  void literals() throws Exception {
    // 'a' = 0, 'b' = 1; bits 0110 -> first word 0x6000
    byte[] src = block(new int[] {'a', 'b'}, new int[] {1, 1}, 0x00, 0x60, 0x00, 0x00);
    assertThat(decode(src, 4)).isEqualTo("abba");
  }

  @Test
  void shortAndLongMatches() throws Exception {
    // symbol 256: length 3, offset 1; 'a' = 0, 256 = 1
    byte[] src = block(new int[] {'a', 256}, new int[] {1, 1}, 0x00, 0x40, 0x00, 0x00);
    assertThat(decode(src, 4)).isEqualTo("aaaa");
    // symbol 271: length escape, offset 1; then byte 255 and the word 297: length 300
    byte[] longMatch = block(new int[] {'a', 271}, new int[] {1, 1}, 0x00, 0x40, 0x00, 0x00,
        0xFF, 0x29, 0x01);
    assertThat(decode(longMatch, 301)).isEqualTo("a".repeat(301));
    // the escape byte itself: 20 -> length 15 + 20 + 3 = 38
    byte[] mid = block(new int[] {'a', 271}, new int[] {1, 1}, 0x00, 0x40, 0x00, 0x00, 20);
    assertThat(decode(mid, 39)).isEqualTo("a".repeat(39));
  }

  @Test
  void secondBlockAfter65536Bytes() throws Exception {
    // block 1: 'a' = 0, 271 = 1 (length escape, offset 1); bits 01; the escape reads byte 255,
    // word 0 and the 32-bit length 65532: a match of 65535, so the block ends at 65536 bytes.
    // Block 2's table starts right after the bytes block 1 consumed ([MS-XCA] 2.2.4): 'b' = 0,
    // 'c' = 1; bits 10
    byte[] first = block(new int[] {'a', 271}, new int[] {1, 1}, 0x00, 0x40, 0x00, 0x00,
        0xFF, 0x00, 0x00, 0xFC, 0xFF, 0x00, 0x00);
    byte[] second = block(new int[] {'b', 'c'}, new int[] {1, 1}, 0x00, 0x80, 0x00, 0x00);
    byte[] src = new byte[first.length + second.length];
    System.arraycopy(first, 0, src, 0, first.length);
    System.arraycopy(second, 0, src, first.length, second.length);
    assertThat(decode(src, 65538)).isEqualTo("a".repeat(65536) + "cb");
    // without the second block the output cannot be completed
    assertCorrupt(first, 65538, first.length);
  }

  @Test
  void errorsAreReported() {
    // over-subscribed: three codewords of length 1
    assertCorrupt(block(new int[] {1, 2, 3}, new int[] {1, 1, 1}, 0, 0, 0, 0), 4, 0);
    // a table cut short
    assertCorrupt(new byte[200], 4, 0);
    // a match before any output: 'a' = 0, 256 = 1, the stream starts with 1
    assertCorrupt(block(new int[] {256, 'a'}, new int[] {1, 1}, 0x00, 0x80, 0, 0), 4, -1);
    // bits matching no codeword: only 'a' = 0 exists, the stream starts with 1
    assertCorrupt(block(new int[] {'a'}, new int[] {1}, 0x00, 0x80, 0, 0), 4, -1);
    // a match longer than the output
    assertCorrupt(block(new int[] {'a', 256}, new int[] {1, 1}, 0x00, 0x40, 0x00, 0x00), 3, -1);
    // a length escape past the end of the input
    assertCorrupt(block(new int[] {'a', 271}, new int[] {1, 1}, 0x00, 0x40, 0x00, 0x00), 20, -1);
  }

  private static void assertCorrupt(byte[] src, int n, long offset) {
    assertThatThrownBy(() -> decode(src, n))
        .isInstanceOf(CorruptCompressedDataException.class)
        .satisfies(e -> {
          CorruptCompressedDataException c = (CorruptCompressedDataException) e;
          assertThat(c.algorithm()).isEqualTo("XPRESS Huffman");
          if (offset >= 0) {
            assertThat(c.inputOffset()).isEqualTo(offset);
          }
          assertThat(c.inputOffset()).isBetween(0L, (long) src.length);
        });
  }
}
