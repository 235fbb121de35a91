package dev.vdisk.core.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.util.ForwardingBlockDevice;
import java.io.IOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The redo record: a group is all-or-nothing whether the crash comes while the record is being
 * written (the device is untouched and the record is dropped) or while the device is being
 * written (the next open finishes the group); a read-only open overlays a pending group.
 */
class RedoLogDeviceTest {
  @TempDir Path dir;

  /** A device that fails every write after the first {@code limit}, as a crash would stop them. */
  private static final class Cut extends ForwardingBlockDevice {
    private final int limit;
    private int writes;

    Cut(byte[] data, int limit) {
      super(new MemoryBlockDevice(data, true, "cut", 512));
      this.limit = limit;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
      if (writes++ >= limit) {
        throw new IOException("crash");
      }
      delegate.write(offset, src);
    }
  }

  private static List<RedoLogDevice.Write> group(Random rnd, int deviceSize) {
    List<RedoLogDevice.Write> writes = new ArrayList<>();
    for (int i = 0; i < 1 + rnd.nextInt(20); i++) {
      byte[] b = new byte[4096];
      rnd.nextBytes(b);
      writes.add(new RedoLogDevice.Write((long) i * 8192 % deviceSize, b));
    }
    return writes;
  }

  private static byte[] applied(byte[] before, List<RedoLogDevice.Write> writes) {
    byte[] after = before.clone();
    for (RedoLogDevice.Write w : writes) {
      System.arraycopy(w.data(), 0, after, (int) w.offset(), w.data().length);
    }
    return after;
  }

  @Test
  void aGroupIsWrittenAndItsRecordDeleted() throws IOException {
    byte[] data = new byte[1 << 20];
    Path log = dir.resolve("disk.vdisk-redo");
    List<RedoLogDevice.Write> writes = group(new Random(1), data.length);
    RedoLogDevice d = RedoLogDevice.open(new MemoryBlockDevice(data, true, "m", 512), log);
    d.writeAtomically(writes);
    assertThat(data).isEqualTo(applied(new byte[1 << 20], writes));
    assertThat(Files.exists(log)).isFalse();
  }

  @RepeatedTest(20)
  void aCrashWhileWritingTheDeviceIsFinishedByTheNextOpen() throws IOException {
    long seed = System.nanoTime();
    System.out.println("RedoLogDeviceTest seed " + seed);
    Random rnd = new Random(seed);
    byte[] data = new byte[1 << 20];
    rnd.nextBytes(data);
    byte[] before = data.clone();
    Path log = dir.resolve("disk.vdisk-redo");
    List<RedoLogDevice.Write> writes = group(rnd, data.length);
    RedoLogDevice d = RedoLogDevice.open(new Cut(data, rnd.nextInt(writes.size())), log);
    assertThatThrownBy(() -> d.writeAtomically(writes)).hasMessage("crash");
    assertThat(Files.exists(log)).isTrue();

    byte[] copy = data.clone();
    RedoLogDevice ro = RedoLogDevice.open(MemoryBlockDevice.readOnlyCopyOf(copy), log);
    ByteBuffer all = ByteBuffer.allocate(data.length);
    ro.read(0, all);
    assertThat(all.array()).as("read-only overlay").isEqualTo(applied(before, writes));
    assertThat(Files.exists(log)).isTrue();

    RedoLogDevice.open(new MemoryBlockDevice(data, true, "m", 512), log);
    assertThat(data).isEqualTo(applied(before, writes));
    assertThat(Files.exists(log)).isFalse();
  }

  @RepeatedTest(20)
  void aCrashWhileWritingTheRecordLeavesTheDeviceAsItWas() throws IOException {
    long seed = System.nanoTime();
    System.out.println("RedoLogDeviceTest seed " + seed);
    Random rnd = new Random(seed);
    byte[] data = new byte[1 << 20];
    Path log = dir.resolve("disk.vdisk-redo");
    List<RedoLogDevice.Write> writes = group(rnd, data.length);
    RedoLogDevice.open(new Cut(data, 0), log).writeAtomically(writes.subList(0, 0));
    assertThatThrownBy(() -> RedoLogDevice.open(new Cut(data, 0), log).writeAtomically(writes))
        .hasMessage("crash");
    long full = Files.size(log);
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.truncate(rnd.nextInt((int) full));
    }
    RedoLogDevice.open(new MemoryBlockDevice(data, true, "m", 512), log);
    assertThat(data).isEqualTo(new byte[1 << 20]);
    assertThat(Files.exists(log)).isFalse();
  }

  @Test
  void aRecordNamingChangesOutsideTheDeviceIsReportedAsCorrupt() throws IOException {
    byte[] big = new byte[1 << 20];
    Path log = dir.resolve("disk.vdisk-redo");
    List<RedoLogDevice.Write> writes = List.of(new RedoLogDevice.Write((1 << 20) - 512,
        new byte[512]));
    assertThatThrownBy(() -> RedoLogDevice.open(new Cut(big, 0), log).writeAtomically(writes))
        .hasMessage("crash");
    BlockDevice small = new MemoryBlockDevice(new byte[1 << 19], true, "small", 512);
    assertThatThrownBy(() -> RedoLogDevice.open(small, log))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("outside");
    assertThat(Arrays.equals(big, new byte[1 << 20])).isTrue();
  }
}
