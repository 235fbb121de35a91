package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.VdiskException;
import dev.vdisk.vmdk.internal.Extent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the streamOptimized reader as a whole file: header, footer and its
 * markers, grain directory and tables, grain markers and deflate streams. Only {@link
 * VdiskException} may come out of open, read, allocation and check; nothing may allocate without
 * bound or hang.
 *
 * <p>The seeds in {@code StreamFuzzTestInputs/image} (small files written by qemu-img and by
 * {@link StreamOptimizedWriter}, see {@link StreamFuzzSeeds}) run as a regression test in every
 * build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class StreamFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("vmdk-stream-fuzz");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    Path file = DIR.resolve("fuzz.vmdk");
    Files.write(file, input);
    try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
      exercise(extent);
    } catch (VdiskException expected) {
      // corrupt or unsupported input, reported with a typed error
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static void exercise(Extent extent) throws IOException {
    long size = extent.size();
    if (size == 0) {
      return;
    }
    try {
      CheckReport.Builder report = new CheckReport.Builder(extent.file(), "vmdk", 20);
      extent.check(report);
      report.build();
    } catch (VdiskException expected) {
      // a structure check cannot even start
    }
    int chunk = (int) Math.min(size, 64 * 1024);
    for (long offset : new long[] {0, size - chunk, size / 2 - Math.min(size / 2, 700)}) {
      try {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(chunk, size - offset));
        extent.read(offset, buffer);
        assertThat(buffer.hasRemaining()).isFalse();
      } catch (VdiskException expected) {
        // a damaged grain met while reading
      }
    }
    long offset = 0;
    for (int i = 0; i < 64 && offset < size; i++) {
      Allocation run;
      try {
        run = extent.allocation(offset);
      } catch (VdiskException expected) {
        break;
      }
      assertThat(run.offset()).isEqualTo(offset);
      assertThat(run.end()).isLessThanOrEqualTo(size);
      offset = run.end();
    }
  }
}
