package dev.vdisk.vhd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HardDiskFooterTest {
  private static final Path FILE = Path.of("test.vhd");

  static HardDiskFooter sample() {
    return new HardDiskFooter(2, 0x00010000, 512, 12345, HardDiskFooter.fourCc("vdsk"), 1,
        HardDiskFooter.fourCc("Wi2k"), 1 << 20, 1 << 20, DiskGeometry.fromTotalSectors(2048),
        HardDiskFooter.DYNAMIC, 0, UUID.fromString("d49c5c80-350a-4a89-898a-5ad6d10f6578"),
        false, true);
  }

  @Test
  void roundTripWithChecksum() throws Exception {
    byte[] raw = sample().toBytes();
    assertThat(raw).hasSize(512);
    assertThat(new String(raw, 0, 8, "US-ASCII")).isEqualTo("conectix");
    HardDiskFooter parsed = HardDiskFooter.parse(ByteBuffer.wrap(raw), FILE, 0);
    assertThat(parsed.checksumValid()).isTrue();
    assertThat(parsed.currentSize()).isEqualTo(1 << 20);
    assertThat(parsed.uniqueId()).isEqualTo(sample().uniqueId());
    assertThat(parsed.variant()).isEqualTo("dynamic");
    assertThat(HardDiskFooter.fourCc(parsed.creatorApplication())).isEqualTo("vdsk");
    assertThat(parsed.creatorVersionText()).isEqualTo("0.1");
    // unique id is stored big-endian, as vhdiinfo prints it
    assertThat(raw[68]).isEqualTo((byte) 0xd4);
    assertThat(raw[83]).isEqualTo((byte) 0x78);
  }

  @Test
  void checksumIsOnesComplementOfByteSum() {
    byte[] raw = sample().toBytes();
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      if (i < 64 || i >= 68) {
        sum += raw[i] & 0xFF;
      }
    }
    assertThat(ByteBuffer.wrap(raw).getInt(64)).isEqualTo((int) ~sum);
  }

  @Test
  void badChecksumIsRecordedNotThrown() throws Exception {
    byte[] raw = sample().toBytes();
    raw[100] ^= 1;
    HardDiskFooter parsed = HardDiskFooter.parse(ByteBuffer.wrap(raw), FILE, 0);
    assertThat(parsed.checksumValid()).isFalse();
  }

  @Test
  void rejectsBadCookieTypeAndSize() {
    byte[] raw = sample().toBytes();
    raw[0] = 'C';
    assertThatThrownBy(() -> HardDiskFooter.parse(ByteBuffer.wrap(raw), FILE, 7))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("offset 7")
        .hasMessageContaining("hard disk footer");
    byte[] type = sample().toBytes();
    type[63] = 5;
    assertThatThrownBy(() -> HardDiskFooter.parse(ByteBuffer.wrap(type), FILE, 0))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("disk type 5");
    byte[] size = sample().toBytes();
    size[48] = (byte) 0x80;
    assertThatThrownBy(() -> HardDiskFooter.parse(ByteBuffer.wrap(size), FILE, 0))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("current size");
    assertThatThrownBy(() -> HardDiskFooter.parse(ByteBuffer.allocate(100), FILE, 0))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void timeStampEpochIs2000() {
    assertThat(HardDiskFooter.timeStampOf(Instant.parse("2000-01-01T00:00:10Z"))).isEqualTo(10);
    assertThat(HardDiskFooter.timeStampOf(Instant.parse("1990-01-01T00:00:00Z"))).isZero();
  }

  @Test
  void fourCcTrimsSpacesAndNuls() {
    assertThat(HardDiskFooter.fourCc(HardDiskFooter.fourCc("vpc "))).isEqualTo("vpc");
    assertThat(HardDiskFooter.fourCc(0x64327600)).isEqualTo("d2v");
  }

  /** libvhdi's own test fragment: a Virtual PC footer of a 512 MiB differencing disk. */
  @Test
  void libvhdiFooterFragment() throws Exception {
    Path fragment = ProjectPaths.corpus().resolve("libvhdi/tests/data/file_footer.1");
    HardDiskFooter footer =
        HardDiskFooter.parse(ByteBuffer.wrap(Files.readAllBytes(fragment)), fragment, 0);
    assertThat(footer.checksumValid()).isTrue();
    assertThat(footer.currentSize()).isEqualTo(536870912L);
    assertThat(footer.geometry()).hasToString("1040/16/63");
    assertThat(HardDiskFooter.fourCc(footer.creatorApplication())).isEqualTo("vpc");
    assertThat(footer.diskType()).isEqualTo(HardDiskFooter.DIFFERENCING);
    assertThat(footer.toBytes()).isEqualTo(Files.readAllBytes(fragment));
  }
}
