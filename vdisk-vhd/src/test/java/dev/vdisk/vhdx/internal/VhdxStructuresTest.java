package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Parse/write round trips and validation of each MS-VHDX structure. */
class VhdxStructuresTest {
  private static final Path FILE = Path.of("test.vhdx");

  @Test
  void guidsUseTheWindowsByteOrder() {
    ByteBuffer b = ByteBuffer.allocate(16);
    Guids.write(b, 0, RegionTableEntry.BAT);
    assertThat(HexFormat.of().formatHex(b.array())).isEqualTo("6677c22d23f600429d64115e9bfd4a08");
    assertThat(Guids.read(b, 0)).isEqualTo(RegionTableEntry.BAT);
    assertThat(Guids.parse("{2DC27766-F623-4200-9D64-115E9BFD4A08}")).isEqualTo(RegionTableEntry.BAT);
    assertThat(Guids.parse("not a guid")).isNull();
  }

  @Test
  void crc32cSkipsTheChecksumField() {
    byte[] a = new byte[64];
    a[10] = 1;
    byte[] b = a.clone();
    b[4] = 99;
    assertThat(Checksums.crc32c(a, 0, 64, 4)).isEqualTo(Checksums.crc32c(b, 0, 64, 4));
    // CRC-32C("123456789") = 0xE3069283, the standard check value.
    byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(VhdxLog.crc32c(check)).isEqualTo(0xE3069283);
  }

  @Test
  void fileTypeIdentifierRoundTrip() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(FileTypeIdentifier.SIZE);
    new FileTypeIdentifier("vdisk test").writeTo(b);
    assertThat(new String(b.array(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("vhdxfile");
    assertThat(FileTypeIdentifier.parse(b, FILE).creator()).isEqualTo("vdisk test");
    assertThatThrownBy(() -> FileTypeIdentifier.parse(ByteBuffer.allocate(520), FILE))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("vhdxfile");
  }

  private static VhdxHeader header(long sequence) {
    return new VhdxHeader(sequence, UUID.randomUUID(), UUID.randomUUID(), Guids.ZERO, 0, 1,
        1 << 20, 1 << 20);
  }

  @Test
  void headerRoundTripAndChecksum() throws Exception {
    VhdxHeader h = header(7);
    byte[] raw = h.toBytes();
    assertThat(new String(raw, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("head");
    assertThat(VhdxHeader.parse(ByteBuffer.wrap(raw), FILE, 65536)).isEqualTo(h);
    raw[100] ^= 1;
    assertThatThrownBy(() -> VhdxHeader.parse(ByteBuffer.wrap(raw), FILE, 65536))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("offset 65536").hasMessageContaining("checksum");
  }

  @Test
  void headerRejectsOtherVersionsAndMisalignedLogs() {
    VhdxHeader v2 = new VhdxHeader(1, Guids.ZERO, Guids.ZERO, Guids.ZERO, 0, 2, 1 << 20, 1 << 20);
    assertThatThrownBy(() -> VhdxHeader.parse(ByteBuffer.wrap(v2.toBytes()), FILE, 0))
        .hasMessageContaining("version 2");
    VhdxHeader log = new VhdxHeader(1, Guids.ZERO, Guids.ZERO, Guids.ZERO, 0, 1, 4096, 1 << 20);
    assertThatThrownBy(() -> VhdxHeader.parse(ByteBuffer.wrap(log.toBytes()), FILE, 0))
        .hasMessageContaining("1 MiB");
  }

  @Test
  void regionTableRoundTripAndValidation() throws Exception {
    long mib = 1 << 20;
    RegionTable t = new RegionTable(List.of(
        new RegionTableEntry(RegionTableEntry.BAT, 3 * mib, mib, true),
        new RegionTableEntry(RegionTableEntry.METADATA, 2 * mib, mib, true)));
    ByteBuffer b = ByteBuffer.allocate(RegionTable.SIZE);
    t.writeTo(b);
    assertThat(RegionTable.parse(b, FILE, 0)).isEqualTo(t);
    assertThat(RegionTable.parse(b, FILE, 0).find(RegionTableEntry.METADATA)).isPresent();

    RegionTable overlapping = new RegionTable(List.of(
        new RegionTableEntry(RegionTableEntry.BAT, 2 * mib, 2 * mib, true),
        new RegionTableEntry(RegionTableEntry.METADATA, 3 * mib, mib, true)));
    overlapping.writeTo(b.clear());
    assertThatThrownBy(() -> RegionTable.parse(b, FILE, 196608)).hasMessageContaining("overlaps");

    t.writeTo(b.clear());
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(8, 5000);
    b.putInt(4, Checksums.crc32c(b.array(), 0, RegionTable.SIZE, 4));
    assertThatThrownBy(() -> RegionTable.parse(b, FILE, 0)).hasMessageContaining("5000 entries");
  }

  @Test
  void metadataTableRoundTripAndBounds() throws Exception {
    MetadataTable t = new MetadataTable(List.of(
        new MetadataTableEntry(MetadataTableEntry.FILE_PARAMETERS, 65536, 8, false, false, true),
        new MetadataTableEntry(MetadataTableEntry.VIRTUAL_DISK_SIZE, 65544, 8, false, true,
            true)));
    ByteBuffer b = ByteBuffer.allocate(MetadataTable.SIZE);
    t.writeTo(b);
    assertThat(MetadataTable.parse(b, 1 << 20, FILE, 0)).isEqualTo(t);
    assertThatThrownBy(() -> MetadataTable.parse(b, 65540, FILE, 0))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("not inside");
  }

  @Test
  void fileParametersValidateTheBlockSize() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8);
    new FileParameters(32 << 20, false, true).writeTo(b);
    assertThat(FileParameters.parse(b, FILE, 0)).isEqualTo(new FileParameters(32 << 20, false,
        true));
    new FileParameters(3 << 20, false, false).writeTo(b);
    assertThatThrownBy(() -> FileParameters.parse(b, FILE, 0)).hasMessageContaining("power of two");
  }

  @Test
  void parentLocatorRoundTrip() throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("parent_linkage", "{83ac5f12-a4b1-4d1c-9c57-7e0b5e7ad2c1}");
    keys.put("relative_path", ".\\base.vhdx");
    ParentLocator l = new ParentLocator(ParentLocator.VHDX_LOCATOR_TYPE, keys);
    ByteBuffer b = ByteBuffer.allocate(l.size());
    l.writeTo(b);
    assertThat(ParentLocator.parse(b, FILE, 0)).isEqualTo(l);
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(20, 100_000);
    assertThatThrownBy(() -> ParentLocator.parse(b, FILE, 0)).hasMessageContaining("outside");
  }

  @Test
  void batGeometryInterleavesSectorBitmapEntries() {
    Bat small = new Bat(1 << 20, 512, 10L << 30, false);
    assertThat(small.chunkRatio()).isEqualTo(4096);
    assertThat(small.payloadIndex(4095)).isEqualTo(4095);
    assertThat(small.payloadIndex(4096)).isEqualTo(4097);
    assertThat(small.bitmapIndex(0)).isEqualTo(4096);
    assertThat(small.dataBlocks()).isEqualTo(10240);
    assertThat(small.totalEntries()).isEqualTo(10240 + 2);
    assertThat(new Bat(32 << 20, 512, 1L << 30, false).chunkRatio()).isEqualTo(128);
    assertThat(new Bat(256 << 20, 4096, 1L << 30, false).chunkRatio()).isEqualTo(128);
    Bat diff = new Bat(2 << 20, 512, 10L << 30, true);
    assertThat(diff.chunkRatio()).isEqualTo(2048);
    assertThat(diff.bitmapBlocks()).isEqualTo(3);
    assertThat(diff.totalEntries()).isEqualTo(3 * 2049);
    assertThat(new Bat(1 << 20, 512, 0, false).totalEntries()).isZero();
  }

  @Test
  void batEntryPacksStateAndOffset() {
    BatEntry e = new BatEntry(BatEntry.PAYLOAD_BLOCK_FULLY_PRESENT, 42);
    assertThat(e.toLong()).isEqualTo((42L << 20) | 6);
    assertThat(BatEntry.parse(e.toLong())).isEqualTo(e);
    assertThat(e.fileOffset()).isEqualTo(42L << 20);
    assertThat(BatEntry.parse(0xFFFF_FFFF_FFFF_FFFFL).state()).isEqualTo(7);
  }
}
