package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WofReader} over {@code WofCompressedData} streams laid out from chunks that wimlib's
 * compressors made (the committed vectors), including chunks stored raw, an 8-byte chunk table as
 * files of 4 GiB and more have (over a synthetic source of more than 4 GiB), and damaged tables.
 */
class WofReaderTest {
  private static WofStreams.Built built(String vectors, WofAlgorithm algorithm) {
    CodecVectors v = CodecVectors.committed(vectors);
    return WofStreams.build(WofStreams.fileChunks(v, algorithm.chunkSize()), 4);
  }

  @ParameterizedTest
  @CsvSource({"xpress-4096, XPRESS4K", "xpress-16384, XPRESS16K", "lzx-32768, LZX"})
  void readsTheWholeFileAndRandomRanges(String vectors, WofAlgorithm algorithm) throws Exception {
    WofStreams.Built b = built(vectors, algorithm);
    assertThat(b.rawChunks()).as("chunks stored raw").isPositive();
    assertThat(b.compressedChunks()).as("compressed chunks").isPositive();
    WofReader reader = new WofReader(WofStreams.source(b.stream()), b.uncompressed().length,
        algorithm);
    assertThat(reader.size()).isEqualTo(b.uncompressed().length);
    ByteBuffer all = ByteBuffer.allocate(b.uncompressed().length + 100);
    assertThat(reader.read(0, all)).isEqualTo(b.uncompressed().length);
    assertThat(Arrays.copyOf(all.array(), b.uncompressed().length)).isEqualTo(b.uncompressed());

    long seed = new Random().nextLong();
    System.out.println("WofReaderTest seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 300; i++) {
      int pos = random.nextInt(b.uncompressed().length);
      int len = random.nextInt(random.nextBoolean() ? 64 : 3 * algorithm.chunkSize());
      ByteBuffer dst = ByteBuffer.allocate(len);
      int n = reader.read(pos, dst);
      int expected = Math.min(len, b.uncompressed().length - pos);
      assertThat(n).as("seed %d: read %d at %d", seed, len, pos).isEqualTo(expected);
      assertThat(Arrays.copyOf(dst.array(), n))
          .isEqualTo(Arrays.copyOfRange(b.uncompressed(), pos, pos + n));
    }
    assertThat(reader.read(b.uncompressed().length, ByteBuffer.allocate(10))).isEqualTo(-1);
    assertThat(reader.read(b.uncompressed().length + 5L, ByteBuffer.allocate(10))).isEqualTo(-1);
    assertThat(reader.read(0, ByteBuffer.allocate(0))).isZero();
  }

  @Test
  void concurrentReadersSeeTheSameBytes() throws Exception {
    WofStreams.Built b = built("lzx-32768", WofAlgorithm.LZX);
    WofReader reader = new WofReader(WofStreams.source(b.stream()), b.uncompressed().length,
        WofAlgorithm.LZX);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        futures.add(pool.submit(() -> {
          Random random = new Random(seed);
          for (int i = 0; i < 200; i++) {
            int pos = random.nextInt(b.uncompressed().length);
            ByteBuffer dst = ByteBuffer.allocate(random.nextInt(40000));
            int n = reader.read(pos, dst);
            assertThat(Arrays.copyOf(dst.array(), n))
                .isEqualTo(Arrays.copyOfRange(b.uncompressed(), pos, pos + n));
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void eightByteTableBeyondFourGib() throws Exception {
    CodecVectors v = CodecVectors.committed("xpress-4096");
    List<CodecVectors.Record> cycle = new ArrayList<>();
    for (CodecVectors.Record r : v.records()) {
      if (r.raw().length == 4096 && r.compressed().length > 0
          && r.compressed().length < 4096) {
        cycle.add(r);
      }
    }
    assertThat(cycle.size()).isGreaterThan(2);
    long size = (1L << 32) + 5000;
    SyntheticWof wof = new SyntheticWof(cycle, size);
    WofReader reader = new WofReader(wof, size, WofAlgorithm.XPRESS4K);
    long[] positions = {0, 4095, 4096 * 7 + 3, (1L << 32) - 10_000, (1L << 32) - 3, 1L << 32,
        size - 6000, size - 904, size - 1};
    for (long pos : positions) {
      ByteBuffer dst = ByteBuffer.allocate(9000);
      int n = reader.read(pos, dst);
      assertThat(n).isEqualTo((int) Math.min(9000, size - pos));
      for (int i = 0; i < n; i++) {
        if (dst.get(i) != wof.expected(pos + i)) {
          throw new AssertionError("byte " + (pos + i) + " differs");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"decreasing", "past-end", "too-long", "truncated"})
  void damagedTablesAreReported(String damage) throws Exception {
    WofStreams.Built b = built("xpress-4096", WofAlgorithm.XPRESS4K);
    byte[] stream = b.stream().clone();
    ByteBuffer table = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
    int chunks = (b.uncompressed().length + 4095) / 4096;
    long tableSize = (chunks - 1) * 4L;
    switch (damage) {
      case "decreasing" -> table.putInt(4, table.getInt(0) - 1 - table.getInt(0) / 2);
      case "past-end" -> table.putInt(8, (int) (stream.length - tableSize + 1));
      case "too-long" -> table.putInt(0, 4097);
      default -> stream = Arrays.copyOf(stream, (int) tableSize - 3);
    }
    byte[] s = stream;
    assertThatThrownBy(() -> {
      WofReader reader = new WofReader(WofStreams.source(s), b.uncompressed().length,
          WofAlgorithm.XPRESS4K);
      reader.read(0, ByteBuffer.allocate(b.uncompressed().length));
    }).isInstanceOf(CorruptCompressedDataException.class)
        .satisfies(e -> assertThat(((CorruptCompressedDataException) e).algorithm())
            .isEqualTo("WOF"));
  }

  @Test
  void corruptChunkNamesTheStreamOffset() throws Exception {
    WofStreams.Built b = built("lzx-32768", WofAlgorithm.LZX);
    byte[] stream = b.stream().clone();
    int chunks = (b.uncompressed().length + 32767) / 32768;
    int tableSize = (chunks - 1) * 4;
    // chunk 0 is the zeros chunk, compressed: destroy its first bytes (the block header)
    Arrays.fill(stream, tableSize, tableSize + 8, (byte) 0xFF);
    WofReader reader = new WofReader(WofStreams.source(stream), b.uncompressed().length,
        WofAlgorithm.LZX);
    assertThatThrownBy(() -> reader.read(0, ByteBuffer.allocate(10)))
        .isInstanceOf(CorruptCompressedDataException.class)
        .hasMessageContaining("chunk 0")
        .satisfies(e -> assertThat(((CorruptCompressedDataException) e).inputOffset())
            .isGreaterThanOrEqualTo(tableSize));
  }

  @Test
  void emptyAndSingleChunkFiles() throws Exception {
    WofReader empty = new WofReader(WofStreams.source(new byte[0]), 0, WofAlgorithm.XPRESS8K);
    assertThat(empty.read(0, ByteBuffer.allocate(4))).isEqualTo(-1);
    byte[] raw = "stored as is, no table".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    WofReader one = new WofReader(WofStreams.source(raw), raw.length, WofAlgorithm.XPRESS16K);
    ByteBuffer dst = ByteBuffer.allocate(100);
    assertThat(one.read(3, dst)).isEqualTo(raw.length - 3);
    assertThat(Arrays.copyOf(dst.array(), raw.length - 3))
        .isEqualTo(Arrays.copyOfRange(raw, 3, raw.length));
    assertThatThrownBy(() -> new WofReader(WofStreams.source(new byte[3]), 5000,
        WofAlgorithm.XPRESS4K)).isInstanceOf(CorruptCompressedDataException.class);
  }

  @Test
  void algorithmCodes() {
    for (WofAlgorithm a : WofAlgorithm.values()) {
      assertThat(WofAlgorithm.fromCode(a.code())).isSameAs(a);
    }
    assertThat(WofAlgorithm.XPRESS8K.chunkSize()).isEqualTo(8192);
    assertThatThrownBy(() -> WofAlgorithm.fromCode(4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A WOF stream of more than 4 GiB of uncompressed data that exists only as arithmetic: chunk
   * {@code i} is the compressed record {@code i % k}; the last, short chunk is stored raw.
   */
  private static final class SyntheticWof implements RandomAccessSource {
    private final List<CodecVectors.Record> cycle;
    private final long[] prefix;
    private final long cycleBytes;
    private final long chunks;
    private final long tableSize;
    private final int tailLength;
    private final byte[] tail;

    SyntheticWof(List<CodecVectors.Record> cycle, long size) {
      this.cycle = cycle;
      this.prefix = new long[cycle.size() + 1];
      for (int i = 0; i < cycle.size(); i++) {
        prefix[i + 1] = prefix[i] + cycle.get(i).compressed().length;
      }
      this.cycleBytes = prefix[cycle.size()];
      this.chunks = (size + 4095) / 4096;
      this.tableSize = (chunks - 1) * 8;
      this.tailLength = (int) (size - (chunks - 1) * 4096);
      this.tail = new byte[tailLength];
      for (int i = 0; i < tailLength; i++) {
        tail[i] = (byte) (i * 31 + 7);
      }
    }

    /** Where chunk {@code i} starts, counted from the end of the table. */
    private long start(long i) {
      return (i / cycle.size()) * cycleBytes + prefix[(int) (i % cycle.size())];
    }

    byte expected(long pos) {
      long chunk = pos / 4096;
      int within = (int) (pos % 4096);
      return chunk == chunks - 1 ? tail[within]
          : cycle.get((int) (chunk % cycle.size())).raw()[within];
    }

    @Override
    public long size() {
      return tableSize + start(chunks - 1) + tailLength;
    }

    @Override
    public int read(long position, ByteBuffer dst) throws IOException {
      if (position >= size()) {
        return -1;
      }
      int n = 0;
      long pos = position;
      while (dst.hasRemaining() && pos < size()) {
        dst.put(byteAt(pos));
        pos++;
        n++;
      }
      return n;
    }

    private byte byteAt(long pos) {
      if (pos < tableSize) {
        long entry = pos / 8;
        long value = start(entry + 1);
        return (byte) (value >>> (8 * (pos % 8)));
      }
      long d = pos - tableSize;
      long lastStart = start(chunks - 1);
      if (d >= lastStart) {
        return tail[(int) (d - lastStart)];
      }
      long cycleIndex = d / cycleBytes;
      long within = d % cycleBytes;
      int k = 0;
      while (prefix[k + 1] <= within) {
        k++;
      }
      return cycle.get(k).compressed()[(int) (within - prefix[k])];
      // cycleIndex only selects which repetition; the bytes are the same
    }
  }
}
