package dev.vdisk.core.partition;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.partition.internal.GptHeader;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Feeds arbitrary bytes to {@link PartitionTable#read}. Only {@link VdiskException} (corrupt or
 * unsupported input) and {@link EOFException} may come out, and every partition must lie inside
 * the device and be readable.
 *
 * <p>The device is 64 KiB of zeros with the input's first 32 KiB at its start; input bytes beyond
 * 32 KiB are placed so that they end at the device's end, where the backup GPT lives (a 64 KiB
 * input is therefore exactly the device). The seeds in {@code
 * PartitionTableFuzzTestInputs/read} run as a regression test in every build; set {@code
 * JAZZER_FUZZ=1} to fuzz (for 5 minutes by default).
 */
class PartitionTableFuzzTest {
  static final int DEVICE_SIZE = 64 << 10;
  static final int HALF = DEVICE_SIZE / 2;

  @FuzzTest(maxDuration = "5m")
  void read(byte[] input) throws Exception {
    byte[] disk = new byte[DEVICE_SIZE];
    System.arraycopy(input, 0, disk, 0, Math.min(input.length, HALF));
    if (input.length > HALF) {
      byte[] tail = Arrays.copyOfRange(input, HALF, Math.min(input.length, DEVICE_SIZE));
      System.arraycopy(tail, 0, disk, DEVICE_SIZE - tail.length, tail.length);
    }
    if (input.length % 2 == 1) {
      for (int sectorSize : new int[] {512, 4096}) {
        fixGptChecksums(disk, sectorSize, sectorSize);
        fixGptChecksums(disk, DEVICE_SIZE - sectorSize, sectorSize);
      }
    }
    MemoryBlockDevice device = new MemoryBlockDevice(disk, false, "fuzz", 512);
    PartitionTable table;
    try {
      table = PartitionTable.read(device);
    } catch (VdiskException | EOFException expected) {
      return;
    }
    assertThat(table.scheme()).isNotNull();
    assertThat(table.sectorSize()).isIn(512, 4096);
    for (Partition p : table.partitions()) {
      assertThat(p.start()).isNotNegative();
      assertThat(p.size()).isPositive();
      assertThat(p.start() + p.size()).isLessThanOrEqualTo(device.size());
      assertThat(p.index()).isPositive();
      ByteBuffer sector = ByteBuffer.allocate((int) Math.min(p.size(), p.sectorSize()));
      p.read(0, sector);
      p.read(p.size() - sector.capacity(), sector.clear());
    }
  }

  /** Rewrites the entry-array and header CRC32s of a GPT header at {@code offset}, if there is one. */
  private static void fixGptChecksums(byte[] disk, int offset, int sectorSize) {
    ByteBuffer le = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
    if (le.getLong(offset) != GptHeader.SIGNATURE) {
      return;
    }
    long entryLba = le.getLong(offset + 72);
    long count = le.getInt(offset + 80) & 0xFFFF_FFFFL;
    long entrySize = le.getInt(offset + 84) & 0xFFFF_FFFFL;
    long arrayBytes = count <= DEVICE_SIZE && entrySize <= DEVICE_SIZE ? count * entrySize : -1;
    if (arrayBytes >= 0 && entryLba >= 0 && entryLba < DEVICE_SIZE / sectorSize
        && arrayBytes <= DEVICE_SIZE - entryLba * sectorSize) {
      CRC32 crc = new CRC32();
      crc.update(disk, (int) (entryLba * sectorSize), (int) arrayBytes);
      le.putInt(offset + 88, (int) crc.getValue());
    }
    long headerSize = le.getInt(offset + 12) & 0xFFFF_FFFFL;
    if (headerSize >= 20 && headerSize <= sectorSize) {
      le.putInt(offset + 16, 0);
      CRC32 crc = new CRC32();
      crc.update(disk, offset, (int) headerSize);
      le.putInt(offset + 16, (int) crc.getValue());
    }
  }
}
