package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Arbitrary text into {@link DebVersion#parse}/{@link DebVersion#compareTo} and {@link
 * Relation#parseField}: only {@link IllegalArgumentException} for bad input, and what parses
 * behaves (ordering antisymmetric and reflexive, equal versions hash alike, a parsed field
 * written canonically parses back to the same relations). The seeds in {@code
 * DebFuzzTestInputs/} (made by {@code testdata/scripts/make-deb-fuzz-seeds.sh} from the bookworm
 * index) run as a regression test in every build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class DebFuzzTest {

  @FuzzTest(maxDuration = "1m")
  void version(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int nl = text.indexOf('\n');
    String a = nl < 0 ? text : text.substring(0, nl);
    String b = nl < 0 ? text : text.substring(nl + 1);
    DebVersion va = DebVersion.tryParse(a);
    DebVersion vb = DebVersion.tryParse(b);
    if (va != null) {
      assertEquals(0, va.compareTo(va));
      assertEquals(va, DebVersion.parse(va.toString()));
      assertFalse(va.upstream().isEmpty());
      assertTrue(va.epoch() >= 0 && va.epoch() <= Integer.MAX_VALUE);
    }
    if (va != null && vb != null) {
      int ab = Integer.signum(va.compareTo(vb));
      assertEquals(-ab, Integer.signum(vb.compareTo(va)));
      assertEquals(ab == 0, va.equals(vb));
      if (ab == 0) {
        assertEquals(va.hashCode(), vb.hashCode());
      }
    }
  }

  @FuzzTest(maxDuration = "1m")
  void relation(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    List<List<Relation>> groups;
    try {
      groups = Relation.parseField(text);
    } catch (IllegalArgumentException expected) {
      return;
    }
    String canonical = Relation.formatField(groups);
    assertEquals(groups, Relation.parseField(canonical));
    for (List<Relation> g : groups) {
      assertFalse(g.isEmpty());
      for (Relation r : g) {
        assertFalse(r.name().isEmpty());
        if (r.version() != null) {
          DebVersion.parse(r.version());
        }
      }
    }
  }
}
