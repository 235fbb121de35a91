package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.apply.PackageAction;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
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
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DebInjector through vdisk's own ext4 driver: the debootstrap tree as an ext4 image ({@code
 * make-debian-ext4.sh}) opened writable with {@link VdiskFileSystems}, the packages of {@code
 * make-newer-debs.sh} injected into it, the image checked by {@code e2fsck -fn} and
 * loop-mounted read-only; its status, {@code info/} and file tree are compared with a copy of the
 * tree where real {@code dpkg --no-triggers --unpack} unpacked the same packages, as in {@link
 * DebInjectorIT} (times to the second: {@code mke2fs -d} drops the tree's nanoseconds).
 */
class DebInjectorExt4IT {
  @TempDir Path work;

  @Test
  void injectIntoExt4EqualsDpkg() throws Exception {
    Oracles.require("dpkg", "dpkg");
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("loop mount");
    Path tree = DebootstrapTree.tree();
    Path out = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-newer-debs.sh").toString(), out.toString());
    List<Path> debs = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("packages.txt"))) {
      debs.add(out.resolve(line.strip()));
    }
    Path img = work.resolve("debian.img");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-ext4.sh").toString(), img.toString(),
        "1G");
    List<DebArchive> archives = new ArrayList<>();
    for (Path d : debs) {
      archives.add(DebArchive.open(d));
    }
    List<PackageAction> actions;
    try (VdiskFileSystem fs = VdiskFileSystems.open(img, OptionalInt.empty(),
        MountOptions.writable())) {
      actions = new DebInjector(fs.getPath("/"), new InjectOptions(Set.of(), Instant.now(), -1))
          .inject(archives, debs, Map.of());
    }
    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", img.toString());
    assertEquals(0, fsck.exitCode(), fsck.describe());

    Path b = work.resolve("B");
    Oracles.runOk("cp", "-a", tree.toString(), b.toString());
    Files.deleteIfExists(b.resolve(".vdisk-complete"));
    Path x = Files.createDirectories(b.resolve("x"));
    List<String> cmd = new ArrayList<>(List.of("chroot", b.toString(), "dpkg", "--no-triggers",
        "--unpack"));
    for (int i = 0; i < debs.size(); i++) {
      if (actions.get(i).action() == PackageAction.Action.UNPACKED) {
        Files.copy(debs.get(i), x.resolve(debs.get(i).getFileName()));
        cmd.add("/x/" + debs.get(i).getFileName());
      }
    }
    Oracles.runOk(cmd.toArray(String[]::new));
    Oracles.runOk("rm", "-rf", x.toString());

    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", img.toString(), mnt.toString());
    try {
      assertEquals(Files.readString(b.resolve("var/lib/dpkg/status")),
          Files.readString(mnt.resolve("var/lib/dpkg/status")));
      Map<String, String> ia = seconds(DebInjectorIT.describe(mnt.resolve("var/lib/dpkg/info"),
          true));
      Map<String, String> ib = seconds(DebInjectorIT.describe(b.resolve("var/lib/dpkg/info"),
          true));
      assertEquals(ib.keySet(), ia.keySet());
      for (String k : ib.keySet()) {
        assertEquals(ib.get(k), ia.get(k), k);
      }
      Map<String, String> ta = seconds(DebInjectorIT.describe(mnt, false));
      Map<String, String> tb = seconds(DebInjectorIT.describe(b, false));
      for (String k : tb.keySet()) {
        assertEquals(tb.get(k), ta.get(k), k);
      }
      for (String k : ta.keySet()) {
        if (!tb.containsKey(k)) {
          assertTrue(k.startsWith("/var/lib/vdisk") || k.startsWith("/etc/rc")
              || k.contains("vdisk-firstboot") || k.startsWith("/lost+found"), "only in A: " + k);
        }
      }
    } finally {
      Oracles.run("umount", mnt.toString());
    }
  }

  /** mke2fs -d keeps whole seconds of the tree's times: compare to the second. */
  static Map<String, String> seconds(Map<String, String> m) {
    Map<String, String> out = new java.util.TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.replaceAll("(\\d{2}:\\d{2}:\\d{2})\\.\\d+Z", "$1Z")));
    return out;
  }
}
