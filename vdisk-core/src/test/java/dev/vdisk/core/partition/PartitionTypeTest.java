package dev.vdisk.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionTypeTest {

  @ParameterizedTest(name = "MBR {0} is {1}")
  @CsvSource(delimiter = '|', value = {
    "0x83 | Linux",
    "0x82 | Linux swap / Solaris",
    "0x05 | Extended",
    "0x0f | W95 Ext'd (LBA)",
    "0x0c | W95 FAT32 (LBA)",
    "0x07 | HPFS/NTFS/exFAT",
    "0x8e | Linux LVM",
    "0xfd | Linux raid autodetect",
    "0xef | EFI (FAT-12/16/32)",
    "0xee | GPT",
    "0x85 | Linux extended",
    "0x00 | Empty",
    "0x0d | Unknown",
  })
  void mbrNames(String id, String name) {
    PartitionType type = PartitionType.mbr(Integer.decode(id));
    assertThat(type.scheme()).isEqualTo(PartitionTable.Scheme.MBR);
    assertThat(type.id()).isEqualTo(id);
    assertThat(type.name()).isEqualTo(name);
  }

  @ParameterizedTest(name = "GPT {0} is {1}")
  @CsvSource(delimiter = '|', value = {
    "C12A7328-F81F-11D2-BA4B-00A0C93EC93B | EFI System",
    "0FC63DAF-8483-4772-8E79-3D69D8477DE4 | Linux filesystem",
    "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 | Microsoft basic data",
    "E3C9E316-0B5C-4DB8-817D-F92DF00215AE | Microsoft reserved",
    "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC | Windows recovery environment",
    "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F | Linux swap",
    "E6D6D379-F507-44C2-A23C-238F2A3DF928 | Linux LVM",
    "A19D880F-05FC-4D3B-A006-743F0F84911E | Linux RAID",
    "21686148-6449-6E6F-744E-656564454649 | BIOS boot",
    "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709 | Linux root (x86-64)",
    "933AC7E1-2EB4-4F13-B844-0E14E2AEF915 | Linux home",
    "773F91EF-66D4-49B5-BD83-D683BF40AD16 | Linux user's home",
    "01234567-89AB-CDEF-0123-456789ABCDEF | Unknown",
  })
  void gptNames(String guid, String name) {
    PartitionType type = PartitionType.gpt(UUID.fromString(guid.toLowerCase()));
    assertThat(type.scheme()).isEqualTo(PartitionTable.Scheme.GPT);
    assertThat(type.id()).isEqualTo(guid);
    assertThat(type.name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 256, 0x1000})
  void mbrTypeByteMustBeAByte(int typeByte) {
    assertThatThrownBy(() -> PartitionType.mbr(typeByte))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
