package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.apply.PackageAction;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.DebootstrapTree;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every package of the debootstrap tree rebuilt one version newer ({@code
 * make-all-newer-debs.sh}) and injected into a copy of the tree; real {@code dpkg --no-triggers
 * --unpack} of the same packages that DebInjector unpacked (not the staged ones) in another copy.
 * Status, {@code info/} and file trees compared as in {@link DebInjectorIT}; at least half of
 * the packages must be unpacked rather than staged.
 */
class DebInjectorAllPackagesIT {
  @TempDir Path work;

  @Test
  void everyPackageOfTheTree() throws Exception {
    Oracles.require("dpkg", "dpkg");
    Path tree = DebootstrapTree.tree();
    Path out = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-all-newer-debs.sh").toString(),
        out.toString());
    List<Path> debs = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("packages.txt"))) {
      debs.add(out.resolve(line.strip()));
    }
    Path a = work.resolve("A");
    Path b = work.resolve("B");
    Oracles.runOk("cp", "-a", tree.toString(), a.toString());
    Files.deleteIfExists(a.resolve(".vdisk-complete"));
    Oracles.runOk("cp", "-a", a.toString(), b.toString());
    List<DebArchive> archives = new ArrayList<>();
    for (Path d : debs) {
      archives.add(DebArchive.open(d));
    }
    List<PackageAction> actions = new DebInjector(a, new InjectOptions(Set.of(), Instant.now(),
        -1)).inject(archives, debs, Map.of());
    Path x = Files.createDirectories(b.resolve("x"));
    List<String> cmd = new ArrayList<>(List.of("chroot", b.toString(), "dpkg", "--no-triggers",
        "--unpack"));
    int unpacked = 0;
    for (int i = 0; i < debs.size(); i++) {
      if (actions.get(i).action() == PackageAction.Action.UNPACKED) {
        Files.copy(debs.get(i), x.resolve(debs.get(i).getFileName()));
        cmd.add("/x/" + debs.get(i).getFileName());
        unpacked++;
      }
    }
    assertTrue(unpacked * 2 >= debs.size(), unpacked + " of " + debs.size() + " unpacked");
    Oracles.runOk(cmd.toArray(String[]::new));
    Oracles.runOk("rm", "-rf", x.toString());
    assertEquals(Files.readString(b.resolve("var/lib/dpkg/status")),
        Files.readString(a.resolve("var/lib/dpkg/status")));
    Map<String, String> ia = DebInjectorIT.describe(a.resolve("var/lib/dpkg/info"), true);
    Map<String, String> ib = DebInjectorIT.describe(b.resolve("var/lib/dpkg/info"), true);
    assertEquals(ib.keySet(), ia.keySet());
    for (String k : ib.keySet()) {
      assertEquals(ib.get(k), ia.get(k), k);
    }
    Map<String, String> ta = DebInjectorIT.describe(a, false);
    Map<String, String> tb = DebInjectorIT.describe(b, false);
    for (String k : tb.keySet()) {
      assertEquals(tb.get(k), ta.get(k), k);
    }
    for (String k : ta.keySet()) {
      if (!tb.containsKey(k)) {
        assertTrue(k.startsWith("/var/lib/vdisk") || k.startsWith("/etc/rc")
            || k.contains("vdisk-firstboot"), "only in A: " + k);
      }
    }
  }
}
