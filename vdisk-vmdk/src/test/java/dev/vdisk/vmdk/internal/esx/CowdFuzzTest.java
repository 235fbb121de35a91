package dev.vdisk.vmdk.internal.esx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.VdiskException;
import dev.vdisk.testdata.FuzzFiles;
import dev.vdisk.vmdk.internal.Extent;
import dev.vdisk.vmdk.internal.stream.StreamFuzzSupport;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the COWD (vmfsSparse) reader as a whole extent file: headers, grain
 * directory and tables (entries pointing outside the file, shared tables, unknown entry types).
 * Only {@link VdiskException} may come out; nothing may allocate without bound or hang.
 *
 * <p>The seeds in {@code CowdFuzzTestInputs/image} (small extents built by {@link EsxImages}, whose
 * output qemu-img reads identically in {@link EsxExtentIT}; see {@link EsxFuzzSeeds}) run as a
 * regression test in every build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class CowdFuzzTest {
  private static final Path DIR = FuzzFiles.directory("vmdk-esx-fuzz");

  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    run(input, true);
  }

  /** Opens the input as a COWD or seSparse extent and exercises it (shared with seSparse). */
  static void run(byte[] input, boolean cowd) throws IOException {
    Path file = DIR.resolve(cowd ? "fuzz-delta.vmdk" : "fuzz-sesparse.vmdk");
    FuzzFiles.withFile(file, input, f -> {
      try (FileChannel channel = FileChannel.open(f)) {
        Extent extent = cowd ? CowdExtent.open(f, channel) : SeSparseExtent.open(f, channel);
        try (extent) {
          StreamFuzzSupport.exercise(extent);
        }
      } catch (VdiskException expected) {
        // corrupt or unsupported input, reported with a typed error
      }
    });
  }
}
