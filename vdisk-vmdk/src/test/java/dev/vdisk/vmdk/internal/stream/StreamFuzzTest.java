package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.VdiskException;
import dev.vdisk.testdata.FuzzFiles;
import dev.vdisk.vmdk.internal.Extent;
import java.io.IOException;
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
  private static final Path DIR = FuzzFiles.directory("vmdk-stream-fuzz");

  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    FuzzFiles.withFile(DIR.resolve("fuzz.vmdk"), input, file -> {
      try (StreamOptimizedExtent extent = StreamTesting.open(file)) {
        exercise(extent);
      } catch (VdiskException expected) {
        // corrupt or unsupported input, reported with a typed error
      }
    });
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
    FuzzFiles.readProbes(size, 64 * 1024, extent::read, VdiskException.class);
    FuzzFiles.walkRuns(size, offset -> {
      Allocation run = extent.allocation(offset);
      assertThat(run.offset()).isEqualTo(offset);
      assertThat(run.end()).isLessThanOrEqualTo(size);
      return run.end();
    }, VdiskException.class);
  }
}
