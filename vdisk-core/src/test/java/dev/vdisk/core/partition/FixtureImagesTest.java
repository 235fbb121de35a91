package dev.vdisk.core.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads the committed fixture images (made by testdata/scripts) and checks what sfdisk and sgdisk
 * printed for them when they were made. The oracle test {@code PartitionTableIT} compares with the
 * tools live.
 */
class FixtureImagesTest {

  @Test
  void gpt5() throws Exception {
    byte[] image = Files.readAllBytes(ProjectPaths.image("gpt5.img"));
    PartitionTable table = PartitionTable.read(new MemoryBlockDevice(image, false, "gpt5.img", 512));

    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
    assertThat(table.diskId()).contains("5EC4D1A2-7B3F-4C2E-9A61-0D8F3B2C1E47");
    assertThat(table.warnings()).isEmpty();
    List<Partition> parts = table.partitions();
    assertThat(parts).extracting(Partition::index).containsExactly(1, 2, 3, 4, 5);
    assertThat(parts).extracting(Partition::firstSector).containsExactly(40L, 712L, 1384L, 2056L, 2728L);
    assertThat(parts).extracting(Partition::sectorCount).containsOnly(672L);
    assertThat(parts).extracting(Partition::name).containsExactly(
        "EFI System Partition", "Linux root fs", "swap space", "données", "LVM physical volume");
    assertThat(parts).extracting(p -> p.type().name()).containsExactly(
        "EFI System", "Linux filesystem", "Linux swap", "Microsoft basic data", "Linux LVM");
    assertThat(parts.get(3).uuid()).contains("3D4E5F60-7182-493A-BB4C-5D6E7F8091A3");
  }

  @Test
  void mbrExtended() throws Exception {
    byte[] image = Files.readAllBytes(ProjectPaths.image("mbr-extended.img"));
    PartitionTable table =
        PartitionTable.read(new MemoryBlockDevice(image, false, "mbr-extended.img", 512));

    assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.MBR);
    assertThat(table.diskId()).contains("0x1a2b3c4d");
    assertThat(table.warnings()).isEmpty();
    List<Partition> parts = table.partitions();
    assertThat(parts).extracting(Partition::index).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(parts).extracting(Partition::firstSector)
        .containsExactly(8L, 520L, 1032L, 1544L, 1552L, 2072L, 2592L);
    assertThat(parts).extracting(Partition::sectorCount)
        .containsExactly(512L, 512L, 512L, 2552L, 512L, 512L, 1504L);
    assertThat(parts).extracting(p -> p.type().id())
        .containsExactly("0x83", "0x82", "0x0c", "0x05", "0x83", "0x8e", "0x07");
    assertThat(parts).extracting(Partition::isExtended)
        .containsExactly(false, false, false, true, false, false, false);
    assertThat(parts.get(0).bootable()).isTrue();
    assertThat(parts.get(6).uuid()).contains("1a2b3c4d-07");
  }
}
