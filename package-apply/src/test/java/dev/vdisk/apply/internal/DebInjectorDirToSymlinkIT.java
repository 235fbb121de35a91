package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.apply.PackageAction;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.DebootstrapTree;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpkg-maintscript-helper dir_to_symlink} evaluated offline against real dpkg. The
 * packages are {@code testdata/scripts/make-d2s-debs.sh}'s; version 1.0 of both is installed with
 * real {@code dpkg -i} in a copy of the debootstrap tree (the base), and every case works on two
 * {@code cp -a} copies of the base: {@link DebInjector} injects into A, real {@code dpkg
 * --no-triggers --unpack} (in a chroot) unpacks the same file in B. Compared as {@link
 * DebInjectorIT} does: the status file byte for byte, {@code info/}, and the trees; the one
 * timestamp named is the mtime of {@code .dpkg-staging-dir}, which the helper creates at the time
 * of the run (after configure: the mtime of the link the postinst creates).
 * <ul>
 *   <li>The switch: equal after unpack (the directory moved to {@code .dpkg-backup}, a staging
 *       directory left where the archive has the link); then the first-boot script in A and
 *       {@code dpkg --configure -a} in B: equal again, {@code dpkg --audit} and {@code dpkg -V}
 *       empty, the link in place and the backup gone.</li>
 *   <li>A local file in the directory: the helper's ownership check fails the preinst and dpkg
 *       aborts the unpack; we refuse ({@link UnsafeToWriteException}) before writing, and A equals
 *       B (status, info and tree as they were).</li>
 *   <li>A conffile in the directory: the same, through the helper's conffile check.</li>
 *   <li>A real package: Debian's tzdata, whose preinst switches 16 {@code
 *       /usr/share/zoneinfo/posix/AREA} directories to links (guard {@code 2022g-1~}); the base
 *       gets the directories back through {@code make-old-tzdata-deb.sh}'s tzdata 2021a-1
 *       (links removed, then {@code dpkg -i}), then the cached tzdata is injected or unpacked:
 *       equal, and equal again after first boot and {@code dpkg --configure -a}.</li>
 *   <li>Not dir_to_symlink, but the same set-up: a package without an {@code md5sums} member,
 *       for which dpkg writes {@code info/PKG.md5sums} itself (every regular file and hard link,
 *       conffiles included, in archive order, at the time of the run), then its upgrade to a
 *       version with the member.</li>
 *   <li>dpkg's rule the switch relies on, alone: a package (no scripts) whose link lands on an
 *       existing empty directory; dpkg keeps the directory and lists the link's path, and so do
 *       we.</li>
 * </ul>
 */
class DebInjectorDirToSymlinkIT {
  static final String DIR = "/usr/share/vdisk-d2s";
  static final String MARKER = DIR + "/" + HelperEffects.STAGING_MARKER;

  @TempDir static Path work;
  static Path debs;
  static Path base;

  @BeforeAll
  static void setUp() throws Exception {
    Oracles.require("dpkg", "dpkg");
    Oracles.require("chroot", "coreutils");
    Path tree = DebootstrapTree.tree();
    debs = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-d2s-debs.sh").toString(), debs.toString());
    base = work.resolve("base");
    Oracles.runOk("cp", "-a", tree.toString(), base.toString());
    Files.deleteIfExists(base.resolve(".vdisk-complete"));
    dpkgIn(base, "-i", "vdisk-d2s_1.0_all.deb", "vdisk-d2s-conf_1.0_all.deb");
  }

  /** Runs real dpkg in the chroot with the named package files copied in. */
  static Oracles.Result dpkgIn(Path root, String option, String... files) throws IOException {
    Path x = Files.createDirectories(root.resolve("x"));
    List<String> cmd = new java.util.ArrayList<>(List.of("chroot", root.toString(), "dpkg"));
    if (!option.equals("-i")) {
      cmd.add("--no-triggers");
    }
    cmd.add(option);
    for (String f : files) {
      Files.copy(debs.resolve(f), x.resolve(f));
      cmd.add("/x/" + f);
    }
    Oracles.Result r = Oracles.run(cmd.toArray(String[]::new));
    Oracles.runOk("rm", "-rf", x.toString());
    return r;
  }

  static Path copy(String name) throws IOException {
    Path p = work.resolve(name);
    Oracles.runOk("cp", "-a", base.toString(), p.toString());
    return p;
  }

  static List<PackageAction> inject(Path root, String file) throws IOException {
    Path f = debs.resolve(file);
    try (DebArchive d = DebArchive.open(f)) {
      return new DebInjector(root, new InjectOptions(Set.of(), Instant.now(), -1))
          .inject(List.of(d), List.of(f), Map.of());
    }
  }

  /** The tree's description without the time of the named paths (written at the run's time). */
  static Map<String, String> tree(Path root, String... untimed) throws IOException {
    Map<String, String> t = DebInjectorIT.describe(root, false);
    for (String k : untimed) {
      String v = t.get(k);
      if (v != null) {
        t.put(k, v.substring(0, v.lastIndexOf(' ')));
      }
    }
    return t;
  }

  /** Status, info/ and trees equal; paths only in A must be the first-boot unit's. */
  static void assertSameAsDpkg(Path a, Path b, String... untimed) throws IOException {
    assertEquals(Files.readString(b.resolve("var/lib/dpkg/status")),
        Files.readString(a.resolve("var/lib/dpkg/status")));
    Map<String, String> ia = DebInjectorIT.describe(a.resolve("var/lib/dpkg/info"), true);
    Map<String, String> ib = DebInjectorIT.describe(b.resolve("var/lib/dpkg/info"), true);
    for (String k : untimed) {
      if (k.startsWith("/var/lib/dpkg/info/")) {
        String rel = k.substring("/var/lib/dpkg/info".length());
        for (Map<String, String> m : List.of(ia, ib)) {
          String v = m.get(rel);
          if (v != null) {
            m.put(rel, v.substring(0, v.lastIndexOf(' ')));
          }
        }
      }
    }
    assertEquals(ib.keySet(), ia.keySet());
    for (String k : ib.keySet()) {
      assertEquals(ib.get(k), ia.get(k), k);
    }
    Map<String, String> ta = tree(a, untimed);
    Map<String, String> tb = tree(b, untimed);
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

  @Test
  void switchEqualsDpkgsThenFirstBootFinishesIt() throws IOException {
    Path a = copy("switch-A");
    Path b = copy("switch-B");
    List<PackageAction> actions = inject(a, "vdisk-d2s_2.0_all.deb");
    assertEquals(PackageAction.Action.UNPACKED, actions.get(0).action(), actions.toString());
    Oracles.Result r = dpkgIn(b, "--unpack", "vdisk-d2s_2.0_all.deb");
    assertEquals(0, r.exitCode(), r.describe());
    // the state between unpack and configure, as the helper and dpkg leave it
    assertTrue(Files.isDirectory(a.resolve(DIR.substring(1)), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isRegularFile(a.resolve(MARKER.substring(1))));
    assertEquals("a 1.0\n", Files.readString(a.resolve("usr/share/vdisk-d2s.dpkg-backup/a")));
    assertTrue(Files.readAllLines(a.resolve("var/lib/dpkg/info/vdisk-d2s.list")).contains(DIR));
    assertSameAsDpkg(a, b, MARKER);

    Oracles.Result boot = Oracles.run("chroot", a.toString(), FirstBoot.SCRIPT);
    String log = Files.readString(a.resolve(FirstBoot.LOG.substring(1)));
    assertEquals(0, boot.exitCode(), boot.describe() + "\n" + log);
    Oracles.runOk("chroot", b.toString(), "dpkg", "--configure", "-a");
    for (Path root : new Path[] {a, b}) {
      assertEquals("", Oracles.runOk("chroot", root.toString(), "dpkg", "--audit"));
      assertEquals("", Oracles.runOk("chroot", root.toString(), "dpkg", "-V"));
      assertEquals("vdisk-d2s-target",
          Files.readSymbolicLink(root.resolve(DIR.substring(1))).toString());
      assertFalse(Files.exists(root.resolve("usr/share/vdisk-d2s.dpkg-backup"),
          LinkOption.NOFOLLOW_LINKS));
      assertEquals("a 2.0\n", Files.readString(root.resolve(DIR.substring(1) + "/a")));
    }
    assertTrue(Oracles.runOk("chroot", a.toString(), "dpkg-query", "-W", "-f",
        "${Version} ${db:Status-Abbrev}", "vdisk-d2s").startsWith("2.0 ii"));
    assertSameAsDpkg(a, b, DIR);
  }

  @Test
  void localFileRefusedWhereDpkgFailsThePreinst() throws IOException {
    Path a = copy("local-A");
    Path b = copy("local-B");
    for (Path root : new Path[] {a, b}) {
      Path f = Files.writeString(root.resolve(DIR.substring(1) + "/sub/local"), "local\n");
      Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-02-03T04:05:06Z")));
    }
    UnsafeToWriteException e = assertThrows(UnsafeToWriteException.class,
        () -> inject(a, "vdisk-d2s_2.0_all.deb"));
    assertTrue(e.getMessage().contains(DIR + "/sub/local"), e.getMessage());
    Oracles.Result r = dpkgIn(b, "--unpack", "vdisk-d2s_2.0_all.deb");
    assertNotEquals(0, r.exitCode(), r.describe());
    assertTrue(r.stderr().contains("'" + DIR + "/sub/local' not owned"), r.describe());
    assertSameAsDpkg(a, b);
    assertEquals(Files.readString(base.resolve("var/lib/dpkg/status")),
        Files.readString(a.resolve("var/lib/dpkg/status")));
  }

  @Test
  void conffileRefusedWhereDpkgFailsThePreinst() throws IOException {
    Path a = copy("conf-A");
    Path b = copy("conf-B");
    UnsafeToWriteException e = assertThrows(UnsafeToWriteException.class,
        () -> inject(a, "vdisk-d2s-conf_2.0_all.deb"));
    assertTrue(e.getMessage().contains("conffile /etc/vdisk-d2s-conf/x.conf"), e.getMessage());
    Oracles.Result r = dpkgIn(b, "--unpack", "vdisk-d2s-conf_2.0_all.deb");
    assertNotEquals(0, r.exitCode(), r.describe());
    assertTrue(r.stderr().contains("contains conffiles"), r.describe());
    assertSameAsDpkg(a, b);
    Map<String, String> before = new TreeMap<>(DebInjectorIT.describe(base, false));
    assertEquals(before, DebInjectorIT.describe(a, false));
  }

  @Test
  void emptyDirectoryStaysWhereTheArchiveHasALink() throws IOException {
    Path a = copy("empty-A");
    Path b = copy("empty-B");
    for (Path root : new Path[] {a, b}) {
      Files.createDirectory(root.resolve("usr/share/vdisk-d2s-link"));
    }
    List<PackageAction> actions = inject(a, "vdisk-d2s-link_1.0_all.deb");
    assertEquals(PackageAction.Action.UNPACKED, actions.get(0).action(), actions.toString());
    Oracles.Result r = dpkgIn(b, "--unpack", "vdisk-d2s-link_1.0_all.deb");
    assertEquals(0, r.exitCode(), r.describe());
    for (Path root : new Path[] {a, b}) {
      assertTrue(Files.isDirectory(root.resolve("usr/share/vdisk-d2s-link"),
          LinkOption.NOFOLLOW_LINKS));
    }
    assertSameAsDpkg(a, b);
  }

  @Test
  void md5sumsWrittenAsDpkgDoesWhenThePackageHasNone() throws IOException {
    Path a = copy("nomd5-A");
    Path b = copy("nomd5-B");
    String generated = "/var/lib/dpkg/info/vdisk-nomd5.md5sums";
    List<PackageAction> actions = inject(a, "vdisk-nomd5_1.0_all.deb");
    assertEquals(PackageAction.Action.UNPACKED, actions.get(0).action(), actions.toString());
    Oracles.Result r = dpkgIn(b, "--unpack", "vdisk-nomd5_1.0_all.deb");
    assertEquals(0, r.exitCode(), r.describe());
    assertTrue(Files.readString(b.resolve(generated.substring(1)))
        .contains("usr/share/vdisk-nomd5/hard"), "dpkg lists the hard link");
    assertSameAsDpkg(a, b, generated);
    // the upgrade brings an md5sums member: it replaces the generated file
    actions = inject(a, "vdisk-nomd5_2.0_all.deb");
    assertEquals(PackageAction.Action.UNPACKED, actions.get(0).action(), actions.toString());
    r = dpkgIn(b, "--unpack", "vdisk-nomd5_2.0_all.deb");
    assertEquals(0, r.exitCode(), r.describe());
    assertSameAsDpkg(a, b);
    Oracles.runOk("chroot", b.toString(), "dpkg", "--configure", "-a");
    Oracles.runOk("chroot", a.toString(), "dpkg", "--configure", "-a");
    for (Path root : new Path[] {a, b}) {
      assertEquals("", Oracles.runOk("chroot", root.toString(), "dpkg", "--audit"));
      assertEquals("", Oracles.runOk("chroot", root.toString(), "dpkg", "-V", "vdisk-nomd5"));
    }
  }

  @Test
  void tzdataSwitchesItsPosixDirectoriesAsDpkgDoes() throws IOException {
    Path tz = work.resolve("tzdebs");
    Oracles.runOk("bash", ProjectPaths.script("make-old-tzdata-deb.sh").toString(),
        tz.toString());
    String newDeb = Files.readString(tz.resolve("new.txt")).strip();
    Path old = copy("tz-base");
    String preinst = Files.readString(old.resolve("var/lib/dpkg/info/tzdata.preinst"));
    List<String> areas = preinst.lines()
        .filter(l -> l.startsWith("dpkg-maintscript-helper dir_to_symlink /usr/share/zoneinfo/"))
        .map(l -> l.split(" ")[2]).toList();
    assertTrue(areas.size() >= 10, areas.toString());
    for (String d : areas) {
      Files.delete(old.resolve(d.substring(1)));
    }
    Path x = Files.createDirectories(old.resolve("x"));
    Files.copy(tz.resolve("tzdata_2021a-1_all.deb"), x.resolve("old.deb"));
    Oracles.Result r = Oracles.run(null, Map.of("DEBIAN_FRONTEND", "noninteractive"), "chroot",
        old.toString(), "dpkg", "-i", "/x/old.deb");
    assertEquals(0, r.exitCode(), r.describe());
    Oracles.runOk("rm", "-rf", x.toString());
    Path a = work.resolve("tz-A");
    Path b = work.resolve("tz-B");
    Oracles.runOk("cp", "-a", old.toString(), a.toString());
    Oracles.runOk("cp", "-a", old.toString(), b.toString());
    Path f = tz.resolve(newDeb);
    List<PackageAction> actions;
    try (DebArchive d = DebArchive.open(f)) {
      actions = new DebInjector(a, new InjectOptions(Set.of(), Instant.now(), -1))
          .inject(List.of(d), List.of(f), Map.of());
    }
    assertEquals(PackageAction.Action.UNPACKED, actions.get(0).action(), actions.toString());
    x = Files.createDirectories(b.resolve("x"));
    Files.copy(f, x.resolve("new.deb"));
    r = Oracles.run(null, Map.of("DEBIAN_FRONTEND", "noninteractive"), "chroot", b.toString(),
        "dpkg", "--no-triggers", "--unpack", "/x/new.deb");
    assertEquals(0, r.exitCode(), r.describe());
    Oracles.runOk("rm", "-rf", x.toString());
    String[] markers = areas.stream().map(d -> d + "/" + HelperEffects.STAGING_MARKER)
        .toArray(String[]::new);
    for (String m : markers) {
      assertTrue(Files.isRegularFile(a.resolve(m.substring(1))), m);
    }
    assertSameAsDpkg(a, b, markers);

    Oracles.Result boot = Oracles.run("chroot", a.toString(), FirstBoot.SCRIPT);
    assertEquals(0, boot.exitCode(), boot.describe() + "\n"
        + Files.readString(a.resolve(FirstBoot.LOG.substring(1))));
    r = Oracles.run(null, Map.of("DEBIAN_FRONTEND", "noninteractive"), "chroot", b.toString(),
        "dpkg", "--force-confdef", "--force-confold", "--configure", "-a");
    assertEquals(0, r.exitCode(), r.describe());
    for (Path root : new Path[] {a, b}) {
      assertEquals("", Oracles.runOk("chroot", root.toString(), "dpkg", "--audit"));
      assertEquals("", Oracles.runOk("chroot", root.toString(), "dpkg", "-V", "tzdata"));
      for (String d : areas) {
        assertTrue(Files.isSymbolicLink(root.resolve(d.substring(1))), d);
        assertFalse(Files.exists(root.resolve(d.substring(1) + ".dpkg-backup"),
            LinkOption.NOFOLLOW_LINKS), d);
      }
    }
    // written at configure time: the links (by the postinst), /etc/timezone and debconf's
    // databases (rewritten with the same content)
    List<String> untimed = new java.util.ArrayList<>(areas);
    untimed.add("/etc/timezone");
    try (var s = Files.list(b.resolve("var/cache/debconf"))) {
      s.forEach(p -> untimed.add("/var/cache/debconf/" + p.getFileName()));
    }
    assertSameAsDpkg(a, b, untimed.toArray(String[]::new));
  }
}
