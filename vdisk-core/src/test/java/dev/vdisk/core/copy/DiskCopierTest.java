package dev.vdisk.core.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskCopierTest {
  @TempDir Path dir;

  private Path sparseBase(long size, long seed) throws Exception {
    Path base = dir.resolve("base-" + seed + ".raw");
    Random random = new Random(seed);
    try (FileChannel ch = FileChannel.open(base, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), size - 1);
      for (int i = 0; i < 5; i++) {
        byte[] data = new byte[4096 * (1 + random.nextInt(40))];
        random.nextBytes(data);
        ch.write(ByteBuffer.wrap(data), (random.nextInt((int) (size / 4096) - 50)) * 4096L);
      }
    }
    return base;
  }

  private Path childOf(String parent, String name) throws Exception {
    Path child = dir.resolve(name);
    Files.writeString(child, "CHAIN-TEST\n" + parent + "\n");
    return child;
  }

  @RepeatedTest(10)
  void copyThroughAChainEqualsReadingItAndSkipsHoles(RepetitionInfo info) throws Exception {
    long seed = 777L + info.getCurrentRepetition();
    System.out.println("DiskCopierTest seed " + seed);
    Random random = new Random(seed);
    int size = 8 << 20;
    Path base = sparseBase(size, seed);
    Path child = childOf(base.getFileName().toString(), "child-" + seed + ".x");
    try (VirtualDisk disk = VirtualDisks.open(child)) {
      for (int i = 0; i < 20; i++) {
        byte[] data = new byte[1 + random.nextInt(20000)];
        random.nextBytes(data);
        disk.write(random.nextInt(size - data.length), ByteBuffer.wrap(data));
      }
      byte[] expected = new byte[size];
      disk.read(0, ByteBuffer.wrap(expected));
      MemoryBlockDevice target = new MemoryBlockDevice(size);
      List<long[]> seen = new ArrayList<>();
      DiskCopier.Result result = DiskCopier.copy(disk, target, (done, total) -> {
        seen.add(new long[] {done, total});
      });
      assertThat(target.array()).isEqualTo(expected);
      assertThat(result.bytesWritten()).isLessThan(size / 2);
      assertThat(result.bytesWritten() + result.bytesSkipped()).isEqualTo(size);
      assertThat(seen.get(seen.size() - 1)).containsExactly(size, size);
      for (int i = 1; i < seen.size(); i++) {
        assertThat(seen.get(i)[0]).isGreaterThanOrEqualTo(seen.get(i - 1)[0]);
      }
    }
  }

  @Test
  void effectiveAllocationLooksThroughTheChain() throws Exception {
    Path base = dir.resolve("b.raw");
    try (FileChannel ch = FileChannel.open(base, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), (4 << 20) - 1);
      ch.write(ByteBuffer.wrap(new byte[65536]), 1 << 20);
    }
    try (VirtualDisk disk = VirtualDisks.open(childOf("b.raw", "c.x"))) {
      disk.write(3 << 20, ByteBuffer.wrap(new byte[512]));
      assertThat(disk.allocation(0).state()).isEqualTo(Allocation.State.UNALLOCATED);
      assertThat(Allocations.effective(disk, 0).state()).isEqualTo(Allocation.State.ZERO);
      assertThat(Allocations.effective(disk, (1 << 20) + 10).state())
          .isEqualTo(Allocation.State.DATA);
      assertThat(Allocations.effective(disk, 3 << 20))
          .isEqualTo(new Allocation(3 << 20, 512, Allocation.State.DATA));
      long offset = 0;
      while (offset < disk.size()) {
        Allocation run = Allocations.effective(disk, offset);
        assertThat(run.state()).isNotEqualTo(Allocation.State.UNALLOCATED);
        offset = run.end();
      }
    }
  }

  @Test
  void copyOwnRunsMergesAChildIntoItsParent() throws Exception {
    int size = 1 << 20;
    Path base = dir.resolve("p.raw");
    byte[] original = new byte[size];
    new Random(5).nextBytes(original);
    Files.write(base, original);
    try (VirtualDisk child = VirtualDisks.open(childOf("p.raw", "k.x"))) {
      child.write(1000, ByteBuffer.wrap("hello".getBytes()));
      ((dev.vdisk.core.chain.ChainTestFormatAccess) () -> child).zero(100);
      byte[] expected = new byte[size];
      child.read(0, ByteBuffer.wrap(expected));
      MemoryBlockDevice parentCopy = new MemoryBlockDevice(original.clone(), true, "p", 512);
      DiskCopier.Result r = DiskCopier.copyOwnRuns(child, parentCopy, ProgressListener.NONE);
      assertThat(parentCopy.array()).isEqualTo(expected);
      assertThat(r.bytesWritten()).isEqualTo(2 * 512);
      assertThat(Arrays.equals(parentCopy.array(), original)).isFalse();
    }
  }

  @Test
  void refusesReadOnlyOrSmallTargets() throws Exception {
    Path base = sparseBase(1 << 20, 1);
    try (VirtualDisk disk = VirtualDisks.open(base)) {
      assertThatThrownBy(() -> DiskCopier.copy(disk,
          MemoryBlockDevice.readOnlyCopyOf(new byte[1 << 20]), ProgressListener.NONE))
          .isInstanceOf(UnsafeToWriteException.class);
      assertThatThrownBy(() -> DiskCopier.copy(disk, new MemoryBlockDevice(4096),
          ProgressListener.NONE)).hasMessageContaining("smaller");
    }
  }
}
