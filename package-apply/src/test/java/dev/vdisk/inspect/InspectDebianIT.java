package dev.vdisk.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Debian 12 guest made by debootstrap on a GPT disk inside a VMDK, {@code /boot} on its own
 * partition named in {@code /etc/fstab} by UUID ({@code testdata/scripts/make-debian-inspect-vmdk.sh},
 * built once for the class). The oracles read the same bytes through the kernel: the image is
 * converted to raw by qemu-img and both partitions are loop-mounted read-only; dpkg-query reads
 * the mounted root's dpkg database, the shell sources its os-release, readelf reads its
 * {@code /bin/sh}.
 */
class InspectDebianIT {
  @TempDir static Path work;
  static Path vmdk;
  static Path root;
  static Path boot;
  static Inspection inspection;

  @BeforeAll
  static void build() throws Exception {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("sgdisk", "gdisk");
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("dpkg-query", "dpkg");
    Oracles.require("readelf", "binutils");
    Oracles.requireRoot("debootstrap and the loop mounts");
    vmdk = work.resolve("debian.vmdk");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-inspect-vmdk.sh").toString(),
        vmdk.toString());
    Path raw = work.resolve("debian.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
        raw.toString());
    boot = Files.createDirectories(work.resolve("mnt-boot"));
    root = Files.createDirectories(work.resolve("mnt-root"));
    mount(raw, 1, boot);
    mount(raw, 2, root);
    inspection = Inspector.inspect(vmdk);
  }

  private static void mount(Path raw, int partition, Path at) {
    String[] startAndSectors = Oracles.runOk("partx", "-g", "-o", "START,SECTORS", "-n",
        String.valueOf(partition), raw.toString()).strip().split("\\s+");
    long offset = Long.parseLong(startAndSectors[0]) * 512;
    long size = Long.parseLong(startAndSectors[1]) * 512;
    // sizelimit: without it the kernel refuses a second loop device overlapping the first
    Oracles.runOk("mount", "-o", "loop,ro,offset=" + offset + ",sizelimit=" + size,
        raw.toString(), at.toString());
  }

  @AfterAll
  static void unmount() {
    for (Path p : new Path[] {boot, root}) {
      if (p != null) {
        Oracles.run("umount", p.toString());
      }
    }
  }

  private static GuestRoot guest() {
    assertEquals(1, inspection.roots().size(), () -> "roots: " + inspection);
    return inspection.roots().get(0);
  }

  @Test
  void thePackageListIsWhatDpkgQueryLists() {
    String expected = Oracles.runOk("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"),
        "-W", "-f", "${Package} ${Version} ${Architecture} ${db:Status-Abbrev}\n");
    List<String> ours = new ArrayList<>();
    for (InstalledPackage p : guest().packages()) {
      if (!p.status().endsWith("not-installed")) {
        ours.add((p.name() + " " + p.version() + " " + p.arch() + " " + abbrev(p.status()))
            .stripTrailing());
      }
    }
    List<String> theirs = new ArrayList<>();
    for (String line : expected.split("\n")) {
      if (!line.isBlank()) {
        theirs.add(line.stripTrailing());
      }
    }
    ours.sort(null);
    theirs.sort(null);
    assertTrue(theirs.size() > 50, "debootstrap minbase has more than 50 packages");
    assertEquals(theirs, ours);
    long installed = guest().packages().stream().filter(InstalledPackage::installed).count();
    long ii = theirs.stream().filter(l -> l.endsWith(" ii")).count();
    assertEquals(ii, installed);
    assertEquals("deb", guest().os().packageFormat());
  }

  /** dpkg's three-letter Status-Abbrev from the Status field (dpkg-query(1)). */
  private static String abbrev(String status) {
    String[] w = status.split(" ");
    String want = Map.of("unknown", "u", "install", "i", "hold", "h", "deinstall", "r",
        "purge", "p").get(w[0]);
    String state = Map.of("not-installed", "n", "config-files", "c", "half-installed", "H",
        "unpacked", "U", "half-configured", "F", "triggers-awaited", "W", "triggers-pending",
        "t", "installed", "i").get(w[2]);
    return want + state + (w[1].equals("reinstreq") ? "R" : "");
  }

  @Test
  void osFactsAreThoseOfOsReleaseAndDebianVersion() {
    String sourced = Oracles.runOk("bash", "-c",
        ". \"$1\"; printf '%s\\n' \"$ID\" \"$VERSION\" \"$VERSION_ID\" \"$PRETTY_NAME\" "
            + "\"$VERSION_CODENAME\"", "sh", root.resolve("usr/lib/os-release").toString());
    String[] f = sourced.split("\n", -1);
    OsFacts os = guest().os();
    assertEquals("linux", os.family());
    assertEquals(f[0], os.distribution());
    assertEquals(f[1], os.version());
    assertEquals(f[2], os.versionId());
    assertEquals(f[3], os.product());
    assertEquals(f[4], os.codename());
    assertEquals(Oracles.runOk("cat", root.resolve("etc/debian_version").toString()).strip(),
        os.pointRelease());
    assertEquals(Oracles.runOk("cat", root.resolve("etc/hostname").toString()).strip(),
        os.hostname());
    assertEquals("dpkg", os.packageManager().equals("apt") ? "dpkg" : os.packageManager());
  }

  @Test
  void theArchitectureComesFromTheElfHeaderOfBinSh() {
    String readelf = Oracles.runOk("readelf", "-h", root.resolve("usr/bin/dash").toString());
    String machine = readelf.lines().filter(l -> l.strip().startsWith("Machine:"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElseThrow();
    String expected = Map.of("Advanced Micro Devices X86-64", "x86_64", "AArch64", "aarch64",
        "Intel 80386", "i386", "RISC-V", "riscv64", "IBM S/390", "s390x").get(machine);
    assertEquals(expected, guest().os().arch(), "readelf says " + machine);
    String dpkgArch = Oracles.runOk("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"),
        "-W", "-f", "${Architecture}", "dpkg").strip();
    assertEquals(Map.of("amd64", "x86_64", "arm64", "aarch64", "i386", "i386").get(dpkgArch),
        guest().os().arch());
  }

  @Test
  void theKernelsAreTheInstalledLinuxImagePackages() {
    Oracles.Result r = Oracles.run("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"),
        "-W", "-f", "${db:Status-Abbrev}${Package} ${Version}\n", "linux-image-*");
    List<String> expected = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (line.startsWith("ii ")) {
        expected.add(line.substring(3));
      }
    }
    assertEquals(expected, guest().kernels());
  }

  @Test
  void bootIsMountedFromItsOwnPartitionByUuid() throws Exception {
    assertEquals("partition 2", guest().mounts().get("/"));
    assertEquals("partition 1", guest().mounts().get("/boot"));
    assertEquals(2, guest().partition());
    String marker = Files.readString(boot.resolve("vdisk-boot-marker"));
    assertFalse(Files.exists(root.resolve("boot/vdisk-boot-marker")));
    assertEquals(marker, Inspector.withGuest(vmdk, 2,
        g -> Files.readString(g.resolve("/boot/vdisk-boot-marker"))));
    // /etc/os-release is a relative link into /usr/lib; /bin is merged-usr's link to usr/bin
    assertEquals(Files.readString(root.resolve("usr/lib/os-release")),
        Inspector.withGuest(vmdk, 2, g -> Files.readString(g.resolve("/etc/os-release"))));
    Boolean shIsAFile = Inspector.withGuest(vmdk, 2, g -> Files.isRegularFile(g.resolve("/bin/sh")));
    assertTrue(shIsAFile);
    assertTrue(guest().warnings().isEmpty(), () -> "warnings: " + guest().warnings());
  }
}
