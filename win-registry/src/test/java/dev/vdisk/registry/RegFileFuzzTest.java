package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;

/**
 * Jazzer fuzz test of the {@code .reg} parser on arbitrary bytes: every failure must be a typed
 * {@link CorruptStructureException} naming a line; a parsed file has records with non-empty key
 * paths and line numbers inside the text. The seed corpus (small .reg files in every encoding and
 * syntax form) runs as a regression test in {@code mvn verify}.
 */
class RegFileFuzzTest {

  @FuzzTest(maxDuration = "1m")
  void parse(byte[] input) {
    try {
      RegFile f = RegFile.parse(input, "fuzz.reg");
      int lines = 1;
      for (byte b : input) {
        if (b == '\n' || b == '\r') {
          lines++;
        }
      }
      for (RegFile.Record r : f.records()) {
        assertThat(r.keyPath()).isNotEmpty();
        assertThat(r.line()).isBetween(1, lines);
      }
    } catch (CorruptStructureException expected) {
      assertThat(expected.offset()).isPositive();
    }
  }
}
