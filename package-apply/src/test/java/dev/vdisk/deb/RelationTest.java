package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Syntax cases of {@link Relation#parseField} and a seeded canonical-form round trip. */
class RelationTest {

  @Test
  void parsesGroupsAlternativesQualifiersVersionsAndArchitectures() {
    List<List<Relation>> f = Relation.parseField(
        "libc6 (>= 2.36), python3:any (>=3.11~)| python3.11:amd64,\n foo ( << 1:2-3 ) [amd64 !i386]");
    assertEquals(3, f.size());
    assertEquals(new Relation("libc6", null, ">=", "2.36", List.of()), f.get(0).get(0));
    assertEquals(new Relation("python3", "any", ">=", "3.11~", List.of()), f.get(1).get(0));
    assertEquals(new Relation("python3.11", "amd64", null, null, List.of()), f.get(1).get(1));
    assertEquals(new Relation("foo", null, "<<", "1:2-3", List.of("amd64", "!i386")),
        f.get(2).get(0));
    assertEquals("libc6 (>= 2.36), python3:any (>= 3.11~) | python3.11:amd64, "
        + "foo (<< 1:2-3) [amd64 !i386]", Relation.formatField(f));
  }

  @Test
  void readsObsoleteAndImplicitOperatorsAsDpkg() {
    assertEquals("<=", Relation.parseField("a (< 1)").get(0).get(0).op());
    assertEquals(">=", Relation.parseField("a (>1)").get(0).get(0).op());
    assertEquals("=", Relation.parseField("a (1.0)").get(0).get(0).op());
    assertEquals("<<", Relation.parseField("a(<<1)").get(0).get(0).op());
  }

  @Test
  void toleratesBuildProfilesAndEmptyFields() {
    assertEquals(List.of(), Relation.parseField(""));
    assertEquals(List.of(), Relation.parseField(" \n "));
    List<List<Relation>> f = Relation.parseField("a <!nocheck> <stage1 cross>, b [linux-any] <!x>");
    assertEquals("a, b [linux-any]", Relation.formatField(f));
  }

  @Test
  void rejectsMalformedFieldsNamingTextAndPosition() {
    String[][] bad = {
      {"a, , b", "3", "missing package name"}, {"a,", "2", "missing package name"},
      {"a |", "3", "missing package name"}, {"a (<> 1)", "3", "bad version relationship"},
      {"a (>= 1", "7", "unterminated"}, {"a (>= 1 2)", "8", "instead of ')'"},
      {"a (>= )", "6", "empty"}, {"a (>= 1:)", "6", "nothing after colon"},
      {"a b", "2", "syntax error after the reference to 'a'"}, {"a:", "2", "architecture"},
      {"a:x_y", "2", "invalid architecture qualifier"}, {"-a", "0", "invalid package name"},
      {"a [amd64", "2", "not closed"}, {"a []", "2", "empty architecture list"},
      {"a <>", "2", "empty build profile"}, {"a [am@d]", "3", "invalid architecture"},
      {"a (= 1) (= 2)", "8", "syntax error"},
    };
    for (String[] b : bad) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Relation.parseField(b[0]), b[0]);
      assertTrue(e.getMessage().contains("'" + b[0] + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("position " + b[1] + ":"), e.getMessage());
      assertTrue(e.getMessage().contains(b[2]), e.getMessage());
    }
  }

  @Test
  void versionSatisfaction() {
    Relation r = Relation.parseField("a (>= 1.0~)").get(0).get(0);
    assertTrue(r.versionSatisfiedBy(DebVersion.parse("1.0~rc1")));
    assertTrue(!r.versionSatisfiedBy(DebVersion.parse("0.9")));
    assertTrue(Relation.parseField("a").get(0).get(0).versionSatisfiedBy(
        DebVersion.parse("0")));
  }

  @Test
  void canonicalFormParsesBackToTheSameRelations() {
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("RelationTest seed " + seed);
    Random r = new Random(seed);
    String[] ops = {"<<", "<=", "=", ">=", ">>", "<", ">", ""};
    String[] spaces = {"", " ", "  ", "\n ", "\t"};
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      int groups = 1 + r.nextInt(4);
      for (int g = 0; g < groups; g++) {
        if (g > 0) {
          sb.append(spaces[r.nextInt(spaces.length)]).append(',')
              .append(spaces[r.nextInt(spaces.length)]);
        }
        int alts = 1 + r.nextInt(3);
        for (int a = 0; a < alts; a++) {
          if (a > 0) {
            sb.append(spaces[r.nextInt(spaces.length)]).append('|')
                .append(spaces[r.nextInt(spaces.length)]);
          }
          sb.append("p").append(r.nextInt(50)).append(r.nextBoolean() ? "-dev" : "+x.y");
          if (r.nextInt(4) == 0) {
            sb.append(':').append(new String[] {"any", "native", "i386"}[r.nextInt(3)]);
          }
          if (r.nextBoolean()) {
            sb.append(spaces[r.nextInt(spaces.length)]).append('(')
                .append(spaces[r.nextInt(spaces.length)]).append(ops[r.nextInt(ops.length)])
                .append(spaces[r.nextInt(spaces.length)])
                .append(DebVersionTest.randomVersion(r)).append(spaces[r.nextInt(spaces.length)])
                .append(')');
          }
          if (r.nextInt(5) == 0) {
            sb.append(" [").append(r.nextBoolean() ? "!" : "").append("amd64 arm64]");
          }
        }
      }
      String text = sb.toString();
      List<List<Relation>> parsed = Relation.parseField(text);
      assertEquals(groups, parsed.size(), text);
      String canonical = Relation.formatField(parsed);
      assertEquals(parsed, Relation.parseField(canonical), text + " (seed " + seed + ")");
      assertEquals(canonical, Relation.formatField(Relation.parseField(canonical)));
    }
  }
}
