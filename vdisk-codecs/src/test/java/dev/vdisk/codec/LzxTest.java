package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Lzx} on uncompressed blocks encoded by hand (wimlib never writes them; [MS-PATCH] 3 gives
 * the same example, "abc", in LZX DELTA framing, here in the WIM framing: no E8 header bit and a
 * 16-bit block size), the E8 translation, and errors. The oracle tests are {@link
 * WimCodecVectorsIT} and the committed wimlib vectors.
 */
class LzxTest {
  // type 3 (011), size flag 0, size 3 (16 bits), 12 bits of padding; R0-R2 = 1; "abc"; pad byte
  private static final byte[] ABC = {0x00, 0x60, 0x00, 0x30, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
      'a', 'b', 'c', 0};
  // the same for "de": no pad byte (even size)
  private static final byte[] DE = {0x00, 0x60, 0x00, 0x20, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
      'd', 'e'};

  @Test
  void uncompressedBlocks() throws Exception {
    byte[] out = new byte[5];
    byte[] src = new byte[ABC.length + DE.length];
    System.arraycopy(ABC, 0, src, 0, ABC.length);
    System.arraycopy(DE, 0, src, ABC.length, DE.length);
    Lzx.decompress(src, 0, src.length, out, 0, 5);
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("abcde");
    byte[] three = new byte[3];
    Lzx.decompress(ABC, 0, ABC.length, three, 0, 3);
    assertThat(new String(three, StandardCharsets.US_ASCII)).isEqualTo("abc");
  }

  @Test
  void e8TranslationIsUndone() throws Exception {
    // a 32-byte uncompressed block: E8 at position 2 with absolute target 50 (relative 48), E8 at
    // position 7 with -1 (relative -1 + 12000000), E8 at 12 with 12000000 (out of range, kept),
    // and an E8 in the last 10 bytes (never translated)
    byte[] data = new byte[32];
    data[2] = (byte) 0xE8;
    data[3] = 50;
    data[7] = (byte) 0xE8;
    Arrays.fill(data, 8, 12, (byte) 0xFF);
    data[12] = (byte) 0xE8;
    int big = 12_000_000;
    data[13] = (byte) big;
    data[14] = (byte) (big >>> 8);
    data[15] = (byte) (big >>> 16);
    data[25] = (byte) 0xE8;
    data[26] = 9;
    // header: 011 0 then size 32 (0000000000100000): words 0x6002 0x0000; R0-R2 = 1
    byte[] src = new byte[16 + data.length];
    src[0] = 0x02;
    src[1] = 0x60;
    for (int r = 0; r < 3; r++) {
      src[4 + 4 * r] = 1;
    }
    System.arraycopy(data, 0, src, 16, data.length);
    byte[] out = new byte[32];
    Lzx.decompress(src, 0, src.length, out, 0, 32);
    byte[] expected = data.clone();
    expected[3] = 48;
    int rel = big - 1;
    expected[8] = (byte) rel;
    expected[9] = (byte) (rel >>> 8);
    expected[10] = (byte) (rel >>> 16);
    expected[11] = (byte) (rel >>> 24);
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void errorsAreReported() {
    byte[] out = new byte[3];
    // recent offset 0
    byte[] zeroR = ABC.clone();
    zeroR[8] = 0;
    assertCorrupt(zeroR, out);
    // truncated raw bytes
    assertCorrupt(Arrays.copyOf(ABC, 17), out);
    // block type 0
    assertCorrupt(new byte[] {0x00, 0x00, 0x00, 0x30}, out);
    // a block larger than the output
    assertCorrupt(ABC, new byte[2]);
    // nothing at all
    assertCorrupt(new byte[0], out);
  }

  @Test
  void windowSizeIsChecked() {
    byte[] out = new byte[40000];
    assertThatThrownBy(() -> Lzx.decompress(ABC, 0, ABC.length, out, 0, 40000, 32768))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Lzx.decompress(ABC, 0, ABC.length, out, 0, 3, 3 << 14))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertCorrupt(byte[] src, byte[] out) {
    assertThatThrownBy(() -> Lzx.decompress(src, 0, src.length, out, 0, out.length))
        .isInstanceOf(CorruptCompressedDataException.class)
        .satisfies(e -> assertThat(((CorruptCompressedDataException) e).algorithm())
            .isEqualTo("LZX"));
  }
}
