package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Decodes every chunk of the committed wimlib vectors ({@code make-wim-codec-vectors.sh}: XPRESS
 * with chunk sizes 4, 16 and 64 KiB, LZX with 32 and 64 KiB windows, each at three compression
 * levels) and compares with the input wimlib compressed.
 */
class WimCodecVectorsTest {
  static final java.util.List<String> NAMES = CodecVectors.COMMITTED;

  @ParameterizedTest
  @FieldSource("NAMES")
  void decodesEveryChunk(String name) throws Exception {
    CodecVectors v = CodecVectors.committed(name);
    int decoded = 0;
    for (CodecVectors.Record r : v.records()) {
      if (r.compressed().length == 0) {
        assertThat(r.raw().length).as("wimlib declines only small inputs").isLessThan(100);
        continue;
      }
      // decode into the middle of a larger buffer: nothing outside [7, 7 + length) may change
      byte[] out = new byte[r.raw().length + 14];
      Arrays.fill(out, (byte) 0x5A);
      v.decode(r, out, 7);
      assertThat(Arrays.copyOfRange(out, 7, 7 + r.raw().length))
          .as("%s: %d bytes at level %d", name, r.raw().length, r.level())
          .isEqualTo(r.raw());
      for (int i = 0; i < 7; i++) {
        assertThat(out[i]).isEqualTo((byte) 0x5A);
        assertThat(out[out.length - 1 - i]).isEqualTo((byte) 0x5A);
      }
      decoded++;
    }
    assertThat(decoded).as("compressed chunks in %s", name).isGreaterThanOrEqualTo(10);
  }

  @ParameterizedTest
  @FieldSource("NAMES")
  void decodesFromAnOffsetInTheInput(String name) throws Exception {
    CodecVectors v = CodecVectors.committed(name);
    for (CodecVectors.Record r : v.records()) {
      if (r.compressed().length == 0) {
        continue;
      }
      byte[] src = new byte[r.compressed().length + 5];
      System.arraycopy(r.compressed(), 0, src, 3, r.compressed().length);
      src[0] = src[1] = src[2] = src[src.length - 1] = src[src.length - 2] = (byte) 0xFF;
      byte[] out = new byte[r.raw().length];
      v.decode(src, 3, r.compressed().length, out, 0, out.length);
      assertThat(out).isEqualTo(r.raw());
    }
  }
}
