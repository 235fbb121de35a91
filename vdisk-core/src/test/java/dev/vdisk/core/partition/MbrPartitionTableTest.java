package dev.vdisk.core.partition;

import static dev.vdisk.core.partition.TestDisks.device;
import static dev.vdisk.core.partition.TestDisks.empty;
import static dev.vdisk.core.partition.TestDisks.entry;
import static dev.vdisk.core.partition.TestDisks.writeMbr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MbrPartitionTableTest {
  private static final int SECTORS = 4096; // 2 MiB

  @Test
  void primariesKeepTheirSlotNumbers() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 0x1A2B3C4DL,
        entry(0x80, 0x83, 8, 512),
        empty(),
        entry(0, 0x82, 520, 512),
        entry(0, 0x0C, 1032, 3064));

    PartitionTable table = PartitionTable.read(device(disk, 512));

    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.MBR);
    assertThat(table.diskId()).contains("0x1a2b3c4d");
    assertThat(table.sectorSize()).isEqualTo(512);
    assertThat(table.warnings()).isEmpty();
    assertThat(table.usedBackup()).isFalse();
    List<Partition> parts = table.partitions();
    assertThat(parts).extracting(Partition::index).containsExactly(1, 3, 4);
    Partition first = parts.get(0);
    assertThat(first.start()).isEqualTo(8 * 512);
    assertThat(first.size()).isEqualTo(512 * 512);
    assertThat(first.firstSector()).isEqualTo(8);
    assertThat(first.sectorCount()).isEqualTo(512);
    assertThat(first.type()).isEqualTo(new PartitionType(PartitionTable.Scheme.MBR, "0x83", "Linux"));
    assertThat(first.bootable()).isTrue();
    assertThat(first.attributes()).isEqualTo(0x80);
    assertThat(first.uuid()).contains("1a2b3c4d-01");
    assertThat(first.name()).isEmpty();
    assertThat(first.isExtended()).isFalse();
    assertThat(parts.get(1).bootable()).isFalse();
    assertThat(parts.get(1).uuid()).contains("1a2b3c4d-03");
    assertThat(parts.get(2).type().name()).isEqualTo("W95 FAT32 (LBA)");
  }

  @Test
  void zeroDiskSignatureGivesNoPartUuid() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 0, entry(0, 0x83, 8, 100));
    PartitionTable table = PartitionTable.read(device(disk, 512));
    assertThat(table.partitions().get(0).uuid()).isEmpty();
    assertThat(table.diskId()).contains("0x00000000");
  }

  @Test
  void zeroSizedAndTypelessSlotsAreSkipped() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 1,
        entry(0, 0x83, 8, 0), // type but no size
        entry(0, 0x00, 8, 100), // size but no type
        entry(0, 0x07, 200, 100),
        empty());
    PartitionTable table = PartitionTable.read(device(disk, 512));
    assertThat(table.partitions()).extracting(Partition::index).containsExactly(3);
  }

  /** Primary 1, extended 2 holding logicals 5, 6, 7 (the chain links relative to the extended start). */
  static byte[] extendedDisk() {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 0xCAFEF00DL, entry(0, 0x83, 8, 512), entry(0, 0x05, 1000, 3000));
    // EBR 1 at sector 1000: logical at +8, link to EBR at extended + 600.
    writeMbr(disk, 1000L * 512, 0, entry(0, 0x83, 8, 500), entry(0, 0x05, 600, 600));
    // EBR 2 at sector 1600: logical at +4 (type 8e), link to extended + 1200.
    writeMbr(disk, 1600L * 512, 0, entry(0, 0x8E, 4, 400), entry(0, 0x05, 1200, 1800));
    // EBR 3 at sector 2200: last logical, no link.
    writeMbr(disk, 2200L * 512, 0, entry(0x80, 0x07, 16, 1784));
    return disk;
  }

  @Test
  void extendedChainGivesLogicalsFromFive() throws Exception {
    PartitionTable table = PartitionTable.read(device(extendedDisk(), 512));

    assertThat(table.warnings()).isEmpty();
    List<Partition> parts = table.partitions();
    assertThat(parts).extracting(Partition::index).containsExactly(1, 2, 5, 6, 7);
    Partition extended = parts.get(1);
    assertThat(extended.isExtended()).isTrue();
    assertThat(extended.type().name()).isEqualTo("Extended");
    assertThat(extended.firstSector()).isEqualTo(1000);
    assertThat(extended.sectorCount()).isEqualTo(3000);
    assertThat(parts.get(2).firstSector()).isEqualTo(1008);
    assertThat(parts.get(2).sectorCount()).isEqualTo(500);
    assertThat(parts.get(3).firstSector()).isEqualTo(1604);
    assertThat(parts.get(3).type().name()).isEqualTo("Linux LVM");
    assertThat(parts.get(4).firstSector()).isEqualTo(2216);
    assertThat(parts.get(4).bootable()).isTrue();
    assertThat(parts.get(4).uuid()).contains("cafef00d-07");
    assertThat(parts.subList(2, 5)).noneMatch(Partition::isExtended);
  }

  @Test
  void ebrLoopIsCutWithAWarning() throws Exception {
    byte[] disk = extendedDisk();
    // EBR 2 links back to EBR 1 (offset 0 from the extended start).
    writeMbr(disk, 1600L * 512, 0, entry(0, 0x8E, 4, 400), entry(0, 0x05, 0, 600));

    PartitionTable table = PartitionTable.read(device(disk, 512));

    assertThat(table.partitions()).extracting(Partition::index).containsExactly(1, 2, 5, 6);
    assertThat(table.warnings()).singleElement().asString()
        .contains("loops back").contains("byte offset " + 1000 * 512);
  }

  @Test
  void ebrThatLinksToItselfTerminates() throws Exception {
    byte[] disk = extendedDisk();
    writeMbr(disk, 1000L * 512, 0, entry(0, 0x83, 8, 500), entry(0, 0x05, 0, 600));
    PartitionTable table = PartitionTable.read(device(disk, 512));
    assertThat(table.partitions()).extracting(Partition::index).containsExactly(1, 2, 5);
    assertThat(table.warnings()).hasSize(1);
  }

  @Test
  void longEbrChainIsBounded() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 1, entry(0, 0x05, 100, 3000));
    // 300 EBRs, one per sector, each with a one-sector logical partition and a link to the next.
    for (int i = 0; i < 300; i++) {
      writeMbr(disk, (100L + 2 * i) * 512, 0, entry(0, 0x83, 1, 1), entry(0, 0x05, 2L * (i + 1), 2));
    }
    PartitionTable table = PartitionTable.read(device(disk, 512));
    assertThat(table.partitions()).hasSize(1 + MbrReader.MAX_EBRS);
    assertThat(table.warnings()).singleElement().asString().contains("longer than 256");
  }

  @Test
  void ebrOutsideTheDeviceIsCorrupt() throws Exception {
    byte[] disk = extendedDisk();
    writeMbr(disk, 1600L * 512, 0, entry(0, 0x8E, 4, 400), entry(0, 0x05, 90_000, 600));
    assertThatThrownBy(() -> PartitionTable.read(device(disk, 512)))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("test.img")
        .hasMessageContaining("EBR")
        .hasMessageContaining("offset " + 91_000L * 512)
        .hasMessageContaining("outside the device");
  }

  @Test
  void logicalPastTheEndIsCorrupt() throws Exception {
    byte[] disk = extendedDisk();
    writeMbr(disk, 2200L * 512, 0, entry(0, 0x07, 16, 0xFFFF_FFFFL));
    assertThatThrownBy(() -> PartitionTable.read(device(disk, 512)))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("EBR")
        .hasMessageContaining("logical partition 7")
        .hasMessageContaining("offset " + (2200L * 512 + 446));
  }

  @Test
  void primaryPastTheEndIsCorrupt() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 1, entry(0, 0x83, 8, 100), entry(0, 0x83, 4000, 97));
    CorruptStructureException e = org.junit.jupiter.api.Assertions.assertThrows(
        CorruptStructureException.class, () -> PartitionTable.read(device(disk, 512)));
    assertThat(e.structure()).isEqualTo("MBR partition entry");
    assertThat(e.offset()).isEqualTo(446 + 16);
    assertThat(e.getMessage()).contains("partition 2").contains("4096 sectors");
  }

  @Test
  void startPastTheEndIsCorrupt() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 1, entry(0, 0x83, 0xFFFF_FFFFL, 0xFFFF_FFFFL));
    assertThatThrownBy(() -> PartitionTable.read(device(disk, 512)))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("MBR partition entry");
  }

  @Test
  void ebrWithoutSignatureEndsTheChainQuietlyWhenZero() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 1, entry(0, 0x0F, 100, 1000)); // empty extended partition
    PartitionTable table = PartitionTable.read(device(disk, 512));
    assertThat(table.partitions()).extracting(Partition::index).containsExactly(1);
    assertThat(table.warnings()).isEmpty();

    disk[100 * 512 + 3] = 42; // garbage, no signature
    table = PartitionTable.read(device(disk, 512));
    assertThat(table.warnings()).singleElement().asString().contains("no 0x55AA signature");
  }

  @Test
  void secondExtendedPartitionIsListedButNotFollowed() throws Exception {
    byte[] disk = extendedDisk();
    writeMbr(disk, 0, 1, entry(0, 0x83, 8, 512), entry(0, 0x05, 1000, 3000),
        entry(0, 0x85, 600, 300));
    writeMbr(disk, 600L * 512, 0, entry(0, 0x83, 8, 100));
    PartitionTable table = PartitionTable.read(device(disk, 512));
    assertThat(table.partitions()).extracting(Partition::index).containsExactly(1, 2, 3, 5, 6, 7);
    assertThat(table.warnings()).singleElement().asString().contains("second extended");
  }

  @Test
  void fourKibSectorDevice() throws Exception {
    byte[] disk = new byte[512 * 4096];
    writeMbr(disk, 0, 1, entry(0, 0x83, 1, 10));
    PartitionTable table = PartitionTable.read(device(disk, 4096));
    assertThat(table.sectorSize()).isEqualTo(4096);
    assertThat(table.partitions().get(0).start()).isEqualTo(4096);
    assertThat(table.partitions().get(0).size()).isEqualTo(40960);
    assertThat(table.partitions().get(0).sectorSize()).isEqualTo(4096);
  }

  @Test
  void noSignatureIsNoTable() throws Exception {
    PartitionTable table = PartitionTable.read(new MemoryBlockDevice(1 << 20));
    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.NONE);
    assertThat(table.scheme().jsonName()).isEqualTo("none");
    assertThat(table.partitions()).isEmpty();
    assertThat(table.diskId()).isEmpty();
    assertThat(table.warnings()).isEmpty();
  }

  @Test
  void tinyDeviceIsNoTable() throws Exception {
    assertThat(PartitionTable.read(new MemoryBlockDevice(100)).scheme())
        .isEqualTo(PartitionTable.Scheme.NONE);
    assertThat(PartitionTable.read(new MemoryBlockDevice(0)).scheme())
        .isEqualTo(PartitionTable.Scheme.NONE);
  }

  @Test
  void bareFatFileSystemIsNoTable() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    byte[] oem = "mkfs.fat".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(oem, 0, disk, 3, oem.length);
    byte[] fs = "FAT32   ".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(fs, 0, disk, 0x52, fs.length);
    // Boot code that happens to look like a valid partition record.
    writeMbr(disk, 0, 0, entry(0, 0x83, 8, 100));
    assertThat(PartitionTable.read(device(disk, 512)).scheme()).isEqualTo(PartitionTable.Scheme.NONE);
  }

  @Test
  void invalidBootIndicatorsAreNoTable() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 0, entry(0x12, 0x83, 8, 100));
    assertThat(PartitionTable.read(device(disk, 512)).scheme()).isEqualTo(PartitionTable.Scheme.NONE);
  }

  @Test
  void protectiveMbrWithoutGptIsCorrupt() throws Exception {
    byte[] disk = new byte[SECTORS * 512];
    writeMbr(disk, 0, 0, entry(0, 0xEE, 1, SECTORS - 1));
    assertThatThrownBy(() -> PartitionTable.read(device(disk, 512)))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("offset 512")
        .hasMessageContaining("GPT header")
        .hasMessageContaining("protective MBR");
  }
}
