package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamOptimized reader and writer without external tools: round trips of edge cases, and
 * damaged files (made by damaging what the writer wrote) failing with typed errors.
 */
class StreamOptimizedExtentTest {
  private static final int GRAIN = 64 * 1024;

  @TempDir Path dir;

  /** 3 MiB + 1 sector: grains 0, 1 data; 2..15 zero; 16 partial; 40 text; last grain partial. */
  private byte[] sample() {
    byte[] data = new byte[3 * 1024 * 1024 + 512];
    new Random(1).nextBytes(Arrays.copyOf(data, 0));
    Random random = new Random(5);
    byte[] noise = new byte[2 * GRAIN];
    random.nextBytes(noise);
    System.arraycopy(noise, 0, data, 0, noise.length);
    data[16 * GRAIN + 100] = 7;
    for (int i = 40 * GRAIN; i < 41 * GRAIN; i++) {
      data[i] = (byte) ('a' + i % 26);
    }
    data[data.length - 1] = 1;
    return data;
  }

  private Path write(byte[] data) throws IOException {
    Path file = dir.resolve("t.vmdk");
    Files.deleteIfExists(file);
    try (StreamOptimizedWriter writer = StreamTesting.create(file, data.length, GRAIN)) {
      writer.write(0, ByteBuffer.wrap(data));
    }
    return file;
  }

  private static byte[] readAll(StreamOptimizedExtent extent) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) extent.size());
    extent.read(0, all);
    return all.array();
  }

  @Test
  void roundTripKeepsContentAndSkipsZeroGrains() throws IOException {
    byte[] data = sample();
    Path file = write(data);
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      assertThat(readAll(extent)).isEqualTo(data);
      assertThat(extent.allocation(0)).isEqualTo(new Allocation(0, 2L * GRAIN,
          Allocation.State.DATA));
      assertThat(extent.allocation(2L * GRAIN)).isEqualTo(new Allocation(2L * GRAIN,
          14L * GRAIN, Allocation.State.UNALLOCATED));
      assertThat(extent.allocation(16L * GRAIN + 5).state()).isEqualTo(Allocation.State.DATA);
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      assertThat(report.build().problems()).isEmpty();
    }
    assertThat(StreamLayout.walk(file).grainLbas())
        .containsExactly(0L, 128L, 16L * 128, 40L * 128, 48L * 128);
  }

  @Test
  void compressingOnThePoolWritesTheSameBytesAsOnTheCaller() throws IOException {
    byte[] data = sample();
    Path[] files = {dir.resolve("one.vmdk"), dir.resolve("two.vmdk")};
    int[] threads = {1, 2};
    for (int i = 0; i < 2; i++) {
      try (FileChannel ch = FileChannel.open(files[i], StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ, StandardOpenOption.WRITE);
          StreamOptimizedWriter writer = StreamOptimizedWriter.create(files[i], ch, data.length,
              GRAIN, StreamTesting.descriptor(dir.resolve("same.vmdk"), data.length),
              threads[i])) {
        for (int pos = 0; pos < data.length; pos += 10_000) {
          writer.write(pos, ByteBuffer.wrap(data, pos, Math.min(10_000, data.length - pos)));
        }
      }
    }
    assertThat(Files.readAllBytes(files[0])).isEqualTo(Files.readAllBytes(files[1]));
    try (StreamOptimizedExtent extent = StreamTesting.open(files[0])) {
      assertThat(readAll(extent)).isEqualTo(data);
    }
  }

  @Test
  void writerTakesSequentialPiecesAndRefusesGoingBack() throws IOException {
    byte[] data = sample();
    Path file = dir.resolve("pieces.vmdk");
    try (StreamOptimizedWriter writer = StreamTesting.create(file, data.length, GRAIN)) {
      writer.write(0, ByteBuffer.wrap(data, 0, 1000));
      // rewriting inside the grain being buffered is fine
      writer.write(500, ByteBuffer.wrap(data, 500, 100));
      writer.write(1000, ByteBuffer.wrap(data, 1000, 3 * GRAIN - 1000));
      // what was written reads back, buffered or stored
      ByteBuffer back = ByteBuffer.allocate(3 * GRAIN);
      writer.read(0, back);
      assertThat(back.array()).isEqualTo(Arrays.copyOf(data, 3 * GRAIN));
      assertThat(writer.allocation(0).state()).isEqualTo(Allocation.State.DATA);
      assertThatThrownBy(() -> writer.write(GRAIN, ByteBuffer.allocate(512)))
          .isInstanceOf(UnsupportedFeatureException.class)
          .hasMessageContaining("write-once sequential");
      writer.flush();
      // skip ahead: the gap reads as zeros
      writer.write(16L * GRAIN, ByteBuffer.wrap(data, 16 * GRAIN, data.length - 16 * GRAIN));
    }
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      assertThat(readAll(extent)).isEqualTo(data);
    }
  }

  @Test
  void emptyDiskHasOnlyTrailer() throws IOException {
    Path file = dir.resolve("empty.vmdk");
    try (StreamOptimizedWriter writer = StreamTesting.create(file, 10L << 30, GRAIN)) {
      assertThat(writer.isWritable()).isTrue();
    }
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      assertThat(extent.size()).isEqualTo(10L << 30);
      assertThat(extent.allocation(0).state()).isEqualTo(Allocation.State.UNALLOCATED);
      ByteBuffer b = ByteBuffer.allocate(4096);
      extent.read((10L << 30) - 4096, b);
      assertThat(b.array()).containsOnly(0);
    }
    assertThat(StreamLayout.walk(file).order()).containsExactly("GD", "footer", "EOS");
  }

  @Test
  void markerRoundTrip() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    Marker.metadata(4, Marker.TYPE_GRAIN_TABLE).writeMetadataTo(b);
    assertThat(b.position()).isEqualTo(512);
    assertThat(Marker.parse(null, 0, b.flip())).isEqualTo(new Marker(4, 0, 1));
    ByteBuffer g = ByteBuffer.allocate(16);
    new Marker(1234, 99, 0).writeGrainTo(g);
    Marker grain = Marker.parse(null, 0, g.clear());
    assertThat(grain.isGrain()).isTrue();
    assertThat(grain.value()).isEqualTo(1234);
    assertThat(grain.compressedSize()).isEqualTo(99);
    assertThatThrownBy(() -> Marker.parse(null, 5, ByteBuffer.allocate(3)))
        .isInstanceOf(CorruptStructureException.class);
  }

  // --- damage -----------------------------------------------------------------------------

  private StreamLayout.Item grainItem(Path file, long lba) throws IOException {
    return StreamLayout.walk(file).items().stream()
        .filter(i -> i.kind().equals("grain") && i.value() == lba).findFirst().orElseThrow();
  }

  private static void poke(Path file, long offset, ByteBuffer bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(bytes, offset);
    }
  }

  private static ByteBuffer le(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void grainMarkerWithWrongLbaIsCorrupt() throws IOException {
    Path file = write(sample());
    StreamLayout.Item item = grainItem(file, 128);
    poke(file, item.offset(), le(8).putLong(0, 999).rewind());
    assertCorruptOnRead(file, item.offset(), "grain marker", "LBA 999");
  }

  @Test
  void compressedSizePastTheFileIsCorrupt() throws IOException {
    Path file = write(sample());
    StreamLayout.Item item = grainItem(file, 48L * 128);
    int past = (int) (Files.size(file) - item.offset());
    poke(file, item.offset() + 8, le(4).putInt(0, past).rewind());
    assertCorruptOnRead(file, item.offset(), "grain marker", "past the end");
  }

  @Test
  void hugeCompressedSizeIsCorruptNotAnAllocation() throws IOException {
    Path file = write(sample());
    StreamLayout.Item item = grainItem(file, 128);
    poke(file, item.offset() + 8, le(4).putInt(0, -1).rewind());
    assertCorruptOnRead(file, item.offset(), "grain marker", "largest deflate stream");
  }

  @Test
  void damagedDeflateStreamIsCorrupt() throws IOException {
    Path file = write(sample());
    StreamLayout.Item item = grainItem(file, 128);
    byte[] junk = new byte[(int) item.size()];
    Arrays.fill(junk, (byte) 0xff);
    poke(file, item.offset() + 12, ByteBuffer.wrap(junk));
    assertCorruptOnRead(file, item.offset(), "compressed grain", "inflate failed");
  }

  @Test
  void grainInflatingShortIsCorrupt() throws IOException {
    Path file = write(sample());
    StreamLayout.Item item = grainItem(file, 128);
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[100]);
    deflater.finish();
    byte[] small = new byte[200];
    int n = deflater.deflate(small);
    deflater.end();
    ByteBuffer patch = le(12 + n).putLong(128).putInt(n).put(small, 0, n).flip();
    poke(file, item.offset(), patch);
    assertCorruptOnRead(file, item.offset(), "compressed grain", "inflates to 100 bytes");
  }

  @Test
  void grainInflatingLongIsCorrupt() throws IOException {
    Path file = write(sample());
    StreamLayout.Item item = grainItem(file, 40L * 128);
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[GRAIN + 1]);
    deflater.finish();
    byte[] big = new byte[1024];
    int n = deflater.deflate(big);
    deflater.end();
    assertThat(n).isLessThan((int) item.size());
    poke(file, item.offset(), le(12 + n).putLong(40L * 128).putInt(n).put(big, 0, n).flip());
    assertCorruptOnRead(file, item.offset(), "compressed grain", "more than the grain size");
  }

  @Test
  void truncatedFileHasNoFooter() throws IOException {
    Path file = write(sample());
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 512);
    }
    assertThatThrownBy(() -> StreamTesting.open(file))
        .isInstanceOfSatisfying(CorruptStructureException.class,
            e -> assertThat(e.structure()).contains("footer"))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("before an end-of-stream marker");
  }

  @Test
  void damagedFooterIsRebuiltFromTheMarkers() throws IOException {
    byte[] data = sample();
    Path file = write(data);
    poke(file, Files.size(file) - 1024, ByteBuffer.wrap(new byte[] {'X', 'X', 'X', 'X'}));
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      assertThat(readAll(extent)).isEqualTo(data);
      assertThat(extent.allocation(2L * GRAIN)).isEqualTo(new Allocation(2L * GRAIN,
          14L * GRAIN, Allocation.State.UNALLOCATED));
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      assertThat(report.build().isClean()).isTrue();
    }
  }

  @Test
  void markerWalkRefusesARepeatedGrain() throws IOException {
    Path file = write(sample());
    poke(file, Files.size(file) - 1024, ByteBuffer.wrap(new byte[] {'X', 'X', 'X', 'X'}));
    StreamLayout.Item item = grainItem(file, 128);
    poke(file, item.offset(), le(8).putLong(0, 0).rewind());
    assertThatThrownBy(() -> StreamTesting.open(file))
        .isInstanceOfSatisfying(CorruptStructureException.class,
            e -> assertThat(e.structure()).contains("footer"))
        .hasMessageContaining("LBA 0 was already stored");
  }

  @Test
  void markerWalkRefusesAnLbaOutsideTheDisk() throws IOException {
    Path file = write(sample());
    poke(file, Files.size(file) - 1024, ByteBuffer.wrap(new byte[] {'X', 'X', 'X', 'X'}));
    StreamLayout.Item item = grainItem(file, 128);
    poke(file, item.offset(), le(8).putLong(0, 1L << 40).rewind());
    assertThatThrownBy(() -> StreamTesting.open(file))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("is not the start of one of the");
  }

  @Test
  void missingTableMarkerIsAWarning() throws IOException {
    Path file = write(sample());
    StreamLayout.Item gt = StreamLayout.walk(file).items().stream()
        .filter(i -> i.kind().equals("GT")).findFirst().orElseThrow();
    poke(file, gt.offset(), ByteBuffer.allocate(16));
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      CheckReport r = report.build();
      assertThat(r.isClean()).isTrue();
      assertThat(r.count(CheckReport.Severity.WARNING)).isEqualTo(1);
      assertThat(r.problems().get(0).offset()).isEqualTo(gt.offset());
    }
  }

  @Test
  void directoryEntryPastTheFileIsCorrupt() throws IOException {
    Path file = write(sample());
    long gd = footer(file).gdOffset() * 512;
    poke(file, gd, le(4).putInt(0, 0x7fffffff).rewind());
    assertThatThrownBy(() -> StreamTesting.open(file))
        .isInstanceOfSatisfying(CorruptStructureException.class, e -> {
          assertThat(e.structure()).isEqualTo("grain directory");
          assertThat(e.offset()).isEqualTo(gd);
        });
  }

  @Test
  void tableEntryPastTheFileIsCorrupt() throws IOException {
    Path file = write(sample());
    StreamLayout.Item gt = StreamLayout.walk(file).items().stream()
        .filter(i -> i.kind().equals("GT")).findFirst().orElseThrow();
    poke(file, gt.offset() + 512 + 4, le(4).putInt(0, 0x7ffffff0).rewind());
    assertCorruptOnRead(file, gt.offset() + 512 + 4, "grain table", "outside");
  }

  @Test
  void footerWithoutDirectoryFallsBackToTheMarkers() throws IOException {
    byte[] data = sample();
    Path file = write(data);
    long footerAt = Files.size(file) - 1024;
    poke(file, footerAt + 56, le(8).putLong(0, -1).rewind());
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      assertThat(readAll(extent)).isEqualTo(data);
    }
    // and with the stream cut before its end, nothing is left to read it by
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 512);
    }
    assertThatThrownBy(() -> StreamTesting.open(file))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("footer");
  }

  private static SparseExtentHeader footer(Path file) throws IOException {
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      return extent.header();
    }
  }

  private static void assertCorruptOnRead(Path file, long offset, String structure, String detail)
      throws IOException {
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      assertThatThrownBy(() -> readAll(extent))
          .isInstanceOfSatisfying(CorruptStructureException.class, e -> {
            assertThat(e.offset()).isEqualTo(offset);
            assertThat(e.structure()).isEqualTo(structure);
            assertThat(e.getMessage()).contains(file.toString()).contains(detail);
          });
      CheckReport.Builder report = new CheckReport.Builder(file, "vmdk", 10);
      extent.check(report);
      assertThat(report.build().isClean()).isFalse();
    }
  }
}
