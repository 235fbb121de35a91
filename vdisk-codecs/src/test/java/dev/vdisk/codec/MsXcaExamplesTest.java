package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The worked examples of [MS-XCA] section 3, bytes as the specification prints them. */
class MsXcaExamplesTest {
  @Test
  void lznt1Example() throws Exception {
    // [MS-XCA] 3.3: a 142-byte ANSI string (with its terminating NUL) in one 59-byte chunk
    byte[] compressed = hex("38 b0 88 46 23 20 00 20 47 20 41 00 10 a2 47 01 a0 45 20 44 00 08 45 01"
        + " 50 79 00 c0 45 20 05 24 13 88 05 b4 02 4a 44 ef 03 58 02 8c 09 16 01 48 45 00 be 00"
        + " 9e 00 04 01 18 90 00");
    assertThat(compressed).hasSize(59);
    String text = "F# F# G A A G F# E D D E F# F# E E F# F# G A A G F# E D D E F# E D D E E F# D E "
        + "F# G F# D E F# G F# E D E A F# F# G A A G F# E D D E F# E D D\0";
    assertThat(text).hasSize(142);
    byte[] out = new byte[4096];
    int n = Lznt1.decompress(compressed, 0, compressed.length, out, 0, out.length);
    assertThat(new String(out, 0, n, StandardCharsets.US_ASCII)).isEqualTo(text);
  }

  @Test
  void lz77HuffmanExample() throws Exception {
    // [MS-XCA] 3.2: "abcdefghijklmnopqrstuvwxyz" as literals and the end-of-file symbol
    byte[] compressed = new byte[276];
    byte[] lengths = hex("50 55 55 55 55 55 55 55 55 55 55 45 44 04");
    System.arraycopy(lengths, 0, compressed, 48, lengths.length);
    compressed[128] = 0x04;
    byte[] bits = hex("d8 52 3e d7 94 11 5b e9 19 5f f9 d6 7c df 8d 04 00 00 00 00");
    System.arraycopy(bits, 0, compressed, 256, bits.length);
    byte[] out = new byte[26];
    XpressHuffman.decompress(compressed, 0, compressed.length, out, 0, out.length);
    assertThat(new String(out, StandardCharsets.US_ASCII))
        .isEqualTo("abcdefghijklmnopqrstuvwxyz");
  }

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }
}
