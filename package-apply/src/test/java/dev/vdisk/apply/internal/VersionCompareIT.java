package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.deb.DebootstrapTree;
import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The maintscript-helper guard comparison ({@link VersionCompare}) against {@code dpkg
 * --compare-versions} on seeded random pairs: the versions of the debootstrap tree's status and
 * mutations of them (a tilde, a plus, a digit run changed, an epoch, a revision dropped).
 */
class VersionCompareIT {
  @Test
  void agreesWithDpkg() throws Exception {
    Oracles.require("dpkg", "dpkg");
    List<String> versions = new ArrayList<>();
    String status = Files.readString(DebootstrapTree.tree().resolve("var/lib/dpkg/status"));
    for (ControlParagraph p : ControlParagraph.parseAll(status, "status")) {
      versions.add(p.get("Version"));
    }
    long seed = System.nanoTime();
    System.out.println("VersionCompareIT seed " + seed);
    Random r = new Random(seed);
    String[] suffixes = {"~", "~~", "+b1", ".1", "a", "-1", "+deb12u1", "~rc1", "0", ""};
    List<String[]> pairs = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      String a = mutate(versions.get(r.nextInt(versions.size())), r, suffixes);
      String b = r.nextInt(3) == 0 ? mutate(a, r, suffixes)
          : mutate(versions.get(r.nextInt(versions.size())), r, suffixes);
      pairs.add(new String[] {a, b});
    }
    StringBuilder in = new StringBuilder();
    for (String[] p : pairs) {
      in.append(p[0]).append(' ').append(p[1]).append('\n');
    }
    Oracles.Result res = Oracles.run(in.toString().getBytes(StandardCharsets.UTF_8), Map.of(),
        "bash", "-c", "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then"
            + " echo -1; elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0;"
            + " else echo 1; fi; done");
    String[] out = res.stdout().split("\n");
    assertEquals(pairs.size(), out.length, res.describe());
    for (int i = 0; i < pairs.size(); i++) {
      assertEquals(Integer.parseInt(out[i]),
          Integer.signum(VersionCompare.compare(pairs.get(i)[0], pairs.get(i)[1])),
          pairs.get(i)[0] + " vs " + pairs.get(i)[1] + " (seed " + seed + ")");
    }
  }

  private static String mutate(String v, Random r, String[] suffixes) {
    switch (r.nextInt(5)) {
      case 0:
        return v + suffixes[r.nextInt(suffixes.length)];
      case 1:
        return v.replaceFirst("[0-9]+", String.valueOf(r.nextInt(20)));
      case 2:
        return v.contains(":") ? v : r.nextInt(3) + ":" + v;
      case 3:
        return v.contains("-") && !v.endsWith("-") ? v.substring(0, v.lastIndexOf('-')) : v;
      default:
        return v;
    }
  }
}
