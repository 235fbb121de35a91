package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Jazzer targets for the decoders and the WOF reader. Only {@link CorruptCompressedDataException}
 * may come out, nothing may be written outside the output range, and a decoder must return (every
 * loop is bounded).
 *
 * <p>Input layout: for the decoders, a 4-byte little-endian output length (reduced to the
 * decoder's range), then the compressed bytes; for {@link #wofReader}, one byte whose low two bits
 * are the algorithm code, a 4-byte little-endian uncompressed size (reduced to 1 MiB), then the
 * {@code WofCompressedData} stream. Seeds in {@code CodecsFuzzTestInputs/<target>} come from the
 * wimlib vectors and from ntfs-3g ({@code testdata/scripts/make-codecs-fuzz-seeds.sh}); they run
 * as a regression test in every build, and {@code JAZZER_FUZZ=1} fuzzes.
 */
class CodecsFuzzTest {
  private static final byte SENTINEL = (byte) 0xA5;

  @FuzzTest(maxDuration = "2m")
  void lznt1(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int dstLen = length(input) % 65537;
    byte[] out = guarded(dstLen);
    try {
      int n = Lznt1.decompress(input, 4, input.length - 4, out, 8, dstLen);
      assertThat(n).isBetween(0, dstLen);
    } catch (CorruptCompressedDataException expected) {
      assertThat(expected.algorithm()).isEqualTo("LZNT1");
      assertThat(expected.inputOffset()).isBetween(0L, (long) input.length - 4);
    }
    checkGuards(out, dstLen);
  }

  @FuzzTest(maxDuration = "2m")
  void xpressHuffman(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int dstLen = length(input) % 140_000;
    byte[] out = guarded(dstLen);
    try {
      XpressHuffman.decompress(input, 4, input.length - 4, out, 8, dstLen);
    } catch (CorruptCompressedDataException expected) {
      assertThat(expected.algorithm()).isEqualTo("XPRESS Huffman");
    }
    checkGuards(out, dstLen);
  }

  @FuzzTest(maxDuration = "2m")
  void lzx(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int dstLen = length(input) % 65537;
    byte[] out = guarded(dstLen);
    try {
      Lzx.decompress(input, 4, input.length - 4, out, 8, dstLen);
    } catch (CorruptCompressedDataException expected) {
      assertThat(expected.algorithm()).isEqualTo("LZX");
    }
    checkGuards(out, dstLen);
  }

  @FuzzTest(maxDuration = "2m")
  void wofReader(byte[] input) throws Exception {
    if (input.length < 5) {
      return;
    }
    WofAlgorithm algorithm = WofAlgorithm.fromCode(input[0] & 3);
    long size = Integer.toUnsignedLong(ByteBuffer.wrap(input, 1, 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()) % ((1 << 20) + 1);
    byte[] stream = Arrays.copyOfRange(input, 5, input.length);
    try {
      WofReader reader = new WofReader(WofStreams.source(stream), size, algorithm);
      assertThat(reader.size()).isEqualTo(size);
      for (long pos : new long[] {0, size / 2, Math.max(0, size - 100)}) {
        ByteBuffer dst = ByteBuffer.allocate(70_000);
        int n = reader.read(pos, dst);
        if (pos >= size) {
          assertThat(n).isEqualTo(-1);
        } else {
          assertThat(n).isEqualTo((int) Math.min(70_000, size - pos));
        }
      }
    } catch (CorruptCompressedDataException expected) {
      assertThat(expected.algorithm()).isEqualTo("WOF");
    }
  }

  private static int length(byte[] input) {
    return ByteBuffer.wrap(input, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
        & 0x7FFF_FFFF;
  }

  private static byte[] guarded(int dstLen) {
    byte[] out = new byte[dstLen + 16];
    Arrays.fill(out, SENTINEL);
    return out;
  }

  private static void checkGuards(byte[] out, int dstLen) {
    for (int i = 0; i < 8; i++) {
      if (out[i] != SENTINEL || out[8 + dstLen + i] != SENTINEL) {
        throw new AssertionError("decoder wrote outside its output range");
      }
    }
  }
}
