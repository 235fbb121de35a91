package dev.vdisk.core.partition;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.partition.internal.GptHeader;
import dev.vdisk.core.partition.internal.GptPartitionEntry;
import dev.vdisk.core.partition.internal.MasterBootRecord;
import dev.vdisk.core.partition.internal.MbrPartitionEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/** Builds small partitioned disks in memory for unit tests. */
final class TestDisks {
  static final UUID EFI_SYSTEM = UUID.fromString("C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
  static final UUID LINUX_FS = UUID.fromString("0FC63DAF-8483-4772-8E79-3D69D8477DE4");
  static final UUID BASIC_DATA = UUID.fromString("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
  static final UUID DISK_GUID = UUID.fromString("5EC4D1A2-7B3F-4C2E-9A61-0D8F3B2C1E47");

  private TestDisks() {}

  /** An MBR partition record with LBA fields only. */
  static MbrPartitionEntry entry(int boot, int type, long start, long size) {
    return new MbrPartitionEntry(boot, 0, type, 0, start, size);
  }

  static MbrPartitionEntry empty() {
    return entry(0, 0, 0, 0);
  }

  /** Writes an MBR (or EBR) with these records at a byte offset. */
  static void writeMbr(byte[] disk, long offset, long signature, MbrPartitionEntry... records) {
    List<MbrPartitionEntry> list = new ArrayList<>(Arrays.asList(records));
    while (list.size() < 4) {
      list.add(empty());
    }
    new MasterBootRecord(signature, list)
        .writeTo(ByteBuffer.wrap(disk).position((int) offset));
  }

  static MemoryBlockDevice device(byte[] disk, int sectorSize) {
    return new MemoryBlockDevice(disk, true, "test.img", sectorSize);
  }

  /** A GPT partition entry. */
  static GptPartitionEntry gptEntry(UUID type, int n, long first, long last, long attributes, String name) {
    return new GptPartitionEntry(type, new UUID(0x1111_2222_3333_4444L + n, 0x8555_6666_7777_8888L + n),
        first, last, attributes, name);
  }

  /** A GPT disk being built: call {@link #write()} to lay out pMBR, both headers and arrays. */
  static final class Gpt {
    final int sectorSize;
    final long sectors;
    final byte[] disk;
    int entries = 128;
    int entrySize = 128;
    final List<GptPartitionEntry> partitions = new ArrayList<>();

    Gpt(int sectorSize, long sectors) {
      this.sectorSize = sectorSize;
      this.sectors = sectors;
      this.disk = new byte[Math.toIntExact(sectors * sectorSize)];
    }

    Gpt add(GptPartitionEntry entry) {
      partitions.add(entry);
      return this;
    }

    long arraySectors() {
      return ((long) entries * entrySize + sectorSize - 1) / sectorSize;
    }

    long firstUsable() {
      return 2 + arraySectors();
    }

    long lastUsable() {
      return sectors - 2 - arraySectors();
    }

    long backupArrayLba() {
      return sectors - 1 - arraySectors();
    }

    Gpt write() {
      writeMbr(disk, 0, 0, entry(0, 0xEE, 1, Math.min(sectors - 1, 0xFFFF_FFFFL)));
      byte[] array = new byte[entries * entrySize];
      for (int i = 0; i < partitions.size(); i++) {
        partitions.get(i).writeTo(ByteBuffer.wrap(array).position(i * entrySize));
      }
      CRC32 crc = new CRC32();
      crc.update(array);
      long arrayCrc = crc.getValue();
      System.arraycopy(array, 0, disk, 2 * sectorSize, array.length);
      System.arraycopy(array, 0, disk, (int) (backupArrayLba() * sectorSize), array.length);
      header(1, sectors - 1, 2, arrayCrc).writeTo(ByteBuffer.wrap(disk).position(sectorSize));
      header(sectors - 1, 1, backupArrayLba(), arrayCrc)
          .writeTo(ByteBuffer.wrap(disk).position((int) ((sectors - 1) * sectorSize)));
      return this;
    }

    GptHeader header(long my, long alternate, long arrayLba, long arrayCrc) {
      return new GptHeader(0x0001_0000, 92, 0, my, alternate, firstUsable(), lastUsable(),
          DISK_GUID, arrayLba, entries, entrySize, arrayCrc);
    }

    /** Rewrites a header in place with new field values and a correct CRC. */
    void rewriteHeader(long lba, java.util.function.UnaryOperator<GptHeader> change) throws Exception {
      ByteBuffer sector = ByteBuffer.wrap(disk, (int) (lba * sectorSize), sectorSize).slice();
      GptHeader header = GptHeader.parse(sector, "test", lba * sectorSize);
      change.apply(header).writeTo(sector);
    }

    int offsetOf(long lba) {
      return (int) (lba * sectorSize);
    }

    MemoryBlockDevice device() {
      return TestDisks.device(disk, sectorSize);
    }

    MemoryBlockDevice device(int reportedSectorSize) {
      return TestDisks.device(disk, reportedSectorSize);
    }
  }

  static void putLe32(byte[] disk, int offset, long value) {
    ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, (int) value);
  }
}
