package dev.vdisk.core.partition;

import dev.vdisk.core.util.Guids;
import static dev.vdisk.core.partition.TestDisks.BASIC_DATA;
import static dev.vdisk.core.partition.TestDisks.EFI_SYSTEM;
import static dev.vdisk.core.partition.TestDisks.LINUX_FS;
import static dev.vdisk.core.partition.TestDisks.gptEntry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.partition.internal.GptHeader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GptPartitionTableTest {

  static TestDisks.Gpt threePartitions(int sectorSize, long sectors) {
    TestDisks.Gpt gpt = new TestDisks.Gpt(sectorSize, sectors);
    gpt.partitions.add(gptEntry(EFI_SYSTEM, 1, 40, 99, 1L << 2, "EFI System Partition"));
    gpt.partitions.add(gptEntry(LINUX_FS, 2, 100, 199, 0, "données"));
    // slot 3 unused, slot 4 a basic data partition
    gpt.partitions.add(new dev.vdisk.core.partition.internal.GptPartitionEntry(
        dev.vdisk.core.util.Guids.ZERO, dev.vdisk.core.util.Guids.ZERO,
        0, 0, 0, ""));
    gpt.partitions.add(gptEntry(BASIC_DATA, 4, 200, 299, 0x8000_0000_0000_0001L,
        "a name of exactly thirty-six chars!!"));
    return gpt.write();
  }

  @Test
  void readsEntriesNamesAndGuids() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    PartitionTable table = PartitionTable.read(gpt.device());

    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
    assertThat(table.scheme().jsonName()).isEqualTo("gpt");
    assertThat(table.diskId()).contains("5EC4D1A2-7B3F-4C2E-9A61-0D8F3B2C1E47");
    assertThat(table.sectorSize()).isEqualTo(512);
    assertThat(table.usedBackup()).isFalse();
    assertThat(table.warnings()).isEmpty();
    List<Partition> parts = table.partitions();
    assertThat(parts).extracting(Partition::index).containsExactly(1, 2, 4);
    Partition esp = parts.get(0);
    assertThat(esp.type()).isEqualTo(new PartitionType(PartitionTable.Scheme.GPT,
        "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "EFI System"));
    assertThat(esp.name()).isEqualTo("EFI System Partition");
    assertThat(esp.uuid()).contains("11112222-3333-4445-8555-666677778889");
    assertThat(esp.bootable()).isTrue();
    assertThat(esp.attributes()).isEqualTo(4);
    assertThat(esp.firstSector()).isEqualTo(40);
    assertThat(esp.sectorCount()).isEqualTo(60);
    assertThat(esp.start()).isEqualTo(40 * 512);
    assertThat(esp.size()).isEqualTo(60 * 512);
    assertThat(parts.get(1).name()).isEqualTo("données");
    assertThat(parts.get(1).type().name()).isEqualTo("Linux filesystem");
    assertThat(parts.get(1).bootable()).isFalse();
    assertThat(parts.get(2).name()).isEqualTo("a name of exactly thirty-six chars!!");
    assertThat(parts.get(2).attributes()).isEqualTo(0x8000_0000_0000_0001L);
    assertThat(parts.get(2).type().name()).isEqualTo("Microsoft basic data");
  }

  @Test
  void guidsAreMixedEndianOnDisk() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    // The EFI System type GUID as the specification stores it.
    byte[] expected = {
      0x28, 0x73, 0x2A, (byte) 0xC1, 0x1F, (byte) 0xF8, (byte) 0xD2, 0x11,
      (byte) 0xBA, 0x4B, 0x00, (byte) 0xA0, (byte) 0xC9, 0x3E, (byte) 0xC9, 0x3B
    };
    assertThat(Arrays.copyOfRange(gpt.disk, 1024, 1040)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "GPT with {0}-byte sectors on a device reporting {1}")
  @CsvSource({"4096, 4096", "4096, 512", "512, 4096", "512, 512"})
  void findsTheSectorSizeTheGptWasWrittenWith(int gptSectorSize, int deviceSectorSize)
      throws Exception {
    TestDisks.Gpt gpt = threePartitions(gptSectorSize, 1024);
    PartitionTable table = PartitionTable.read(gpt.device(deviceSectorSize));
    assertThat(table.sectorSize()).isEqualTo(gptSectorSize);
    assertThat(table.usedBackup()).isFalse();
    assertThat(table.partitions()).hasSize(3);
    Partition esp = table.partitions().get(0);
    assertThat(esp.start()).isEqualTo(40L * gptSectorSize);
    assertThat(esp.sectorSize()).isEqualTo(gptSectorSize);
  }

  @Test
  void zeroedPrimaryHeaderFallsBackToTheBackup() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    Arrays.fill(gpt.disk, 512, 1024, (byte) 0);

    PartitionTable table = PartitionTable.read(gpt.device());

    assertThat(table.usedBackup()).isTrue();
    assertThat(table.partitions()).extracting(Partition::index).containsExactly(1, 2, 4);
    assertThat(table.warnings()).singleElement().asString()
        .contains("primary GPT header at LBA 1")
        .contains("backup GPT header at LBA 4095");
  }

  @Test
  void primaryHeaderCrcMismatchFallsBackToTheBackup() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    gpt.disk[512 + 40]++; // FirstUsableLBA, not covered by a fresh CRC

    PartitionTable table = PartitionTable.read(gpt.device());

    assertThat(table.usedBackup()).isTrue();
    assertThat(table.partitions()).hasSize(3);
    assertThat(table.warnings()).singleElement().asString()
        .contains("primary GPT header at LBA 1")
        .contains("header CRC32 mismatch")
        .contains("using the backup GPT header at LBA 4095");
  }

  @Test
  void primaryEntryArrayCrcMismatchFallsBackToTheBackup() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    gpt.disk[1024 + 56] ^= 1; // a byte of the first name

    PartitionTable table = PartitionTable.read(gpt.device());

    assertThat(table.usedBackup()).isTrue();
    assertThat(table.partitions().get(0).name()).isEqualTo("EFI System Partition");
    assertThat(table.warnings()).singleElement().asString()
        .contains("primary GPT partition entry array at LBA 2")
        .contains("CRC32 mismatch");
  }

  @Test
  void backupIsFoundInTheLastLbaWhenThePrimaryIsUnreadable() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    // A valid-CRC primary that points to a wrong AlternateLBA but has a bad MyLBA.
    gpt.rewriteHeader(1, h -> new GptHeader(h.revision(), h.headerSize(), 0, 7, 3000,
        h.firstUsableLba(), h.lastUsableLba(), h.diskGuid(), h.partitionEntryLba(),
        h.numberOfPartitionEntries(), h.sizeOfPartitionEntry(), h.partitionEntryArrayCrc32()));
    PartitionTable table = PartitionTable.read(gpt.device());
    assertThat(table.usedBackup()).isTrue();
    assertThat(table.warnings()).singleElement().asString().contains("MyLBA is 7");
  }

  @Test
  void damagedBackupUnderAGoodPrimaryIsAWarning() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    gpt.disk[gpt.offsetOf(gpt.backupArrayLba()) + 60] ^= 1;

    PartitionTable table = PartitionTable.read(gpt.device());

    assertThat(table.usedBackup()).isFalse();
    assertThat(table.partitions()).hasSize(3);
    assertThat(table.warnings()).singleElement().asString()
        .startsWith("backup GPT partition entry array")
        .contains("primary GPT is intact");
  }

  @Test
  void bothEntryArraysCorruptIsCorrupt() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    gpt.disk[1024 + 56] ^= 1;
    gpt.disk[gpt.offsetOf(gpt.backupArrayLba()) + 56] ^= 1;

    CorruptStructureException e = org.junit.jupiter.api.Assertions.assertThrows(
        CorruptStructureException.class, () -> PartitionTable.read(gpt.device()));

    assertThat(e).isExactlyInstanceOf(CorruptStructureException.class);
    assertThat(e.offset()).isEqualTo(512);
    assertThat(e.structure()).isEqualTo("GPT partition entry array");
    assertThat(e.getMessage())
        .contains("test.img")
        .contains("offset 512")
        .contains("GPT partition entry array")
        .containsPattern("CRC32 mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}")
        .contains("backup");
  }

  @Test
  void bothHeadersZeroedIsCorrupt() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    Arrays.fill(gpt.disk, 512, 1024, (byte) 0);
    Arrays.fill(gpt.disk, gpt.offsetOf(4095), gpt.disk.length, (byte) 0);
    assertThatThrownBy(() -> PartitionTable.read(gpt.device()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("offset 512")
        .hasMessageContaining("GPT header");
  }

  @Test
  void hugeNumberOfPartitionEntriesIsRejectedWithoutAllocating() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    for (long lba : new long[] {1, 4095}) {
      gpt.rewriteHeader(lba, h -> new GptHeader(h.revision(), h.headerSize(), 0, h.myLba(),
          h.alternateLba(), h.firstUsableLba(), h.lastUsableLba(), h.diskGuid(),
          h.partitionEntryLba(), 0xFFFF_FFFFL, 0x8000_0000L, h.partitionEntryArrayCrc32()));
    }
    assertThatThrownBy(() -> PartitionTable.read(gpt.device()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("offset 512")
        .hasMessageContaining("GPT header")
        .hasMessageContaining("4 MiB limit");
  }

  @Test
  void entryArrayPastTheEndIsCorrupt() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    for (long lba : new long[] {1, 4095}) {
      gpt.rewriteHeader(lba, h -> new GptHeader(h.revision(), h.headerSize(), 0, h.myLba(),
          h.alternateLba(), h.firstUsableLba(), h.lastUsableLba(), h.diskGuid(),
          4090, h.numberOfPartitionEntries(), h.sizeOfPartitionEntry(),
          h.partitionEntryArrayCrc32()));
    }
    assertThatThrownBy(() -> PartitionTable.read(gpt.device()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("partition entry array at LBA 4090");
  }

  @Test
  void badEntrySizeIsCorrupt() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    for (long lba : new long[] {1, 4095}) {
      gpt.rewriteHeader(lba, h -> new GptHeader(h.revision(), h.headerSize(), 0, h.myLba(),
          h.alternateLba(), h.firstUsableLba(), h.lastUsableLba(), h.diskGuid(),
          h.partitionEntryLba(), h.numberOfPartitionEntries(), 384, h.partitionEntryArrayCrc32()));
    }
    assertThatThrownBy(() -> PartitionTable.read(gpt.device()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("partition entry size 384");
  }

  @Test
  void largerEntriesAreRead() throws Exception {
    TestDisks.Gpt gpt = new TestDisks.Gpt(512, 4096);
    gpt.entrySize = 256;
    gpt.entries = 64;
    gpt.partitions.add(gptEntry(LINUX_FS, 1, 40, 99, 0, "one"));
    gpt.partitions.add(gptEntry(LINUX_FS, 2, 100, 199, 0, "two"));
    gpt.write();
    PartitionTable table = PartitionTable.read(gpt.device());
    assertThat(table.partitions()).extracting(Partition::name).containsExactly("one", "two");
  }

  @Test
  void entryWithFirstAfterLastIsCorrupt() throws Exception {
    TestDisks.Gpt gpt = new TestDisks.Gpt(512, 4096);
    gpt.partitions.add(gptEntry(LINUX_FS, 1, 200, 100, 0, "reversed"));
    gpt.write();
    assertThatThrownBy(() -> PartitionTable.read(gpt.device()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("GPT partition entry")
        .hasMessageContaining("offset 1024")
        .hasMessageContaining("first LBA 200 after its last LBA 100");
  }

  @Test
  void entryPastTheEndIsCorrupt() throws Exception {
    TestDisks.Gpt gpt = new TestDisks.Gpt(512, 4096);
    gpt.partitions.add(gptEntry(LINUX_FS, 1, 40, 99, 0, "ok"));
    gpt.partitions.add(gptEntry(LINUX_FS, 2, 100, 5000, 0, "too long"));
    gpt.write();
    assertThatThrownBy(() -> PartitionTable.read(gpt.device()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("offset 1152")
        .hasMessageContaining("partition 2")
        .hasMessageContaining("last LBA 4095");
  }

  @Test
  void entryOutsideTheUsableRangeIsAWarning() throws Exception {
    TestDisks.Gpt gpt = new TestDisks.Gpt(512, 4096);
    gpt.partitions.add(gptEntry(LINUX_FS, 1, 10, 99, 0, "over the array"));
    gpt.write();
    PartitionTable table = PartitionTable.read(gpt.device());
    assertThat(table.partitions()).hasSize(1);
    assertThat(table.warnings()).singleElement().asString().contains("usable LBAs 34..4062");
  }

  @Test
  void hybridMbrReadsTheGpt() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    TestDisks.writeMbr(gpt.disk, 0, 0x1234, TestDisks.entry(0, 0xEE, 1, 39),
        TestDisks.entry(0x80, 0x0C, 40, 60));
    PartitionTable table = PartitionTable.read(gpt.device());
    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
    assertThat(table.partitions()).hasSize(3);
  }

  @Test
  void gptWithoutProtectiveMbrIsReadWithAWarning() throws Exception {
    TestDisks.Gpt gpt = threePartitions(512, 4096);
    Arrays.fill(gpt.disk, 0, 512, (byte) 0);
    PartitionTable table = PartitionTable.read(gpt.device());
    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
    assertThat(table.partitions()).hasSize(3);
    assertThat(table.warnings()).singleElement().asString().contains("no protective MBR");
  }

  @Test
  void emptyGpt() throws Exception {
    TestDisks.Gpt gpt = new TestDisks.Gpt(512, 100).write();
    PartitionTable table = PartitionTable.read(gpt.device());
    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
    assertThat(table.partitions()).isEmpty();
  }
}
