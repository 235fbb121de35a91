package dev.vdisk.core.partition;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.VdiskException;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Feeds arbitrary bytes to {@link PartitionTable#read}. Only {@link VdiskException} (corrupt or
 * unsupported input) and {@link EOFException} may come out, and every partition must lie inside
 * the device and be readable.
 *
 * <p>The device is 64 KiB of zeros with the input at its start; input bytes beyond 64 KiB are
 * placed so that they end at the device's end, where the backup GPT lives. The seeds in {@code
 * PartitionTableFuzzTestInputs/read} run as a regression test in every build; set {@code
 * JAZZER_FUZZ=1} to fuzz (for 5 minutes by default).
 */
class PartitionTableFuzzTest {
  static final int DEVICE_SIZE = 64 << 10;

  @FuzzTest(maxDuration = "5m")
  void read(byte[] input) throws Exception {
    byte[] disk = new byte[DEVICE_SIZE];
    System.arraycopy(input, 0, disk, 0, Math.min(input.length, DEVICE_SIZE));
    if (input.length > DEVICE_SIZE) {
      byte[] tail = Arrays.copyOfRange(input, DEVICE_SIZE, Math.min(input.length, 2 * DEVICE_SIZE));
      System.arraycopy(tail, 0, disk, DEVICE_SIZE - tail.length, tail.length);
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
}
