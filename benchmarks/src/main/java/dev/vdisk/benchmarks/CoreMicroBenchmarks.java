package dev.vdisk.benchmarks;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.cache.BlockCache;
import dev.vdisk.core.cache.CachedBlockDevice;
import dev.vdisk.core.partition.PartitionTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmarks of the core's hot paths: parsing a GPT from memory, and 4 KiB reads through
 * the block cache. The C-tool comparisons are in {@link BenchmarkMain}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreMicroBenchmarks {
  private MemoryBlockDevice gpt;
  private CachedBlockDevice cached;
  private final ByteBuffer buffer = ByteBuffer.allocate(4096);
  private long position;

  /** Creates the benchmark state; JMH calls it. */
  public CoreMicroBenchmarks() {}

  /**
   * Loads the GPT fixture and prepares a cached device.
   *
   * @throws IOException if the fixture is missing
   */
  @Setup
  public void setUp() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isDirectory(root.resolve("testdata/images"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IOException("run from the repository: testdata/images not found");
    }
    byte[] image = Files.readAllBytes(root.resolve("testdata/images/gpt5.img"));
    gpt = MemoryBlockDevice.readOnlyCopyOf(image);
    cached = new CachedBlockDevice(new MemoryBlockDevice(64 << 20),
        new BlockCache(16 << 20, 64 * 1024));
  }

  /**
   * Parses the GPT fixture.
   *
   * @return the partition count
   * @throws IOException never for the fixture
   */
  @Benchmark
  public int readGpt() throws IOException {
    return PartitionTable.read(gpt).partitions().size();
  }

  /**
   * A 4 KiB read through the cache, walking 16 MiB so most reads hit.
   *
   * @return a byte read
   * @throws IOException never
   */
  @Benchmark
  public byte cachedRead() throws IOException {
    buffer.clear();
    cached.read(position, buffer);
    position = (position + 4096) % (16 << 20);
    return buffer.get(0);
  }
}
