package dev.vdisk.inspect.internal.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.registry.Hive;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WindowsInspector} on the real hives of the shared corpus, placed under a temporary
 * {@code Windows/System32/config/} and read through {@link GuestFiles#of(Path)}: SYSTEM hives of
 * Windows 7 (dfwinreg, regipy) and Windows 10 1709 (regipy), regipy's dirty Windows 10 SYSTEM_B
 * with its two transaction logs, and as SOFTWARE regipy's {@code ntuser_software_partial} (the
 * Software key of a user hive: it has the {@code Microsoft\Windows\CurrentVersion\Uninstall}
 * layout, but no CurrentVersion facts and no servicing packages; the corpus holds no machine
 * SOFTWARE hive). Every field is compared with hivexget/hivexsh on the same files.
 */
class WindowsCorpusIT {
  private static final String REGIPY = "regipy/regipy_tests/data/";

  @TempDir Path dir;

  /** A corpus file (decompressed when it ends in .xz) copied to {@code target}. */
  private static Path stage(String entry, Path target) throws IOException {
    Path source = ProjectPaths.corpus().resolve(entry);
    Oracles.requireFile(source, "the shared corpus");
    Files.createDirectories(target.getParent());
    if (entry.endsWith(".xz")) {
      Oracles.require("xz", "xz-utils");
      Oracles.Result r = Oracles.run("xz", "-dc", source.toString());
      assertThat(r.exitCode()).as(r.commandLine()).isZero();
      Files.write(target, r.out());
    } else {
      Files.copy(source, target);
    }
    return target;
  }

  private Path config() {
    return dir.resolve("root/Windows/System32/config");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dfwinreg/test_data/SYSTEM", REGIPY + "SYSTEM.xz",
      REGIPY + "SYSTEM_WIN_10_1709.xz"})
  void corpusHivesGiveWhatHivexReads(String systemEntry) throws IOException {
    HivexOracle.require();
    Path software = stage(REGIPY + "ntuser_software_partial.xz", config().resolve("SOFTWARE"));
    Path system = stage(systemEntry, config().resolve("SYSTEM"));
    GuestRoot root = WindowsInspector.inspect(GuestFiles.of(dir.resolve("root")), 0, null);
    // a hive left dirty with no log beside it is read as it stands, with a warning: the
    // sequence numbers (u32 LE at 4 and 8) as Python reads them
    String seq = Oracles.runOk("python3", "-c", "import struct, sys;"
        + " a, b = struct.unpack_from('<II', open(sys.argv[1], 'rb').read(12), 4);"
        + " print('dirty' if a != b else 'clean')", system.toString()).trim();
    if (seq.equals("dirty")) {
      assertThat(root.warnings()).singleElement().asString()
          .contains("SYSTEM", "not closed cleanly");
    } else {
      assertThat(root.warnings()).isEmpty();
    }
    int checked = HivexOracle.assertMatches(root, software, system, false);
    assertThat(root.os().hostname()).isNotNull();
    assertThat(root.os().arch()).isNotNull();
    assertThat(root.applications()).isNotEmpty();
    System.out.println(systemEntry + ": " + checked + " fields and records equal to hivex's; "
        + root.os().hostname() + " " + root.os().arch() + ", " + root.applications().size()
        + " applications, pending " + root.pendingReboot() + ", SYSTEM " + seq);
  }

  /**
   * SYSTEM_B was left dirty: the inspector reads it with its logs replayed. The oracle is hivex
   * reading the file that vdisk's writable open replayed the same logs into (the replay itself is
   * checked against yarp's published recovery in win-registry's HiveLogsIT).
   */
  @Test
  void dirtySystemHiveIsReadWithItsLogsReplayed() throws IOException {
    HivexOracle.require();
    stage(REGIPY + "ntuser_software_partial.xz", config().resolve("SOFTWARE"));
    Path raw = stage(REGIPY + "SYSTEM_B.xz", config().resolve("SYSTEM"));
    stage(REGIPY + "SYSTEM_B.LOG1.xz", config().resolve("SYSTEM.LOG1"));
    stage(REGIPY + "SYSTEM_B.LOG2.xz", config().resolve("SYSTEM.LOG2"));
    Path replayed = stage(REGIPY + "SYSTEM_B.xz", dir.resolve("replayed/SYSTEM"));
    stage(REGIPY + "SYSTEM_B.LOG1.xz", dir.resolve("replayed/SYSTEM.LOG1"));
    stage(REGIPY + "SYSTEM_B.LOG2.xz", dir.resolve("replayed/SYSTEM.LOG2"));
    Hive.openWritable(replayed).close();
    assertThat(Files.mismatch(raw, replayed)).as("the logs changed the hive").isNotEqualTo(-1);

    GuestRoot root = WindowsInspector.inspect(GuestFiles.of(dir.resolve("root")), 0, null);
    assertThat(root.warnings()).isEmpty();
    HivexOracle.assertMatches(root, config().resolve("SOFTWARE"), replayed, false);
    System.out.println("SYSTEM_B replayed: " + root.os().hostname() + " " + root.os().arch()
        + ", pending " + root.pendingReboot());
  }

  /**
   * regipy's corrupted_system_hive, which hivex refuses to open: the inspection must not throw;
   * what it cannot read is a warning naming the hive, and what it reads is our registry reader's
   * value (there is no oracle for it).
   */
  @Test
  void hiveHivexRefusesGivesWarningsNotExceptions() throws IOException {
    stage(REGIPY + "corrupted_system_hive.xz", config().resolve("SYSTEM"));
    Path software = stage(REGIPY + "ntuser_software_partial.xz", config().resolve("SOFTWARE"));
    Oracles.Result hivex = Oracles.run(null, Map.of(), "hivexget",
        config().resolve("SYSTEM").toString(), "\\Select", "Current");
    assertThat(hivex.exitCode()).as("hivex refuses it").isNotZero();
    GuestRoot root = WindowsInspector.inspect(GuestFiles.of(dir.resolve("root")), 0, null);
    assertThat(root.warnings()).allMatch(w -> w.contains("SYSTEM"));
    HivexOracle.assertMatchesSoftwareOnly(root, software);
    System.out.println("corrupted_system_hive: hostname " + root.os().hostname() + ", arch "
        + root.os().arch() + ", warnings " + root.warnings());
  }

  /**
   * Every {@code \DosDevices\X:} value of the real SYSTEM hives, decoded by {@link MountedDevice}
   * from our reader's bytes, equals Python's decoding (struct {@code <IQ} for the 12-byte form,
   * {@code uuid.UUID(bytes_le=...)} after {@code DMIO:ID:}) of the bytes hivexget prints: MBR
   * forms in the Windows 7 and 1709 hives, the GPT form in SYSTEM_B.
   */
  @ParameterizedTest
  @ValueSource(strings = {"dfwinreg/test_data/SYSTEM", REGIPY + "SYSTEM.xz",
      REGIPY + "SYSTEM_WIN_10_1709.xz", REGIPY + "SYSTEM_B.xz"})
  void mountedDevicesDecodeAsPythonDecodesThem(String systemEntry) throws IOException {
    HivexOracle.require();
    Oracles.require("python3", "python3");
    Path system = stage(systemEntry, dir.resolve("SYSTEM"));
    StringBuilder input = new StringBuilder();
    for (String line : Oracles.runOk("hivexget", system.toString(), "\\MountedDevices")
        .split("\n")) {
      if (line.regionMatches(true, 0, "\"\\\\DosDevices\\\\", 0, 15)) {
        String letter = line.substring(15, 17).toUpperCase(java.util.Locale.ROOT);
        String hex = line.substring(line.indexOf(':', line.indexOf('=')) + 1).replace(",", "");
        input.append(letter).append(' ').append(hex.trim()).append('\n');
      }
    }
    String script = String.join("\n",
        "import struct, sys, uuid",
        "for line in sys.stdin:",
        "    letter, h = line.split()",
        "    b = bytes.fromhex(h)",
        "    if len(b) == 12:",
        "        sig, off = struct.unpack('<IQ', b)",
        "        print(letter, 'mbr 0x%08x %d' % (sig, off))",
        "    elif len(b) == 24 and b[:8] == b'DMIO:ID:':",
        "        print(letter, 'gpt', str(uuid.UUID(bytes_le=b[8:])).upper())",
        "    else:",
        "        print(letter, 'other', len(b))");
    Oracles.Result py = Oracles.run(
        input.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of(),
        "python3", "-c", script);
    assertThat(py.exitCode()).as(py.describe()).isZero();
    StringBuilder ours = new StringBuilder();
    try (Hive hive = Hive.open(system)) {
      for (var v : hive.key("MountedDevices").orElseThrow().values()) {
        String letter = WindowsInspector.driveLetter(v.name());
        if (letter == null) {
          continue;
        }
        MountedDevice decoded = MountedDevice.decode(v.data());
        String d;
        if (decoded instanceof MountedDevice.Mbr m) {
          d = "mbr " + m.diskId() + " " + m.offset();
        } else if (decoded instanceof MountedDevice.Gpt g) {
          d = "gpt " + g.partitionGuid();
        } else {
          d = "other " + ((MountedDevice.Other) decoded).length();
        }
        ours.append(letter).append(' ').append(d).append('\n');
      }
    }
    assertThat(ours.toString()).isEqualTo(py.stdout()).contains("C: ");
    System.out.println(systemEntry + " MountedDevices:\n" + ours);
  }
}
