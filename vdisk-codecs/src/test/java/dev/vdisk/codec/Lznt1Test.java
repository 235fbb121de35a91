package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Lznt1} on chunks encoded by hand from [MS-XCA] 2.5 (header, flag groups, the
 * position-dependent split of a match token), and its errors. The oracle test is {@link Lznt1IT}.
 */
class Lznt1Test {
  /** A compressed chunk: header 0xB000 | (data size - 1), then the data. */
  private static byte[] compressedChunk(int... data) {
    byte[] out = new byte[data.length + 2];
    int header = 0xB000 | (data.length - 1);
    out[0] = (byte) header;
    out[1] = (byte) (header >>> 8);
    for (int i = 0; i < data.length; i++) {
      out[2 + i] = (byte) data[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] decode(byte[] src, int dstLen) throws CorruptCompressedDataException {
    byte[] dst = new byte[dstLen];
    int n = Lznt1.decompress(src, 0, src.length, dst, 0, dstLen);
    return Arrays.copyOf(dst, n);
  }

  @Test
  void literalsAndAnOverlappingMatch() throws Exception {
    // flags 0b1000: three literals, then a match; at position 3 the token has 4 offset bits and
    // 12 length bits: offset 3 -> (3 - 1) << 12, length 9 -> 9 - 3
    byte[] chunk = compressedChunk(0x08, 'a', 'b', 'c', 0x06, 0x20);
    assertThat(new String(decode(chunk, 4096), StandardCharsets.US_ASCII))
        .isEqualTo("abcabcabcabc");
  }

  @Test
  void tokenSplitDependsOnThePositionInTheChunk() throws Exception {
    // 17 literals "abcdefghijklmnopq" then a match at position 17: 5 offset bits, 11 length bits
    // (offset 17 -> 16 << 11, length 5 -> 2)
    int[] data = new int[2 + 1 + 17 + 2 + 1];
    int i = 0;
    data[i++] = 0x00;
    for (int k = 0; k < 8; k++) {
      data[i++] = 'a' + k;
    }
    data[i++] = 0x00;
    for (int k = 8; k < 16; k++) {
      data[i++] = 'a' + k;
    }
    data[i++] = 0x02; // literal 'q', then a match
    data[i++] = 'q';
    int token = (16 << 11) | 2;
    data[i++] = token & 0xFF;
    data[i++] = token >>> 8;
    byte[] chunk = compressedChunk(Arrays.copyOf(data, i));
    assertThat(new String(decode(chunk, 4096), StandardCharsets.US_ASCII))
        .isEqualTo("abcdefghijklmnopqabcde");
  }

  @Test
  void uncompressedChunkShortChunkPaddingAndZeroHeader() throws Exception {
    byte[] raw = new byte[4096];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (i * 7);
    }
    byte[] rawChunk = new byte[4098];
    rawChunk[0] = (byte) 0xFF;
    rawChunk[1] = 0x3F; // 0x3FFF: not compressed, 4096 bytes
    System.arraycopy(raw, 0, rawChunk, 2, 4096);
    byte[] shortChunk = compressedChunk(0x00, 'x', 'y', 'z');
    byte[] unit = concat(shortChunk, rawChunk, new byte[] {0, 0}, compressedChunk(0, 'n'));
    byte[] out = decode(unit, 16 * 4096);
    assertThat(out).hasSize(8192);
    assertThat(new String(out, 0, 3, StandardCharsets.US_ASCII)).isEqualTo("xyz");
    assertThat(Arrays.copyOfRange(out, 3, 4096)).containsOnly((byte) 0);
    assertThat(Arrays.copyOfRange(out, 4096, 8192)).isEqualTo(raw);
  }

  @Test
  void outputIsCutAtDstLen() throws Exception {
    byte[] chunk = compressedChunk(0x08, 'a', 'b', 'c', 0x06, 0x20);
    byte[] dst = new byte[7];
    assertThat(Lznt1.decompress(chunk, 0, chunk.length, dst, 2, 5)).isEqualTo(5);
    assertThat(new String(dst, 2, 5, StandardCharsets.US_ASCII)).isEqualTo("abcab");
    assertThat(dst[0]).isZero();
    assertThat(Lznt1.decompress(chunk, 0, chunk.length, dst, 0, 0)).isZero();
    assertThat(Lznt1.decompress(new byte[1], 0, 1, dst, 0, 7)).isZero();
  }

  @Test
  void corruptChunksAreReported() {
    // data size 100 but only 3 bytes follow
    assertCorrupt(new byte[] {99, (byte) 0xB0, 0, 'a', 'b'}, 0);
    // a match before anything was produced
    assertCorrupt(compressedChunk(0x01, 0x00, 0x10), 3);
    // offset 5 at position 3
    assertCorrupt(compressedChunk(0x08, 'a', 'b', 'c', 0x00, 0x40), 6);
    // a token cut by the chunk's end
    assertCorrupt(compressedChunk(0x08, 'a', 'b', 'c', 0x06), 6);
    // a match running past 4096 bytes: 'a' then offset 1 length 4098 (12 length bits max 4098)
    assertCorrupt(compressedChunk(0x02, 'a', 0xFF, 0x0F), 4);
  }

  private static void assertCorrupt(byte[] src, long offset) {
    assertThatThrownBy(() -> decode(src, 65536))
        .isInstanceOf(CorruptCompressedDataException.class)
        .satisfies(e -> {
          CorruptCompressedDataException c = (CorruptCompressedDataException) e;
          assertThat(c.algorithm()).isEqualTo("LZNT1");
          assertThat(c.inputOffset()).isEqualTo(offset);
        });
  }
}
