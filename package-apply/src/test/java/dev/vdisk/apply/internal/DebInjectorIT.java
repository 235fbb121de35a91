package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.apply.PackageAction;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.DebootstrapTree;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledPackage;
import dev.vdisk.inspect.internal.linux.LinuxInspector;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance point at directory level. Two copies of the debootstrap tree (cp -a), with the
 * same admin change to two conffiles, a local diversion ({@code dpkg-divert}) of a file the new
 * login changes and a stat override ({@code dpkg-statoverride}) of a file new in base-files: in A, {@link DebInjector} injects the packages {@code
 * testdata/scripts/make-newer-debs.sh} builds; in B, real {@code dpkg --no-triggers --unpack}
 * (in a chroot) unpacks those A unpacked (the staged ones are installed at first boot instead).
 * Compared: the status file byte for byte, every {@code info/} file (bytes, mode; mtime except
 * for the {@code .list} files dpkg writes at unpack time), and every other file of the trees
 * (type, mode, owner, group, link target, content, mtime of files and links; not directory
 * mtimes, nor those of {@code /var/lib/dpkg/triggers/*}, rewritten at the time of the run). Not compared: {@code status-old} (dpkg keeps its last intermediate checkpoint, we
 * the status before the run), {@code /var/log/dpkg.log}, dpkg's lock files, the first-boot files
 * and staged packages (only A has them). Then in A the first-boot script runs in a chroot:
 * {@code dpkg --configure -a} and the staged installs succeed, {@code dpkg --audit} is empty,
 * {@code dpkg -V} reports only the two admin-modified conffiles, {@code dpkg-query -W} shows every
 * new version, and the script has removed its start links.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebInjectorIT {
  @TempDir static Path work;
  static Path a;
  static Path b;
  static List<Path> debs = new ArrayList<>();
  static List<PackageAction> actions;

  @BeforeAll
  static void setUp() throws Exception {
    Oracles.require("dpkg", "dpkg");
    Oracles.require("chroot", "coreutils");
    Path tree = DebootstrapTree.tree();
    Path out = work.resolve("debs");
    Oracles.runOk("bash", ProjectPaths.script("make-newer-debs.sh").toString(), out.toString());
    for (String line : Files.readAllLines(out.resolve("packages.txt"))) {
      if (!line.isBlank()) {
        debs.add(out.resolve(line.strip()));
      }
    }
    a = work.resolve("A");
    b = work.resolve("B");
    for (Path copy : new Path[] {a}) {
      Oracles.runOk("cp", "-a", tree.toString(), copy.toString());
      Files.deleteIfExists(copy.resolve(".vdisk-complete"));
      Files.writeString(copy.resolve("etc/issue"), "admin change\n",
          java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(copy.resolve("etc/login.defs"), "# admin change\n",
          java.nio.file.StandardOpenOption.APPEND);
      // a local diversion of a file the new login changes, a stat override of a new file
      Oracles.runOk("chroot", copy.toString(), "dpkg-divert", "--local", "--rename", "--divert",
          "/usr/share/doc/login/copyright.local", "--add", "/usr/share/doc/login/copyright");
      Oracles.runOk("chroot", copy.toString(), "dpkg-statoverride", "--add", "nobody",
          "nogroup", "0640", "/usr/share/doc/base-files/vdisk-new.txt");
      for (String f : new String[] {"etc/issue", "etc/login.defs"}) {
        Files.setLastModifiedTime(copy.resolve(f),
            java.nio.file.attribute.FileTime.from(Instant.parse("2026-02-03T04:05:06Z")));
      }
    }
    Oracles.runOk("cp", "-a", a.toString(), b.toString());
    List<DebArchive> archives = new ArrayList<>();
    for (Path d : debs) {
      archives.add(DebArchive.open(d));
    }
    actions = new DebInjector(a, new InjectOptions(Set.of(), Instant.now(), -1))
        .inject(archives, debs, Map.of());
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
  }

  @Test
  @Order(1)
  void decisions() {
    Map<String, PackageAction.Action> got = new TreeMap<>();
    for (PackageAction p : actions) {
      got.put(p.name(), p.action());
    }
    // bash's prerm runs update-alternatives and usr-is-merged's preinst is a shell program
    assertEquals(PackageAction.Action.STAGED, got.get("bash"));
    assertEquals(PackageAction.Action.STAGED, got.get("usr-is-merged"));
    for (String n : List.of("libzstd1", "vdisk-fresh", "base-files", "login",
        "debian-archive-keyring")) {
      assertEquals(PackageAction.Action.UNPACKED, got.get(n), n);
    }
    List<String> kept = new ArrayList<>();
    actions.forEach(p -> kept.addAll(p.conffilesKept()));
    // /etc/issue: changed by the admin only; /etc/login.defs: by the admin and the new login
    assertEquals(List.of("/etc/login.defs"), kept);
  }

  @Test
  @Order(2)
  void statusEqualsDpkgs() throws IOException {
    assertEquals(Files.readString(b.resolve("var/lib/dpkg/status")),
        Files.readString(a.resolve("var/lib/dpkg/status")));
  }

  @Test
  @Order(3)
  void infoEqualsDpkgs() throws IOException {
    Map<String, String> ia = describe(a.resolve("var/lib/dpkg/info"), true);
    Map<String, String> ib = describe(b.resolve("var/lib/dpkg/info"), true);
    assertEquals(ib.keySet(), ia.keySet());
    for (String k : ib.keySet()) {
      assertEquals(ib.get(k), ia.get(k), k);
    }
  }

  @Test
  @Order(4)
  void treesEqualDpkgs() throws IOException {
    Map<String, String> ta = describe(a, false);
    Map<String, String> tb = describe(b, false);
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
  @Order(5)
  void inspectReportsPendingReboot() throws IOException {
    GuestRoot r = LinuxInspector.inspect(GuestFiles.of(a), 0, Map.of(), List.of());
    assertEquals(2, r.pendingReboot().size(), r.pendingReboot().toString());
    for (int i = 0; i < debs.size(); i++) {
      try (DebArchive deb = DebArchive.open(debs.get(i))) {
        boolean found = false;
        for (InstalledPackage p : r.packages()) {
          if (p.name().equals(deb.name()) && p.version().equals(deb.version())) {
            assertEquals("install ok installed-pending-reboot", p.status(), p.toString());
            assertFalse(p.installed());
            found = true;
          }
        }
        assertTrue(found, deb.name() + " " + deb.version() + " reported");
      }
    }
  }

  @Test
  @Order(6)
  void firstBootConfiguresEverything() throws IOException {
    Oracles.Result r = Oracles.run("chroot", a.toString(), FirstBoot.SCRIPT);
    String log = Files.readString(a.resolve(FirstBoot.LOG.substring(1)));
    assertEquals(0, r.exitCode(), r.describe() + "\n" + log);
    assertTrue(log.contains("done, disabled"), log);
    assertFalse(Files.exists(a.resolve(FirstBoot.WANTS.substring(1)), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(a.resolve("etc/rc2.d/S01vdisk-firstboot"),
        LinkOption.NOFOLLOW_LINKS));
    try (Stream<Path> s = Files.list(a.resolve("var/lib/vdisk/staged"))) {
      assertEquals(0, s.count(), "staged packages left");
    }
    assertEquals("", Oracles.runOk("chroot", a.toString(), "dpkg", "--audit"));
    Oracles.Result v = Oracles.run("chroot", a.toString(), "dpkg", "-V");
    List<String> verify = v.stdout().lines().map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .sorted().toList();
    assertEquals(List.of("/etc/issue", "/etc/login.defs"), verify, v.describe());
    String versions = Oracles.runOk("chroot", a.toString(), "dpkg-query", "-W",
        "-f", "${Package} ${Version} ${db:Status-Abbrev}\\n");
    for (Path d : debs) {
      try (DebArchive deb = DebArchive.open(d)) {
        assertTrue(versions.contains(deb.name() + " " + deb.version() + " ii "),
            deb.name() + " " + deb.version() + " in\n" + versions);
      }
    }
    // the admin's changes are kept, the new versions beside them
    assertTrue(Files.readString(a.resolve("etc/issue")).contains("admin change"));
    // exactly the conffiles reported as kept get a .dpkg-dist
    List<String> dist = new ArrayList<>();
    try (Stream<Path> s = Files.walk(a.resolve("etc"))) {
      s.filter(p -> p.toString().endsWith(".dpkg-dist")).forEach(p -> dist.add("/"
          + a.relativize(p).toString().replaceFirst("\\.dpkg-dist$", "")));
    }
    List<String> kept = new ArrayList<>();
    actions.forEach(p -> kept.addAll(p.conffilesKept()));
    assertEquals(kept.stream().sorted().toList(), dist.stream().sorted().toList());
    GuestRoot after = LinuxInspector.inspect(GuestFiles.of(a), 0, Map.of(), List.of());
    assertEquals(List.of(), after.pendingReboot());
  }

  /** Path to a line of type, mode, owner, link target, content hash and mtime. */
  static Map<String, String> describe(Path root, boolean info) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = "/" + root.relativize(p).toString();
        if (!info && (rel.startsWith("/proc/") || rel.startsWith("/sys/")
            || rel.startsWith("/dev/") || rel.equals("/var/lib/dpkg/status-old")
            || rel.equals("/var/log/dpkg.log") || rel.startsWith("/var/lib/dpkg/lock")
            || rel.equals("/var/lib/dpkg/triggers/Lock") || rel.startsWith("/var/lib/dpkg/info/")
            || rel.equals("/var/lib/dpkg/status"))) {
          continue;
        }
        Map<String, Object> at = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime",
            LinkOption.NOFOLLOW_LINKS);
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toOctalString((Integer) at.get("mode"))).append(' ')
            .append(at.get("uid")).append(':').append(at.get("gid"));
        if (Files.isSymbolicLink(p)) {
          sb.append(" -> ").append(Files.readSymbolicLink(p));
          sb.append(' ').append(at.get("lastModifiedTime"));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          try (InputStream in = Files.newInputStream(p)) {
            sb.append(' ').append(DebInjector.md5(in));
          }
          // written at the time of the run: the .list files, the trigger interest files
          if (!(info && rel.endsWith(".list")) && !rel.startsWith("/var/lib/dpkg/triggers/")) {
            sb.append(' ').append(at.get("lastModifiedTime"));
          }
        }
        out.put(rel, sb.toString());
      }
    }
    return out;
  }
}
