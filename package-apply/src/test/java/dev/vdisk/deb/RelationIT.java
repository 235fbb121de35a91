package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every relationship field of the real bookworm index parses, and its canonical form equals what
 * dpkg-dev's {@code Dpkg::Deps} ({@code deps_parse(...)->output}) makes of the same text.
 */
class RelationIT {
  private static final Set<String> FIELDS = Set.of("Depends", "Pre-Depends", "Conflicts",
      "Breaks", "Provides", "Replaces", "Recommends", "Suggests", "Enhances", "Built-Using");

  @Test
  void everyIndexFieldParsesAsDpkgDepsParsesIt() throws Exception {
    Oracles.require("perl", "perl");
    // dpkg's Perl implementation (Debian package libdpkg-perl, which dpkg-dev depends on)
    Oracles.requireFile(Path.of("/usr/share/perl5/Dpkg/Deps.pm"), "libdpkg-perl");
    Set<String> values = new LinkedHashSet<>();
    for (Map<String, String> p : BookwormIndex.read(FIELDS)) {
      for (Map.Entry<String, String> e : p.entrySet()) {
        values.add(e.getValue().replace('\n', ' '));
      }
    }
    assertTrue(values.size() > 10_000, "only " + values.size() + " distinct fields");
    List<String> texts = new ArrayList<>(values);
    List<String> ours = new ArrayList<>(texts.size());
    int groups = 0;
    for (String t : texts) {
      List<List<Relation>> parsed = Relation.parseField(t);
      groups += parsed.size();
      ours.add(Relation.formatField(parsed));
    }
    Path in = Files.createTempFile("vdisk-relations", ".txt");
    try {
      Files.write(in, texts, StandardCharsets.UTF_8);
      String out = Oracles.runOk("perl", "-MDpkg::Deps", "-ne",
          "chomp; my $d = deps_parse($_); print defined $d ? $d->output() : '<error>', \"\\n\";",
          in.toString());
      String[] theirs = out.split("\n", -1);
      assertEquals(texts.size() + 1, theirs.length); // the final newline
      for (int i = 0; i < texts.size(); i++) {
        assertEquals(theirs[i], ours.get(i), "field: " + texts.get(i));
      }
    } finally {
      Files.deleteIfExists(in);
    }
    System.out.println("RelationIT: " + texts.size() + " distinct fields (" + groups
        + " groups) agree with Dpkg::Deps");
  }
}
