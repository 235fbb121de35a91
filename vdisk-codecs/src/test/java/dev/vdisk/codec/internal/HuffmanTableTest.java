package dev.vdisk.codec.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Canonical code assignment, subtables, and rejected or incomplete length sets. */
class HuffmanTableTest {
  @Test
  void canonicalCodesThroughSubtables() {
    // lengths 2, 1, 3, 3: codes 10, 0, 110, 111 (shorter first, then by symbol)
    HuffmanTable t = new HuffmanTable(4, 2, 3);
    assertThat(t.build(new byte[] {2, 1, 3, 3}, 0, 4)).isTrue();
    int[] symbols = {1, 1, 1, 1, 0, 0, 2, 3};
    int[] lengths = {1, 1, 1, 1, 2, 2, 3, 3};
    for (int bits = 0; bits < 8; bits++) {
      int e = t.lookup(bits);
      assertThat(e >>> 5).as("symbol for %s", Integer.toBinaryString(bits))
          .isEqualTo(symbols[bits]);
      assertThat(e & 31).isEqualTo(lengths[bits]);
    }
  }

  @Test
  void longCodesWithManySubtables() {
    // 16 symbols of length 5 and 16 of length 5 again: a complete code of 32 five-bit codewords
    HuffmanTable t = new HuffmanTable(32, 3, 5);
    byte[] lens = new byte[32];
    java.util.Arrays.fill(lens, (byte) 5);
    assertThat(t.build(lens, 0, 32)).isTrue();
    for (int bits = 0; bits < 32; bits++) {
      assertThat(t.lookup(bits)).isEqualTo((bits << 5) | 5);
    }
  }

  @Test
  void overSubscribedAndTooLongAreRejectedIncompleteLeavesHoles() {
    HuffmanTable t = new HuffmanTable(8, 4, 7);
    assertThat(t.build(new byte[] {1, 1, 1}, 0, 3)).isFalse();
    assertThat(t.build(new byte[] {8, 1}, 0, 2)).isFalse();
    assertThat(t.build(new byte[] {1, 0, 0}, 0, 3)).isTrue();
    assertThat(t.lookup(0b0000000) >>> 5).isZero();
    assertThat(t.lookup(0b1000000)).isZero();
    assertThat(t.build(new byte[8], 0, 8)).isTrue();
    assertThat(t.lookup(0)).isZero();
  }
}
