package dev.vdisk.inspect.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.inspect.InstalledPackage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Linux readers on inputs written out by hand to show one rule each (the oracle comparisons
 * are in the ITs): deb822 continuation lines, version splitting, apk records without an origin,
 * fstab escapes, ELF machines.
 */
class LinuxParsersTest {

  @Test
  void dpkgContinuationLinesSourceAndVersionParts() {
    List<InstalledPackage> ps = DpkgStatus.parse("Package: a\nStatus: install ok installed\n"
        + "Version: 2:1.0-3+b1\nArchitecture: amd64\nSource: a-src (1.0-3)\n"
        + "Description: x\n more\n .\n\n\nPackage: b\nStatus: deinstall ok config-files\n"
        + "Version: 7\n");
    assertEquals(2, ps.size());
    InstalledPackage a = ps.get(0);
    assertEquals(2, a.epoch());
    assertEquals("1.0", a.upstreamVersion());
    assertEquals("3+b1", a.release());
    assertEquals("a-src", DpkgStatus.sourceName(a.source()));
    assertEquals("1.0-3", DpkgStatus.sourceVersion(a.source()));
    assertTrue(a.installed());
    assertFalse(ps.get(1).installed());
    assertEquals("", ps.get(1).release());
    assertEquals("x\nmore\n.", Deb822.parse("Description: x\n more\n .\n").get(0)
        .get("Description"));
  }

  @Test
  void apkRecordsWithoutOriginAreKept() {
    List<InstalledPackage> ps = ApkInstalled.parse(
        "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\nt:1700000000\n\nP:lonely\nV:0.1\n");
    assertEquals(2, ps.size());
    assertEquals("r2", ps.get(0).release());
    assertEquals("1.2.4", ps.get(0).upstreamVersion());
    assertEquals(1700000000L, ps.get(0).installTime().getEpochSecond());
    assertNull(ps.get(1).source());
    assertEquals("0.1", ps.get(1).version());
  }

  @Test
  void osReleaseQuoting() {
    Map<String, String> m = OsRelease.parse("A=\"x \\\"y\\\" \\$z \\q\"\nB='a\\b'\nC=c\\ d\n"
        + "#D=1\nE=\"open\nF=\n");
    assertEquals("x \"y\" $z \\q", m.get("A"));
    assertEquals("a\\b", m.get("B"));
    assertEquals("c d", m.get("C"));
    assertFalse(m.containsKey("D"));
    assertFalse(m.containsKey("E"));
    assertEquals("", m.get("F"));
  }

  @Test
  void fstabEscapesAndUdevNames() {
    List<Fstab.Entry> es = Fstab.parse("# c\nLABEL=my\\040disk /mnt/a\\040b ext4 ro 0 2\n"
        + "/dev/sda1 /\n");
    assertEquals("LABEL=my disk", es.get(0).spec());
    assertEquals("/mnt/a b", es.get(0).mountPoint());
    assertEquals("auto", es.get(1).type());
    assertEquals("my disk", Fstab.unescapeUdev("my\\x20disk"));
  }

  @Test
  void elfMachines() throws Exception {
    assertEquals("x86_64", elf(2, 1, 62, 0).architecture());
    assertEquals("aarch64", elf(2, 1, 183, 0).architecture());
    assertEquals("armhf", elf(1, 1, 40, 0x5000400).architecture());
    assertEquals("arm", elf(1, 1, 40, 0x5000200).architecture());
    assertEquals("s390x", elf(2, 2, 22, 0).architecture());
    assertEquals("ppc64le", elf(2, 1, 21, 0).architecture());
    assertEquals("riscv64", elf(2, 1, 243, 0).architecture());
    assertThrows(CorruptStructureException.class,
        () -> ElfHeader.parse(ByteBuffer.wrap(new byte[] {0x7f, 'E', 'L'}), null));
  }

  private static ElfHeader elf(int cls, int data, int machine, int flags) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(64);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) cls, (byte) data, 1});
    b.order(data == 1 ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
    b.putShort(18, (short) machine);
    b.putInt(cls == 1 ? 36 : 48, flags);
    return ElfHeader.parse(b.rewind(), null);
  }
}
