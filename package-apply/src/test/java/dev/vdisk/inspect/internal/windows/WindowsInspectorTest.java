package dev.vdisk.inspect.internal.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CBS state naming, KB parsing and MountedDevices decoding. */
class WindowsInspectorTest {

  @ParameterizedTest
  @CsvSource({
      "0x00, absent, false", "0x05, uninstall-pending, false", "0x10, resolving, false",
      "0x20, resolved, false", "0x30, staging, false", "0x40, staged, false",
      "0x50, superseded, false", "0x60, install-pending, false",
      "0x65, partially-installed, false", "0x70, installed, true", "0x80, permanent, true",
      "0xFFFFFF80, invalid-permanent, false", "0xFFFFFF90, invalid-installed, false",
      "0xFFFFFFC0, invalid-staged, false", "0xFFFFFFE0, invalid-resolved, false",
      "0x99, unknown-0x99, false", "0xFFFFFFFF, unknown-0xFFFFFFFF, false"})
  void cbsStatesAreNamedAsTheServicingChartNamesThem(String code, String name,
      boolean installed) {
    long c = Long.decode(code);
    assertThat(CbsState.name(c)).isEqualTo(name);
    assertThat(CbsState.installed(c)).isEqualTo(installed);
  }

  @ParameterizedTest
  @CsvSource(nullValues = "null", value = {
      "Package_for_KB5034441~31bf3856ad364e35~amd64~~19041.3920.1.1, KB5034441",
      "Package_1_for_KB5031455~31bf3856ad364e35~amd64~~22621.2506.1.7, KB5031455",
      "Package_for_kb890830~31bf3856ad364e35~amd64~~6.1.1.0, KB890830",
      "Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.3930.1.4, null",
      "Package_for_ServicingStack_3920~31bf3856ad364e35~amd64~~19041.3920.1.1, null",
      "Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~10.0.19041.1, null",
      "Package_for_KB12~31bf3856ad364e35~amd64~~1.0, null",
      // a KB in a later part of the identity is not the package's
      "Package_for_RollupFix~31bf3856ad364e35~amd64~KB5000000~1.0, null"})
  void kbIsParsedFromThePackageName(String identity, String kb) {
    assertThat(CbsIdentity.kb(identity)).isEqualTo(kb);
  }

  @Test
  void kbIsFoundInAnInstallName() {
    assertThat(CbsIdentity.find("Windows10.0-KB5034441-x64.cab")).isEqualTo("KB5034441");
    assertThat(CbsIdentity.find("C:\\Windows\\SoftwareDistribution\\Download\\x\\"
        + "windows11.0-kb5034765-x64_e7b3.cab")).isEqualTo("KB5034765");
    assertThat(CbsIdentity.find("update.mum")).isNull();
    assertThat(CbsIdentity.find(null)).isNull();
  }

  /** The 12-byte MBR form, built from random signatures and offsets (seed printed). */
  @RepeatedTest(20)
  void mbrFormDecodesAndMatchesTheStartOffset() {
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Random r = new Random(seed);
    long signature = Integer.toUnsignedLong(r.nextInt());
    long offset = (r.nextInt(1 << 20) + 1L) * 512;
    byte[] data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) signature).putLong(offset).array();
    MountedDevice d = MountedDevice.decode(data);
    assertThat(d).isEqualTo(new MountedDevice.Mbr(signature, offset));
    String diskId = String.format("0x%08x", signature);
    List<MountedDevice.Candidate> parts = List.of(
        new MountedDevice.Candidate(1, 1 << 20, null),
        new MountedDevice.Candidate(2, offset, null));
    assertThat(d.match(diskId, true, parts)).contains(2);
    assertThat(d.match("0x" + Long.toHexString(signature ^ 1), true, parts)).isEmpty();
    assertThat(d.match(diskId, false, parts)).isEmpty();
  }

  /**
   * The DMIO:ID: form: the GUID in its binary layout (Data1, Data2, Data3 little-endian, Data4
   * as is), built here by hand from a random UUID and compared with its string form.
   */
  @RepeatedTest(20)
  void gptFormDecodesToThePartitionGuidString() {
    long seed = System.nanoTime();
    System.out.println("seed " + seed);
    Random r = new Random(seed);
    UUID guid = new UUID(r.nextLong(), r.nextLong());
    String text = guid.toString().toUpperCase(java.util.Locale.ROOT);
    String[] f = text.split("-");
    ByteBuffer b = ByteBuffer.allocate(24);
    b.put("DMIO:ID:".getBytes(StandardCharsets.US_ASCII));
    b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) Long.parseLong(f[0], 16))
        .putShort((short) Integer.parseInt(f[1], 16)).putShort((short) Integer.parseInt(f[2], 16));
    String data4 = f[3] + f[4];
    for (int i = 0; i < 16; i += 2) {
      b.put((byte) Integer.parseInt(data4.substring(i, i + 2), 16));
    }
    MountedDevice d = MountedDevice.decode(b.array());
    assertThat(d).isEqualTo(new MountedDevice.Gpt(text));
    List<MountedDevice.Candidate> parts = List.of(
        new MountedDevice.Candidate(1, 1 << 20, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
        new MountedDevice.Candidate(3, 1 << 30, text.toLowerCase(java.util.Locale.ROOT)));
    assertThat(d.match("ABC", false, parts)).isEqualTo(Optional.of(3));
    assertThat(d.match("0x00000000", true, parts)).isEmpty();
  }

  @Test
  void otherFormsMatchNothing() {
    byte[] path = "\\??\\IDE#CdRomVBOX".getBytes(StandardCharsets.UTF_16LE);
    assertThat(MountedDevice.decode(path)).isEqualTo(new MountedDevice.Other(path.length));
    byte[] notDmio = new byte[24];
    assertThat(MountedDevice.decode(notDmio)).isInstanceOf(MountedDevice.Other.class);
    assertThat(MountedDevice.decode(new byte[0]).match("0x0", true,
        List.of(new MountedDevice.Candidate(1, 0, null)))).isEmpty();
  }

  @Test
  void driveLettersArchitecturesAndProductNames() {
    assertThat(WindowsInspector.driveLetter("\\DosDevices\\C:")).isEqualTo("C:");
    assertThat(WindowsInspector.driveLetter("\\dosdevices\\e:")).isEqualTo("E:");
    assertThat(WindowsInspector.driveLetter("\\??\\Volume{656b1715-ecf6-11df-92e6-806e6f6e6963}"))
        .isNull();
    assertThat(WindowsInspector.driveLetter("#{5aae7822-77cb-11e9-bcf1-784f439fa657}")).isNull();
    assertThat(WindowsInspector.arch("AMD64")).isEqualTo("x86_64");
    assertThat(WindowsInspector.arch("ARM64")).isEqualTo("aarch64");
    assertThat(WindowsInspector.arch("x86")).isEqualTo("i386");
    assertThat(WindowsInspector.productName("Windows 10 Pro", "Client", "22631"))
        .isEqualTo("Windows 11 Pro");
    assertThat(WindowsInspector.productName("Windows 10 Pro", "Client", "19045"))
        .isEqualTo("Windows 10 Pro");
    assertThat(WindowsInspector.productName("Windows Server 2022 Standard", "Server", "20348"))
        .isEqualTo("Windows Server 2022 Standard");
    assertThat(WindowsInspector.productName("Windows Server 2025 Datacenter", "Server", "26100"))
        .isEqualTo("Windows Server 2025 Datacenter");
  }
}
