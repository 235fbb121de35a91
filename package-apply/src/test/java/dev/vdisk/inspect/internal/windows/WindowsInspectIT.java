package dev.vdisk.inspect.internal.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.core.partition.PartitionTable;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledUpdate;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WindowsInspector} on the NTFS fixture of make-windows-ntfs.sh (hives made by
 * hivexregedit, copied onto an mkntfs volume through ntfs-3g, in an MBR disk converted to VHDX by
 * qemu-img), read through vdisk's VHDX driver and NTFS reader: every fact, update and application
 * equals what hivexget/hivexsh read from the same hive files, and the drive letter C: is the
 * partition that sfdisk reports at the disk signature and offset hivexget prints for it.
 */
class WindowsInspectIT {
  @TempDir static Path dir;

  @BeforeAll
  static void makeFixture() {
    Oracles.requireRoot("make-windows-ntfs.sh (ntfs-3g FUSE mount)");
    Oracles.require("hivexregedit", "libwin-hivex-perl");
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("sfdisk", "fdisk");
    Oracles.require("qemu-img", "qemu-utils");
    HivexOracle.require();
    Oracles.runOk("bash", ProjectPaths.script("make-windows-ntfs.sh").toString(), dir.toString());
  }

  private static GuestRoot inspect() throws IOException {
    Path image = dir.resolve("windows.vhdx");
    PartitionTable table;
    try (VirtualDisk disk = VirtualDisks.open(image)) {
      table = PartitionTable.read(disk);
      try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.of(1))) {
        GuestFiles guest = GuestFiles.of(fs.getPath("/"));
        assertThat(WindowsInspector.isWindowsRoot(guest)).isTrue();
        return WindowsInspector.inspect(guest, 1, table);
      }
    }
  }

  @Test
  void factsUpdatesAndApplicationsAreWhatHivexReads() throws IOException {
    GuestRoot root = inspect();
    assertThat(root.warnings()).isEmpty();
    int checked = HivexOracle.assertMatches(root, dir.resolve("SOFTWARE"), dir.resolve("SYSTEM"),
        true);
    System.out.println("fixture: " + checked + " fields and records equal to hivex's, "
        + root.updates().size() + " updates, " + root.applications().size() + " applications");
    // what the .reg files put there, beyond the hivex comparison
    assertThat(root.os().product()).isEqualTo("Windows 11 Pro");
    assertThat(root.os().hostname()).isEqualTo("WIN-VDISK01"); // ControlSet002, not 001
    assertThat(root.pendingReboot())
        .containsExactly("RebootPending", "PendingFileRenameOperations", "pending.xml");
    Map<String, InstalledUpdate> byKb = root.updates().stream().filter(u -> u.kb() != null)
        .collect(Collectors.toMap(InstalledUpdate::kb, Function.identity()));
    assertThat(byKb.get("KB5034441").installed()).isTrue();
    assertThat(byKb.get("KB5034441").state()).isEqualTo("installed");
    assertThat(byKb.get("KB5012170").installed()).isFalse();
    assertThat(byKb.get("KB5012170").stateCode()).isEqualTo(0x20);
    assertThat(byKb.get("KB5031455").state()).isEqualTo("superseded");
    assertThat(byKb.get("KB5034765").id()).startsWith("Package_for_RollupFix~");
    assertThat(root.applications()).anyMatch(a -> a.systemComponent());
    assertThat(root.applications()).noneMatch(a -> a.key().contains("AddressBook"));
  }

  @Test
  void driveLetterIsThePartitionSfdiskPlacesAtTheMountedDevicesOffset() throws IOException {
    GuestRoot root = inspect();
    byte[] c = HexFormat.of().parseHex(hexOf(Oracles.runOk("hivexget",
        dir.resolve("SYSTEM").toString(), "\\MountedDevices").lines()
        .filter(l -> l.startsWith("\"\\\\DosDevices\\\\C:\"")).findFirst().orElseThrow()));
    ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
    long signature = Integer.toUnsignedLong(b.getInt());
    long offset = b.getLong();
    String dump = Oracles.runOk("sfdisk", "--dump", dir.resolve("windows.raw").toString());
    Matcher id = Pattern.compile("(?m)^label-id: (0x[0-9a-fA-F]+)$").matcher(dump);
    assertThat(id.find()).as(dump).isTrue();
    assertThat(Long.decode(id.group(1))).isEqualTo(signature);
    Matcher sector = Pattern.compile("(?m)^sector-size: (\\d+)$").matcher(dump);
    long sectorSize = sector.find() ? Long.parseLong(sector.group(1)) : 512;
    Map<String, String> expected = new TreeMap<>();
    Matcher part = Pattern.compile("(?m)^\\S+?(\\d+) : start= *(\\d+),").matcher(dump);
    while (part.find()) {
      if (Long.parseLong(part.group(2)) * sectorSize == offset) {
        expected.put("C:", "partition " + part.group(1));
      }
    }
    assertThat(expected).isNotEmpty();
    // E: names a GPT partition GUID: not on this MBR disk
    assertThat(root.mounts()).isEqualTo(expected);
  }

  /**
   * The same volume in a GPT disk: E: (the {@code DMIO:ID:} form) is the partition whose unique
   * GUID sfdisk reports equal to Python's {@code uuid.UUID(bytes_le=...)} of the bytes hivexget
   * prints for E:; C: (an MBR signature) matches nothing on a GPT disk.
   */
  @Test
  void gptDriveLetterIsThePartitionWithTheGuidPythonDecodes() throws IOException {
    Oracles.require("python3", "python3");
    Path image = dir.resolve("windows-gpt.raw");
    GuestRoot root;
    try (VirtualDisk disk = VirtualDisks.open(image)) {
      PartitionTable table = PartitionTable.read(disk);
      try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.of(1))) {
        root = WindowsInspector.inspect(GuestFiles.of(fs.getPath("/")), 1, table);
      }
    }
    String e = hexOf(Oracles.runOk("hivexget", dir.resolve("SYSTEM").toString(),
        "\\MountedDevices").lines().filter(l -> l.startsWith("\"\\\\DosDevices\\\\E:\""))
        .findFirst().orElseThrow());
    String guid = Oracles.runOk("python3", "-c", "import sys, uuid; b = bytes.fromhex(sys.argv[1]);"
        + " assert b[:8] == b'DMIO:ID:'; print(str(uuid.UUID(bytes_le=b[8:])).upper())", e).trim();
    String dump = Oracles.runOk("sfdisk", "--dump", image.toString());
    Matcher part = Pattern.compile("(?m)^\\S+?(\\d+) : .*uuid=([0-9A-Fa-f-]+)").matcher(dump);
    Map<String, String> expected = new TreeMap<>();
    while (part.find()) {
      if (part.group(2).equalsIgnoreCase(guid)) {
        expected.put("E:", "partition " + part.group(1));
      }
    }
    assertThat(expected).as(dump).isNotEmpty();
    assertThat(root.mounts()).isEqualTo(expected);
    HivexOracle.assertMatches(root, dir.resolve("SOFTWARE"), dir.resolve("SYSTEM"), true);
  }

  /** The bytes of a {@code "name"=hex(3):01,02,...} line. */
  private static String hexOf(String line) {
    return line.substring(line.indexOf(':', line.indexOf('=')) + 1).replace(",", "").trim();
  }

  @Test
  void missingSystemHiveGivesSoftwareFactsAndAWarning(@TempDir Path root) throws IOException {
    Path config = Files.createDirectories(root.resolve("windows/system32/CONFIG"));
    Files.copy(dir.resolve("SOFTWARE"), config.resolve("software"));
    GuestFiles guest = GuestFiles.of(root);
    assertThat(WindowsInspector.isWindowsRoot(guest)).isTrue();
    GuestRoot r = WindowsInspector.inspect(guest, 0, null);
    assertThat(r.warnings()).singleElement().asString().contains("SYSTEM");
    HivexOracle.assertMatches(r, dir.resolve("SOFTWARE"), null, false);
    assertThat(r.os().hostname()).isNull();
  }

  @Test
  void corruptSystemHiveIsAWarningNamingIt(@TempDir Path root) throws IOException {
    Path config = Files.createDirectories(root.resolve("Windows/System32/config"));
    Files.copy(dir.resolve("SOFTWARE"), config.resolve("SOFTWARE"));
    byte[] system = Files.readAllBytes(dir.resolve("SYSTEM"));
    for (int i = 4096 + 32; i < system.length; i++) {
      system[i] = (byte) 0xA5; // the hive bin's cells
    }
    Files.write(config.resolve("SYSTEM"), system);
    GuestRoot r = WindowsInspector.inspect(GuestFiles.of(root), 0, null);
    assertThat(r.warnings()).isNotEmpty().allMatch(w -> w.contains("SYSTEM"));
    System.out.println("corrupt SYSTEM: " + r.warnings());
    HivexOracle.assertMatches(r, dir.resolve("SOFTWARE"), null, false);
  }
}
