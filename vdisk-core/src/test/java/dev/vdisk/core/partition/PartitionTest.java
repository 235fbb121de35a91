package dev.vdisk.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.util.ForwardingBlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PartitionTest {

  /** A 1 MiB disk with one partition at sectors 8..15 (bytes 4096..8191). */
  private static Partition partitionOf(BlockDevice device) throws IOException {
    return PartitionTable.read(device).partitions().get(0);
  }

  private static byte[] disk() {
    byte[] disk = new byte[1 << 20];
    TestDisks.writeMbr(disk, 0, 0xABCDEF01L, TestDisks.entry(0, 0x83, 8, 8));
    for (int i = 4096; i < 8192; i++) {
      disk[i] = (byte) (i / 512);
    }
    return disk;
  }

  @Test
  void readsInsideItsWindow() throws Exception {
    Partition p = partitionOf(TestDisks.device(disk(), 512));
    assertThat(p.size()).isEqualTo(4096);
    ByteBuffer buffer = ByteBuffer.allocate(512);
    p.read(512, buffer);
    assertThat(buffer.position()).isEqualTo(512);
    assertThat(buffer.array()).containsOnly((byte) 9);
    ByteBuffer last = ByteBuffer.allocate(1);
    p.read(4095, last);
    assertThat(last.get(0)).isEqualTo((byte) 15);
    p.read(4096, ByteBuffer.allocate(0)); // an empty read at the end is fine
  }

  @Test
  void rejectsReadsOutsideItsWindow() throws Exception {
    Partition p = partitionOf(TestDisks.device(disk(), 512));
    assertThatThrownBy(() -> p.read(4095, ByteBuffer.allocate(2)))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("test.img partition 1");
    assertThatThrownBy(() -> p.read(-1, ByteBuffer.allocate(1))).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> p.read(Long.MAX_VALUE, ByteBuffer.allocate(1)))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> p.read(4097, ByteBuffer.allocate(0))).isInstanceOf(EOFException.class);
  }

  @Test
  void writesOnlyInsideItsWindow() throws Exception {
    byte[] disk = disk();
    Partition p = partitionOf(TestDisks.device(disk, 512));
    assertThat(p.isWritable()).isTrue();
    p.write(4094, ByteBuffer.wrap(new byte[] {42, 43}));
    assertThat(disk[4096 + 4094]).isEqualTo((byte) 42);
    assertThat(disk[4096 + 4095]).isEqualTo((byte) 43);
    assertThatThrownBy(() -> p.write(4095, ByteBuffer.wrap(new byte[2])))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> p.write(-2, ByteBuffer.wrap(new byte[1])))
        .isInstanceOf(EOFException.class);
    assertThat(disk[8192]).isEqualTo((byte) 0);
    assertThat(disk[4095]).isEqualTo((byte) 0);
  }

  @Test
  void readOnlyDeviceGivesReadOnlyPartitions() throws Exception {
    Partition p = partitionOf(MemoryBlockDevice.readOnlyCopyOf(disk()));
    assertThat(p.isWritable()).isFalse();
    assertThatThrownBy(() -> p.write(0, ByteBuffer.allocate(1)))
        .isInstanceOf(UnsafeToWriteException.class);
  }

  @Test
  void describesItselfAndKeepsTheDeviceOpen() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    MemoryBlockDevice memory = TestDisks.device(disk(), 512);
    BlockDevice device = new ForwardingBlockDevice(memory) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    Partition p = partitionOf(device);
    assertThat(p.description()).isEqualTo("test.img partition 1");
    assertThat(p.device()).isSameAs(device);
    assertThat(p.sectorSize()).isEqualTo(512);
    assertThat(p.toString()).contains("test.img partition 1").contains("0x83");
    p.close();
    assertThat(closed).isFalse();
    p.flush();
  }

  @Test
  void allocationRunsAreClippedToThePartition() throws Exception {
    MemoryBlockDevice memory = TestDisks.device(disk(), 512);
    BlockDevice device = new ForwardingBlockDevice(memory) {
      @Override
      public Allocation allocation(long offset) {
        // Holes every 64 KiB run: data in [0, 6000), zero after.
        return offset < 6000
            ? new Allocation(offset, 6000 - offset, Allocation.State.DATA)
            : new Allocation(offset, size() - offset, Allocation.State.ZERO);
      }
    };
    Partition p = partitionOf(device);
    assertThat(p.allocation(0)).isEqualTo(new Allocation(0, 6000 - 4096, Allocation.State.DATA));
    assertThat(p.allocation(100)).isEqualTo(new Allocation(100, 6000 - 4196, Allocation.State.DATA));
    assertThat(p.allocation(2000)).isEqualTo(new Allocation(2000, 2096, Allocation.State.ZERO));
    assertThat(p.allocation(4095)).isEqualTo(new Allocation(4095, 1, Allocation.State.ZERO));
    assertThatThrownBy(() -> p.allocation(4096)).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> p.allocation(-1)).isInstanceOf(EOFException.class);
  }

  @Test
  void defaultAllocationIsOneDataRunToTheEnd() throws Exception {
    Partition p = partitionOf(TestDisks.device(disk(), 512));
    assertThat(p.allocation(10)).isEqualTo(new Allocation(10, 4086, Allocation.State.DATA));
  }
}
