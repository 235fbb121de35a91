package dev.vdisk.vhd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DynamicDiskHeaderTest {
  private static final Path FILE = Path.of("test.vhd");

  static DynamicDiskHeader sample(long blockSize) {
    List<ParentLocatorEntry> locators = new ArrayList<>();
    locators.add(new ParentLocatorEntry(ParentLocatorEntry.W2KU, 512, 20, 0, 2048));
    while (locators.size() < 8) {
      locators.add(ParentLocatorEntry.empty());
    }
    return new DynamicDiskHeader(-1, 1536, 0x00010000, 3, blockSize, 0,
        UUID.fromString("d49c5c80-350a-4a89-898a-5ad6d10f6578"), 99, 0, "parent.vhd", locators,
        true);
  }

  @Test
  void roundTrip() throws Exception {
    byte[] raw = sample(2 << 20).toBytes();
    DynamicDiskHeader parsed = DynamicDiskHeader.parse(ByteBuffer.wrap(raw), FILE, 512);
    assertThat(parsed.checksumValid()).isTrue();
    assertThat(parsed.parentUnicodeName()).isEqualTo("parent.vhd");
    assertThat(parsed.parentLocators().get(0)).isEqualTo(sample(2 << 20).parentLocators().get(0));
    assertThat(parsed.maxTableEntries()).isEqualTo(3);
    assertThat(parsed.sectorBitmapSize()).isEqualTo(512);
    // the name is UTF-16 big-endian
    assertThat(raw[64]).isZero();
    assertThat(raw[65]).isEqualTo((byte) 'p');
    assertThat(parsed.toBytes()).isEqualTo(raw);
  }

  @Test
  void bitmapSizeIsPaddedTo512() {
    assertThat(DynamicDiskHeader.sectorBitmapSize(512)).isEqualTo(512);
    assertThat(DynamicDiskHeader.sectorBitmapSize(2 << 20)).isEqualTo(512);
    assertThat(DynamicDiskHeader.sectorBitmapSize(4 << 20)).isEqualTo(1024);
    assertThat(DynamicDiskHeader.sectorBitmapSize(256 << 20)).isEqualTo(65536);
  }

  @Test
  void rejectsBadCookieVersionAndBlockSize() {
    byte[] cookie = sample(2 << 20).toBytes();
    cookie[1] = 'X';
    assertThatThrownBy(() -> DynamicDiskHeader.parse(ByteBuffer.wrap(cookie), FILE, 512))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("cxsparse");
    byte[] version = sample(2 << 20).toBytes();
    version[25] = 2;
    assertThatThrownBy(() -> DynamicDiskHeader.parse(ByteBuffer.wrap(version), FILE, 512))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("version");
    for (long bad : new long[] {0, 256, 3 << 20}) {
      byte[] raw = sample(bad).toBytes();
      assertThatThrownBy(() -> DynamicDiskHeader.parse(ByteBuffer.wrap(raw), FILE, 512))
          .isInstanceOf(CorruptStructureException.class).hasMessageContaining("block size");
    }
  }

  @Test
  void badChecksumIsRecorded() throws Exception {
    byte[] raw = sample(2 << 20).toBytes();
    raw[900] = 1;
    assertThat(DynamicDiskHeader.parse(ByteBuffer.wrap(raw), FILE, 512).checksumValid())
        .isFalse();
  }

  /** libvhdi's own test fragment: a differencing disk's header naming dynamic.vhd. */
  @Test
  void libvhdiHeaderFragment() throws Exception {
    Path fragment = ProjectPaths.corpus().resolve("libvhdi/tests/data/dynamic_disk_header.1");
    byte[] raw = Files.readAllBytes(fragment);
    DynamicDiskHeader header = DynamicDiskHeader.parse(ByteBuffer.wrap(raw), fragment, 0);
    assertThat(header.checksumValid()).isTrue();
    assertThat(header.tableOffset()).isEqualTo(1536);
    assertThat(header.maxTableEntries()).isEqualTo(256);
    assertThat(header.blockSize()).isEqualTo(2 << 20);
    assertThat(header.parentUnicodeName()).isEqualTo("dynamic.vhd");
    assertThat(header.parentUniqueId())
        .isEqualTo(UUID.fromString("d49c5c80-350a-4a89-898a-5ad6d10f6578"));
    assertThat(header.toBytes()).isEqualTo(raw);
  }
}
