package dev.vdisk.vmdk.internal.esx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.VdiskException;
import dev.vdisk.vmdk.internal.Extent;
import dev.vdisk.vmdk.internal.stream.StreamFuzzSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the seSparse reader as a whole extent file: headers, grain
 * directory and tables (entries pointing outside the file, shared tables, unknown entry types).
 * Only {@link VdiskException} may come out; nothing may allocate without bound or hang.
 *
 * <p>The seeds in {@code SeSparseFuzzTestInputs/image} (small extents built by {@link EsxImages}, whose
 * output qemu-img reads identically in {@link EsxExtentIT}; see {@link EsxFuzzSeeds}) run as a
 * regression test in every build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class SeSparseFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("vmdk-esx-fuzz");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    run(input, false);
  }

  private static void run(byte[] input, boolean cowd) throws IOException {
    Path file = DIR.resolve(cowd ? "fuzz-delta.vmdk" : "fuzz-sesparse.vmdk");
    Files.write(file, input);
    try (FileChannel channel = FileChannel.open(file)) {
      Extent extent = cowd ? CowdExtent.open(file, channel) : SeSparseExtent.open(file, channel);
      try (extent) {
        StreamFuzzSupport.exercise(extent);
      }
    } catch (VdiskException expected) {
      // corrupt or unsupported input, reported with a typed error
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
