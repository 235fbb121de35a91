package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Parsing rules, hand ordering cases and seeded properties of {@link DebVersion}. */
class DebVersionTest {

  @Test
  void splitsEpochUpstreamAndRevisionAsDpkg() {
    DebVersion v = DebVersion.parse("1:2.3-4-5");
    assertEquals(1, v.epoch());
    assertEquals("2.3-4", v.upstream()); // the last hyphen splits the revision
    assertEquals("5", v.revision());
    DebVersion w = DebVersion.parse("2:1:0"); // the first colon ends the epoch
    assertEquals(2, w.epoch());
    assertEquals("1:0", w.upstream());
    assertEquals("", w.revision());
    assertEquals("1.0", DebVersion.parse(" \t1.0 ").toString());
    assertEquals("0:1.0", DebVersion.parse("0:1.0").toString());
    assertNull(DebVersion.parse("1.0+dfsg-1~bpo12+1").warning());
    assertEquals("version number does not start with digit", DebVersion.parse("a1").warning());
  }

  @Test
  void rejectsWithDpkgsReasons() {
    String[][] bad = {
      {"", "version string is empty"}, {"  ", "version string is empty"},
      {"1 .0", "embedded spaces"}, {":1", "epoch in version is empty"},
      {"x:1", "epoch in version is empty"}, {"1x:1", "epoch in version is not number"},
      {"-1:1", "epoch in version is negative"}, {"2147483648:1", "epoch in version is too big"},
      {"99999999999999999999999:1", "too big"}, {"1:", "nothing after colon"},
      {"1.0-", "revision number is empty"}, {"-1", "version number is empty"},
      {"1:-1", "version number is empty"},
    };
    for (String[] b : bad) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DebVersion.parse(b[0]), b[0]);
      assertTrue(e.getMessage().contains(b[1]), e.getMessage());
    }
    assertEquals(2147483647L, DebVersion.parse("2147483647:1").epoch());
    assertEquals(1, DebVersion.parse("+1:1").epoch()); // strtol takes a sign
    assertEquals(0, DebVersion.parse("-0:1").epoch());
  }

  @Test
  void ordersAsDpkg() {
    // each strictly below the next
    String[] ascending = {"1.0~~", "1.0~~a", "1.0~", "1.0~rc1", "1.0", "1.0-0.1", "1.0-1~bpo1",
        "1.0-1", "1.0-1+b1", "1.0-1.1", "1.0a", "1.0z", "1.0+", "1.0.", "1.0.1", "1.1",
        "1.99999999999999999999999999", "1.100000000000000000000000000", "2", "1:0", "2:0~"};
    for (int i = 0; i + 1 < ascending.length; i++) {
      assertTrue(DebVersion.compare(ascending[i], ascending[i + 1]) < 0,
          ascending[i] + " < " + ascending[i + 1]);
      assertTrue(DebVersion.compare(ascending[i + 1], ascending[i]) > 0);
    }
    String[][] equal = {{"1.0", "1.00"}, {"0:1.0", "1.0"}, {"1.0", "1.0-0"}, {"1.0", "1."},
        {"1.007", "1.7"}, {"1.0-00", "1.0"}, {"01", "1"}};
    for (String[] e : equal) {
      DebVersion a = DebVersion.parse(e[0]);
      DebVersion b = DebVersion.parse(e[1]);
      assertEquals(0, a.compareTo(b), e[0] + " = " + e[1]);
      assertEquals(a, b);
      assertEquals(a.hashCode(), b.hashCode());
      assertEquals(e[0], a.toString()); // the text as written is kept
    }
    assertTrue(DebVersion.compare("a", "0a") > 0); // a leading zero run is still a digit run
  }

  @Test
  void satisfiesEveryOperator() {
    DebVersion one = DebVersion.parse("1.0");
    DebVersion two = DebVersion.parse("2.0");
    assertTrue(DebVersion.satisfies(one, "<<", two));
    assertTrue(DebVersion.satisfies(one, "<=", one));
    assertTrue(DebVersion.satisfies(one, "<", one)); // obsolete '<' is '<='
    assertTrue(DebVersion.satisfies(two, ">", two)); // obsolete '>' is '>='
    assertTrue(DebVersion.satisfies(two, ">>", one));
    assertTrue(DebVersion.satisfies(one, "=", DebVersion.parse("1.00")));
    assertThrows(IllegalArgumentException.class, () -> DebVersion.satisfies(one, "!=", two));
  }

  /** Random versions built from the characters that matter to the ordering. */
  static String randomVersion(Random r) {
    StringBuilder sb = new StringBuilder();
    if (r.nextInt(5) == 0) {
      sb.append(r.nextInt(3)).append(':');
    }
    sb.append(r.nextInt(20));
    String alphabet = "0123456789009.~+a-zZ~~..";
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    String s = sb.toString();
    while (s.endsWith("-")) {
      s = s + r.nextInt(3);
    }
    return s;
  }

  /** The same version written differently: leading zeros, a zero epoch, a zero revision. */
  static String equalVariant(String v, Random r) {
    DebVersion d = DebVersion.parse(v);
    StringBuilder sb = new StringBuilder();
    if (d.epoch() != 0 || r.nextBoolean()) {
      sb.append("0".repeat(r.nextInt(2))).append(d.epoch()).append(':');
    }
    sb.append(d.upstream().replaceAll("(?<![0-9])([0-9])", "0$1"));
    if (!d.revision().isEmpty()) {
      sb.append('-').append(d.revision());
    } else if (r.nextBoolean() && !d.upstream().contains("-")) {
      sb.append("-0");
    }
    return sb.toString();
  }

  @Test
  void orderingIsATotalOrderConsistentWithEqualsAndHashCode() {
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("DebVersionTest seed " + seed);
    Random r = new Random(seed);
    List<DebVersion> vs = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      DebVersion v = DebVersion.tryParse(randomVersion(r));
      assertNotNull(v);
      vs.add(v);
      String variant = equalVariant(v.toString(), r);
      DebVersion w = DebVersion.parse(variant);
      assertEquals(0, v.compareTo(w), v + " vs " + variant + " (seed " + seed + ")");
      assertEquals(v.hashCode(), w.hashCode(), v + " vs " + variant + " (seed " + seed + ")");
    }
    for (DebVersion a : vs) {
      for (DebVersion b : vs) {
        int ab = Integer.signum(a.compareTo(b));
        assertEquals(-ab, Integer.signum(b.compareTo(a)));
        assertEquals(ab == 0, a.equals(b));
        if (ab == 0) {
          assertEquals(a.hashCode(), b.hashCode(), a + " = " + b);
        }
      }
    }
    List<DebVersion> sorted = new ArrayList<>(vs);
    sorted.sort(null);
    for (int i = 0; i < sorted.size(); i++) {
      for (int j = i + 1; j < sorted.size(); j++) {
        assertTrue(sorted.get(i).compareTo(sorted.get(j)) <= 0, "transitivity, seed " + seed);
      }
    }
  }
}
