package dev.vdisk.apply.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.apply.PackageAction;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.TestDebs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DebInjector on small synthetic guests (host directories): fresh install, upgrade with obsolete
 * files and conffile decisions, diversions, stat overrides, maintscript-helper preinst effects and
 * guards, staging rules, the failure hook, triggers, Replaces and merged-/usr aliases. Owners in
 * the archives are the names "root" and "adm", which the guest's passwd and group map to the
 * test's own uid and gid (so the test needs no root), while the numeric ids in the archive are
 * different. The oracle comparison with real dpkg is {@link DebInjectorIT}.
 */
class DebInjectorTest {
  static final Instant T = Instant.parse("2024-01-02T03:04:05Z");
  static final String DPKG = "Package: dpkg\nStatus: install ok installed\nPriority: required\n"
      + "Architecture: amd64\nVersion: 1.21.22\nDescription: dpkg\n";

  @TempDir Path work;
  Path root;
  int uid;
  int gid;

  @BeforeEach
  void guest() throws IOException {
    root = Files.createDirectories(work.resolve("root"));
    uid = (Integer) Files.getAttribute(work, "unix:uid");
    gid = (Integer) Files.getAttribute(work, "unix:gid");
    for (String d : List.of("etc", "usr/bin", "usr/share", "var/lib/dpkg/info",
        "var/lib/dpkg/triggers")) {
      Files.createDirectories(root.resolve(d));
    }
    write("etc/passwd", "root:x:" + uid + ":" + gid + ":root:/root:/bin/sh\n"
        + "adm:x:" + uid + ":" + gid + "::/:/bin/false\n");
    write("etc/group", "root:x:" + gid + ":\nadm:x:" + gid + ":\n");
    write("var/lib/dpkg/status", DPKG + "\n");
    write("var/lib/dpkg/arch", "amd64\n");
  }

  Path write(String rel, String text) throws IOException {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  String read(String rel) throws IOException {
    return Files.readString(root.resolve(rel));
  }

  TestDebs hello(String version) {
    return TestDebs.of("hello", version, "amd64").owner(4321, 4321, "root", "adm").mtime(T)
        .dir("/", 0755).dir("/etc", 0755).dir("/usr", 0755).dir("/usr/bin", 0755)
        .file("/usr/bin/hello", "hello " + version + "\n", 0755)
        .symlink("/usr/bin/hi", "hello")
        .hardlink("/usr/bin/hello-again", "/usr/bin/hello")
        .conffile("/etc/hello.conf", "conf " + version + "\n", 0644);
  }

  List<PackageAction> inject(InjectOptions o, Map<String, String> stage, TestDebs... debs)
      throws IOException {
    List<DebArchive> archives = new java.util.ArrayList<>();
    List<Path> files = new java.util.ArrayList<>();
    int i = 0;
    for (TestDebs d : debs) {
      Path f = d.write(work.resolve("p" + (i++) + ".deb"), "xz");
      files.add(f);
      archives.add(DebArchive.open(f));
    }
    return new DebInjector(root, o).inject(archives, files, stage);
  }

  List<PackageAction> inject(TestDebs... debs) throws IOException {
    return inject(new InjectOptions(Set.of(), T, -1), Map.of(), debs);
  }

  ControlParagraph stanza(String name) throws IOException {
    for (ControlParagraph p : ControlParagraph.parseAll(read("var/lib/dpkg/status"), "status")) {
      if (name.equals(p.get("Package"))) {
        return p;
      }
    }
    return null;
  }

  static String md5(String s) throws IOException {
    return DebInjector.md5(new java.io.ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** An installed hello 1.0 as dpkg leaves it. */
  void installedHello(String conf, String extraList) throws IOException {
    write("usr/bin/hello", "hello 1.0\n");
    write("etc/hello.conf", conf);
    write("var/lib/dpkg/status", DPKG + "\nPackage: hello\nStatus: install ok installed\n"
        + "Priority: optional\nSection: misc\nInstalled-Size: 1\nMaintainer: T <t@e.org>\n"
        + "Architecture: amd64\nVersion: 1.0\nConffiles:\n /etc/hello.conf "
        + md5("conf 1.0\n") + "\nDescription: test package\n old\n\n");
    write("var/lib/dpkg/info/hello.list", "/.\n/etc\n/etc/hello.conf\n/usr\n/usr/bin\n"
        + "/usr/bin/hello\n" + extraList);
    write("var/lib/dpkg/info/hello.postrm", "#!/bin/sh\nset -e\n");
  }

  @Test
  void freshInstall() throws IOException {
    List<PackageAction> a = inject(hello("1.0"));
    assertEquals(PackageAction.Action.UNPACKED, a.get(0).action());
    assertEquals("hello 1.0\n", read("usr/bin/hello"));
    assertEquals(0100755, Files.getAttribute(root.resolve("usr/bin/hello"), "unix:mode"));
    assertEquals(uid, Files.getAttribute(root.resolve("usr/bin/hello"), "unix:uid"));
    assertEquals(T, Files.getLastModifiedTime(root.resolve("usr/bin/hello")).toInstant());
    assertEquals("hello", Files.readSymbolicLink(root.resolve("usr/bin/hi")).toString());
    assertTrue(Files.isSameFile(root.resolve("usr/bin/hello"),
        root.resolve("usr/bin/hello-again")));
    // conffiles wait as .dpkg-new for configure
    assertEquals("conf 1.0\n", read("etc/hello.conf.dpkg-new"));
    assertFalse(Files.exists(root.resolve("etc/hello.conf")));
    assertEquals("/.\n/etc\n/usr\n/usr/bin\n/usr/bin/hello\n/usr/bin/hi\n/usr/bin/hello-again\n"
        + "/etc/hello.conf\n", read("var/lib/dpkg/info/hello.list"));
    assertEquals("/etc/hello.conf\n", read("var/lib/dpkg/info/hello.conffiles"));
    ControlParagraph s = stanza("hello");
    assertEquals("install ok unpacked", s.get("Status"));
    assertEquals(null, s.get("Config-Version"));
    assertEquals("/etc/hello.conf newconffile", s.get("Conffiles").strip());
    List<String> order = s.fields().stream().map(ControlParagraph.Field::name).toList();
    assertEquals(List.of("Package", "Status", "Priority", "Section", "Installed-Size",
        "Maintainer", "Architecture", "Version", "Conffiles", "Description"), order);
    // the dpkg stanza is untouched and first
    assertTrue(read("var/lib/dpkg/status").startsWith(DPKG + "\nPackage: hello\n"));
    assertTrue(Files.isSymbolicLink(root.resolve(FirstBoot.WANTS.substring(1))));
    assertTrue(Files.isExecutable(root.resolve(FirstBoot.SCRIPT.substring(1))));
  }

  @Test
  void upgradeRemovesObsoleteFilesAndKeepsModifiedConffiles() throws IOException {
    installedHello("conf 1.0\nadmin\n", "/usr/bin/old\n/usr/bin/shared\n/usr/share/empty\n"
        + "/usr/share/kept\n");
    write("usr/bin/old", "old\n");
    write("usr/bin/shared", "shared\n");
    write("var/lib/dpkg/info/other.list", "/.\n/usr\n/usr/bin\n/usr/bin/shared\n");
    Files.createDirectories(root.resolve("usr/share/empty"));
    write("usr/share/kept/untracked", "x");
    List<PackageAction> a = inject(hello("2.0"));
    assertEquals("1.0", a.get(0).oldVersion());
    // changed by the admin and by the package: kept, the new one beside at configure
    assertEquals(List.of("/etc/hello.conf"), a.get(0).conffilesKept());
    assertFalse(Files.exists(root.resolve("usr/bin/old")));
    assertTrue(Files.exists(root.resolve("usr/bin/shared")), "another package lists it");
    assertFalse(Files.exists(root.resolve("usr/share/empty")));
    assertTrue(Files.exists(root.resolve("usr/share/kept/untracked")));
    assertEquals("conf 1.0\nadmin\n", read("etc/hello.conf"));
    assertEquals("conf 2.0\n", read("etc/hello.conf.dpkg-new"));
    ControlParagraph s = stanza("hello");
    assertEquals("2.0", s.get("Version"));
    assertEquals("1.0", s.get("Config-Version"));
    // the old hash stays until configure
    assertEquals("/etc/hello.conf " + md5("conf 1.0\n"), s.get("Conffiles").strip());
    assertFalse(Files.exists(root.resolve("var/lib/dpkg/info/hello.postrm")));
    assertEquals(DPKG + "\n", read("var/lib/dpkg/status-old").substring(0, DPKG.length() + 1));
  }

  @Test
  void secondUnpackKeepsTheConfiguredVersion() throws IOException {
    installedHello("conf 1.0\n", "");
    inject(hello("2.0"));
    inject(hello("3.0"));
    ControlParagraph s = stanza("hello");
    assertEquals("3.0", s.get("Version"));
    assertEquals("install ok unpacked", s.get("Status"));
    assertEquals("1.0", s.get("Config-Version"));
    // the conffile hash is still the configured one's
    assertEquals("/etc/hello.conf " + md5("conf 1.0\n"), s.get("Conffiles").strip());
    assertEquals("conf 3.0\n", read("etc/hello.conf.dpkg-new"));
  }

  @Test
  void sameVersionIsUnchanged() throws IOException {
    installedHello("conf 1.0\n", "");
    String before = read("var/lib/dpkg/status");
    List<PackageAction> a = inject(hello("1.0"));
    assertEquals(PackageAction.Action.UNCHANGED, a.get(0).action());
    assertEquals(before, read("var/lib/dpkg/status"));
    assertFalse(Files.exists(root.resolve(FirstBoot.SCRIPT.substring(1))));
  }

  @Test
  void diversionAndStatOverride() throws IOException {
    write("var/lib/dpkg/diversions", "/usr/bin/hello\n/usr/bin/hello.distrib\nother\n");
    write("var/lib/dpkg/statoverride", "adm root 0700 /usr/bin/hi-file\n");
    inject(hello("1.0").file("/usr/bin/hi-file", "x", 0644));
    assertEquals("hello 1.0\n", read("usr/bin/hello.distrib"));
    assertFalse(Files.exists(root.resolve("usr/bin/hello")));
    assertTrue(read("var/lib/dpkg/info/hello.list").contains("\n/usr/bin/hello\n"));
    // the hard link follows the diverted file
    assertTrue(Files.isSameFile(root.resolve("usr/bin/hello.distrib"),
        root.resolve("usr/bin/hello-again")));
    assertEquals(0100700, Files.getAttribute(root.resolve("usr/bin/hi-file"), "unix:mode"));
  }

  @Test
  void diverterWritesTheOriginalPath() throws IOException {
    write("var/lib/dpkg/diversions", "/usr/bin/hello\n/usr/bin/hello.distrib\nhello\n");
    inject(hello("1.0"));
    assertEquals("hello 1.0\n", read("usr/bin/hello"));
  }

  @Test
  void ownerMapping() {
    Map<String, Integer> names = Map.of("root", 0, "syslog", 104);
    assertEquals(104, DebInjector.owner(names, "syslog", 7));
    assertEquals(7, DebInjector.owner(names, "nosuch", 7));
    assertEquals(7, DebInjector.owner(names, "", 7));
  }

  @Test
  void preinstRmConffileHonoursItsGuard() throws IOException {
    for (String[] c : new String[][] {
        {"conf 1.0\n", "2.0~", ".dpkg-remove"},
        {"changed\n", "2.0~", ".dpkg-backup"},
        {"conf 1.0\n", "0.5", null}}) {
      guest();
      installedHello("conf 1.0\n", "/etc/gone.conf\n");
      write("etc/gone.conf", c[0]);
      String status = read("var/lib/dpkg/status").replace(" /etc/hello.conf ",
          " /etc/gone.conf " + md5("conf 1.0\n") + "\n /etc/hello.conf ");
      write("var/lib/dpkg/status", status);
      inject(hello("2.0").member("preinst", "#!/bin/sh\nset -e\n"
          + "dpkg-maintscript-helper rm_conffile /etc/gone.conf " + c[1] + " -- \"$@\"\n",
          0755));
      if (c[2] == null) {
        assertEquals(c[0], read("etc/gone.conf"), "guard " + c[1]);
      } else {
        assertEquals(c[0], read("etc/gone.conf" + c[2]), c[2]);
        assertFalse(Files.exists(root.resolve("etc/gone.conf")));
      }
      // an obsolete conffile stays listed, flagged
      assertTrue(stanza("hello").get("Conffiles").contains("/etc/gone.conf "
          + md5("conf 1.0\n") + " obsolete"));
      deleteTree(root);
    }
  }

  @Test
  void preinstSymlinkToDir() throws IOException {
    installedHello("conf 1.0\n", "/usr/share/doc\n/usr/share/doc/hello\n");
    Files.createDirectories(root.resolve("usr/share/doc/base"));
    Files.createSymbolicLink(root.resolve("usr/share/doc/hello"), Path.of("base"));
    inject(hello("2.0").member("preinst", "#!/bin/sh\nset -e\n"
        + "dpkg-maintscript-helper symlink_to_dir /usr/share/doc/hello base 2.0~ -- \"$@\"\n",
        0755).dir("/usr/share", 0755).dir("/usr/share/doc", 0755)
        .dir("/usr/share/doc/hello", 0755).file("/usr/share/doc/hello/README", "r", 0644));
    assertTrue(Files.isSymbolicLink(root.resolve("usr/share/doc/hello.dpkg-backup")));
    assertTrue(Files.isDirectory(root.resolve("usr/share/doc/hello"),
        LinkOption.NOFOLLOW_LINKS));
    assertEquals("r", read("usr/share/doc/hello/README"));
  }

  /** hello 1.0 with a data directory /usr/share/hd (x, sub/y) that 2.0 turns into a link. */
  void installedHelloWithDataDir() throws IOException {
    installedHello("conf 1.0\n", "/usr/share\n/usr/share/hd\n/usr/share/hd/x\n"
        + "/usr/share/hd/sub\n/usr/share/hd/sub/y\n");
    write("usr/share/hd/x", "x 1.0\n");
    write("usr/share/hd/sub/y", "y 1.0\n");
  }

  TestDebs helloWithDataLink(String guardAndOwner) {
    return hello("2.0").member("preinst", "#!/bin/sh\nset -e\n"
        + "dpkg-maintscript-helper dir_to_symlink /usr/share/hd/ hd-target " + guardAndOwner
        + " -- \"$@\"\n", 0755).dir("/usr/share", 0755).dir("/usr/share/hd-target", 0755)
        .file("/usr/share/hd-target/x", "x 2.0\n", 0644).symlink("/usr/share/hd", "hd-target");
  }

  @Test
  void preinstDirToSymlinkMakesTheStagingDirectory() throws IOException {
    installedHelloWithDataDir();
    List<PackageAction> a = inject(helloWithDataLink("2.0\\~"));
    assertEquals(PackageAction.Action.UNPACKED, a.get(0).action(), a.toString());
    // the old directory kept whole as the backup the new postinst removes at configure
    assertEquals("x 1.0\n", read("usr/share/hd.dpkg-backup/x"));
    assertEquals("y 1.0\n", read("usr/share/hd.dpkg-backup/sub/y"));
    // the staging directory stands where the archive has the link
    Path hd = root.resolve("usr/share/hd");
    assertTrue(Files.isDirectory(hd, LinkOption.NOFOLLOW_LINKS));
    try (var s = Files.list(hd)) {
      assertEquals(List.of(hd.resolve(".dpkg-staging-dir")), s.toList());
    }
    assertEquals(0, Files.size(hd.resolve(".dpkg-staging-dir")));
    assertEquals(040755, Files.getAttribute(hd, "unix:mode"));
    assertEquals(0100644, Files.getAttribute(hd.resolve(".dpkg-staging-dir"), "unix:mode"));
    assertEquals(T, Files.getLastModifiedTime(hd.resolve(".dpkg-staging-dir")).toInstant());
    assertEquals("x 2.0\n", read("usr/share/hd-target/x"));
    List<String> list = Files.readAllLines(root.resolve("var/lib/dpkg/info/hello.list"));
    assertTrue(list.contains("/usr/share/hd"), list.toString());
    assertFalse(list.contains("/usr/share/hd/x"), list.toString());
    assertEquals("install ok unpacked", stanza("hello").get("Status"));
  }

  @Test
  void preinstDirToSymlinkGuardAndOwner() throws IOException {
    // the installed 1.0 is above the guard: the helper does nothing, and a link over a
    // non-empty directory stays unsupported
    installedHelloWithDataDir();
    assertThrows(UnsupportedFeatureException.class, () -> inject(helloWithDataLink("0.9")));
    assertEquals("x 1.0\n", read("usr/share/hd/x"));
    // an explicit package that lists every path: the switch is done
    deleteTree(root);
    guest();
    installedHelloWithDataDir();
    write("var/lib/dpkg/info/hello.list", "/.\n/etc\n/etc/hello.conf\n/usr\n/usr/bin\n"
        + "/usr/bin/hello\n");
    write("var/lib/dpkg/status", read("var/lib/dpkg/status") + "Package: hd-data\n"
        + "Status: install ok installed\nArchitecture: all\nVersion: 1\nDescription: d\n\n");
    write("var/lib/dpkg/info/hd-data.list", "/.\n/usr\n/usr/share\n/usr/share/hd\n"
        + "/usr/share/hd/x\n/usr/share/hd/sub\n/usr/share/hd/sub/y\n");
    List<PackageAction> a = inject(helloWithDataLink("2.0\\~ hd-data"));
    assertEquals(PackageAction.Action.UNPACKED, a.get(0).action(), a.toString());
    assertTrue(Files.exists(root.resolve("usr/share/hd/.dpkg-staging-dir")));
  }

  @Test
  void preinstDirToSymlinkChecksRefuse() throws IOException {
    // a path the package does not list: the helper would fail the preinst
    installedHelloWithDataDir();
    write("usr/share/hd/sub/local", "admin's\n");
    String status = read("var/lib/dpkg/status");
    UnsafeToWriteException e = assertThrows(UnsafeToWriteException.class,
        () -> inject(helloWithDataLink("")));
    assertTrue(e.getMessage().contains("/usr/share/hd/sub/local"), e.getMessage());
    assertEquals(status, read("var/lib/dpkg/status"));
    assertEquals("x 1.0\n", read("usr/share/hd/x"));
    assertFalse(Files.exists(root.resolve("usr/share/hd.dpkg-backup")));
    // a conffile of the package under the directory
    deleteTree(root);
    guest();
    installedHelloWithDataDir();
    write("var/lib/dpkg/status", read("var/lib/dpkg/status").replace(" /etc/hello.conf ",
        " /usr/share/hd/x " + md5("x 1.0\n") + "\n /etc/hello.conf "));
    e = assertThrows(UnsafeToWriteException.class, () -> inject(helloWithDataLink("2.0\\~")));
    assertTrue(e.getMessage().contains("conffile /usr/share/hd/x"), e.getMessage());
    // an existing backup: mv would move the directory into it; the real helper runs at boot
    deleteTree(root);
    guest();
    installedHelloWithDataDir();
    Files.createDirectories(root.resolve("usr/share/hd.dpkg-backup"));
    List<PackageAction> a = inject(helloWithDataLink("2.0\\~"));
    assertEquals(PackageAction.Action.STAGED, a.get(0).action());
    assertTrue(a.get(0).reason().contains(".dpkg-backup already exists"), a.get(0).reason());
  }

  @Test
  void linkOverDirectory() throws IOException {
    // an empty directory stays (as with dpkg), the link's path is listed
    Files.createDirectories(root.resolve("usr/bin/hi"));
    inject(hello("1.0"));
    assertTrue(Files.isDirectory(root.resolve("usr/bin/hi"), LinkOption.NOFOLLOW_LINKS));
    assertTrue(read("var/lib/dpkg/info/hello.list").contains("/usr/bin/hi\n"));
    // a non-empty one that is no staging directory is refused
    deleteTree(root);
    guest();
    write("usr/bin/hi/x", "x");
    assertThrows(UnsupportedFeatureException.class, () -> inject(hello("1.0")));
  }

  @Test
  void stagingRules() throws IOException {
    List<PackageAction> a = inject(new InjectOptions(Set.of("/boot"), T, -1),
        Map.of("told", "the caller said so"),
        hello("1.0").member("preinst", "#!/bin/sh\necho hi\n", 0755),
        TestDebs.of("dev", "1", "amd64").dir("/", 0755).dir("/dev", 0755)
            .charDevice("/dev/x", 1, 3),
        TestDebs.of("kernel", "1", "amd64").dir("/", 0755).dir("/boot", 0755)
            .file("/boot/vmlinuz", "k", 0644),
        TestDebs.of("told", "1", "amd64").dir("/", 0755));
    for (PackageAction p : a) {
      assertEquals(PackageAction.Action.STAGED, p.action(), p.toString());
    }
    assertTrue(a.get(0).reason().contains("preinst"));
    assertTrue(a.get(1).reason().contains("device"));
    assertTrue(a.get(2).reason().contains("/boot"));
    assertEquals("the caller said so", a.get(3).reason());
    Path staged = root.resolve("var/lib/vdisk/staged/01-hello_1.0_amd64.deb");
    assertArrayEquals(Files.readAllBytes(work.resolve("p0.deb")), Files.readAllBytes(staged));
    assertTrue(Files.exists(root.resolve("var/lib/vdisk/staged/04-told_1_amd64.deb")));
    assertFalse(Files.exists(root.resolve("usr/bin/hello")));
    assertEquals(null, stanza("hello"));
    assertTrue(Files.exists(root.resolve(FirstBoot.UNIT.substring(1))));
  }

  @Test
  void changedTriggerInterestsAreStaged() throws IOException {
    List<PackageAction> a = inject(hello("1.0").member("triggers", "interest /usr/share/x\n",
        0644));
    assertEquals(PackageAction.Action.STAGED, a.get(0).action());
    assertTrue(a.get(0).reason().contains("interest"), a.get(0).reason());
    // the same interests as the installed version: unpacked
    guest();
    installedHello("conf 1.0\n", "");
    write("var/lib/dpkg/info/hello.triggers", "interest /usr/share/x\n");
    a = inject(hello("2.0").member("triggers", "# same\ninterest /usr/share/x\n", 0644));
    assertEquals(PackageAction.Action.UNPACKED, a.get(0).action());
  }

  @Test
  void failureHookStopsMidway() throws IOException {
    IOException e = assertThrows(IOException.class,
        () -> inject(new InjectOptions(Set.of(), T, 3), Map.of(), hello("1.0")));
    assertTrue(e.getMessage().contains("test hook"), e.getMessage());
    assertEquals(DPKG + "\n", read("var/lib/dpkg/status"));
  }

  @Test
  void explicitAndFileTriggers() throws IOException {
    write("var/lib/dpkg/status", DPKG + "\nPackage: libc-bin\nStatus: install ok installed\n"
        + "Architecture: amd64\nVersion: 2.36\nDescription: libc\nHomepage: https://x\n\n"
        + "Package: watcher\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n"
        + "Description: w\n\n");
    write("var/lib/dpkg/triggers/ldconfig", "libc-bin\n");
    write("var/lib/dpkg/triggers/File", "/usr/share/watched watcher/noawait\n");
    inject(hello("1.0").member("triggers", "# c\nactivate-noawait ldconfig\n", 0644)
        .dir("/usr/share", 0755).dir("/usr/share/watched", 0755)
        .file("/usr/share/watched/x", "x", 0644));
    ControlParagraph libc = stanza("libc-bin");
    assertEquals("install ok triggers-pending", libc.get("Status"));
    assertEquals("ldconfig", libc.get("Triggers-Pending"));
    List<String> order = libc.fields().stream().map(ControlParagraph.Field::name).toList();
    assertEquals(List.of("Package", "Status", "Architecture", "Version", "Description",
        "Triggers-Pending", "Homepage"), order);
    assertEquals("/usr/share/watched", stanza("watcher").get("Triggers-Pending"));
    // noawait on both sides: the activating package awaits nothing
    assertEquals(null, stanza("hello").get("Triggers-Awaited"));
  }

  @Test
  void awaitedTriggers() throws IOException {
    write("var/lib/dpkg/status", DPKG + "\nPackage: libc-bin\nStatus: install ok installed\n"
        + "Architecture: amd64\nVersion: 2.36\nDescription: libc\n\n");
    write("var/lib/dpkg/triggers/ldconfig", "libc-bin\n");
    inject(hello("1.0").member("triggers", "activate ldconfig\n", 0644));
    ControlParagraph h = stanza("hello");
    assertEquals("install ok unpacked", h.get("Status"));
    assertEquals("libc-bin", h.get("Triggers-Awaited"));
    List<String> order = h.fields().stream().map(ControlParagraph.Field::name).toList();
    assertEquals("Triggers-Awaited", order.get(order.size() - 1));
    // a second unpack (activating nothing) keeps the await while libc-bin's trigger is pending
    inject(hello("2.0"));
    assertEquals("libc-bin", stanza("hello").get("Triggers-Awaited"));
    assertEquals("2.0", stanza("hello").get("Version"));
  }

  @Test
  void filesOfAnotherPackageNeedReplaces() throws IOException {
    write("var/lib/dpkg/info/other.list", "/.\n/usr\n/usr/bin\n/usr/bin/hello\n");
    write("usr/bin/hello", "other's\n");
    assertThrows(UnsupportedFeatureException.class, () -> inject(hello("1.0")));
    guest();
    write("var/lib/dpkg/status", DPKG + "\nPackage: other\nStatus: install ok installed\n"
        + "Architecture: amd64\nVersion: 2.5\nDescription: o\n\n");
    write("var/lib/dpkg/info/other.list", "/.\n/usr\n/usr/bin\n/usr/bin/hello\n");
    // a Replaces whose version does not cover the installed other is no Replaces
    assertThrows(UnsupportedFeatureException.class,
        () -> inject(hello("1.0").field("Replaces", "other (<< 2)")));
    inject(hello("1.0").field("Replaces", "other (<< 3)").field("Depends", "libc6(>=2.34),x|y"));
    assertEquals("libc6 (>= 2.34), x | y", stanza("hello").get("Depends"));
    assertEquals("/.\n/usr\n/usr/bin\n", read("var/lib/dpkg/info/other.list"));
    assertEquals("hello 1.0\n", read("usr/bin/hello"));
  }

  @Test
  void mergedUsrAliasIsNotRemoved() throws IOException {
    installedHello("conf 1.0\n", "/bin\n/bin/tool\n");
    Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
    write("usr/bin/tool", "tool 1\n");
    inject(hello("2.0").file("/usr/bin/tool", "tool 2\n", 0755));
    assertEquals("tool 2\n", read("usr/bin/tool"));
  }

  @Test
  void absoluteLinksResolveInsideTheGuest() throws IOException {
    Files.createDirectories(root.resolve("usr/lib"));
    Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
    inject(TestDebs.of("lib", "1", "amd64").dir("/", 0755).dir("/lib", 0755)
        .file("/lib/x.so", "so", 0644));
    assertEquals("so", read("usr/lib/x.so"));
  }

  static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
