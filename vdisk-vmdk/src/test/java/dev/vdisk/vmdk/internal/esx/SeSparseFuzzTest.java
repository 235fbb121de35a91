package dev.vdisk.vmdk.internal.esx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.VdiskException;
import java.io.IOException;

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
  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    CowdFuzzTest.run(input, false);
  }
}
