package dev.vdisk.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class CachedBlockDeviceTest {

  @RepeatedTest(20)
  void randomReadsAndWritesMatchAModel(RepetitionInfo repetition) throws Exception {
    long seed = 0x5eedL * 1000 + repetition.getCurrentRepetition();
    System.out.println("CachedBlockDeviceTest seed " + seed);
    Random random = new Random(seed);
    int size = 1 + random.nextInt(300_000);
    byte[] model = new byte[size];
    random.nextBytes(model);
    MemoryBlockDevice backing = new MemoryBlockDevice(model.clone(), true, "memory", 512);
    BlockCache cache = new BlockCache(4 * 4096, 4096);
    try (CachedBlockDevice device = new CachedBlockDevice(backing, cache)) {
      for (int step = 0; step < 500; step++) {
        int offset = random.nextInt(size);
        int length = random.nextInt(Math.min(size - offset, 20_000) + 1);
        if (random.nextInt(4) == 0) {
          byte[] data = new byte[length];
          random.nextBytes(data);
          device.write(offset, ByteBuffer.wrap(data));
          System.arraycopy(data, 0, model, offset, length);
        } else {
          ByteBuffer dst = ByteBuffer.allocate(length);
          device.read(offset, dst);
          assertThat(dst.hasRemaining()).isFalse();
          assertThat(Arrays.equals(dst.array(), 0, length, model, offset, offset + length))
              .as("seed %d step %d read [%d,+%d)", seed, step, offset, length)
              .isTrue();
        }
        assertThat(cache.usedBytes()).isLessThanOrEqualTo(cache.capacityBytes());
      }
    }
    assertThat(cache.usedBytes()).as("closing drops the device's blocks").isZero();
  }

  @Test
  void repeatedReadsHitTheCache() throws Exception {
    BlockCache cache = new BlockCache(1 << 20, 4096);
    try (CachedBlockDevice device = new CachedBlockDevice(new MemoryBlockDevice(65536), cache)) {
      device.read(0, ByteBuffer.allocate(8192));
      device.read(100, ByteBuffer.allocate(100));
      assertThat(cache.misses()).isEqualTo(2);
      assertThat(cache.hits()).isEqualTo(1);
    }
  }

  @Test
  void concurrentReadersSeeTheDevice() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(1).nextBytes(data);
    BlockCache cache = new BlockCache(64 * 1024, 4096);
    try (CachedBlockDevice device =
        new CachedBlockDevice(MemoryBlockDevice.readOnlyCopyOf(data), cache)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        Future<?>[] futures = new Future<?>[8];
        for (int t = 0; t < futures.length; t++) {
          long seed = t;
          futures[t] = pool.submit(() -> {
            Random random = new Random(seed);
            for (int i = 0; i < 2000; i++) {
              int offset = random.nextInt(data.length - 10000);
              ByteBuffer dst = ByteBuffer.allocate(random.nextInt(10000));
              device.read(offset, dst);
              if (!Arrays.equals(dst.array(), 0, dst.capacity(), data, offset,
                  offset + dst.capacity())) {
                throw new AssertionError("mismatch at " + offset);
              }
            }
            return null;
          });
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void rangeAndWritePermissionAreChecked() {
    BlockCache cache = new BlockCache(8192, 4096);
    CachedBlockDevice device =
        new CachedBlockDevice(MemoryBlockDevice.readOnlyCopyOf(new byte[1000]), cache);
    assertThatThrownBy(() -> device.read(990, ByteBuffer.allocate(20)))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> device.write(0, ByteBuffer.allocate(1)))
        .isInstanceOf(UnsafeToWriteException.class);
    assertThatThrownBy(() -> new BlockCache(100, 4096)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BlockCache(1 << 20, 3000))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
