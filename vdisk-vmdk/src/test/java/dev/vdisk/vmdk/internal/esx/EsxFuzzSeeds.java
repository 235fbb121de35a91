package dev.vdisk.vmdk.internal.esx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes the seeds of {@link CowdFuzzTest} and {@link SeSparseFuzzTest} (not a test): run its main method with {@code
 * src/test/resources/dev/vdisk/vmdk/internal/esx}. The extents are built by
 * {@link EsxImages}, whose output qemu-img reads identically ({@link EsxExtentIT}).
 */
public final class EsxFuzzSeeds {
  private EsxFuzzSeeds() {}

  /**
   * Writes the seeds.
   *
   * @param args the output directory
   * @throws IOException on failure
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Path cowd = Files.createDirectories(out.resolve("CowdFuzzTestInputs/image"));
    Path se = Files.createDirectories(out.resolve("SeSparseFuzzTestInputs/image"));
    Path tmp = Files.createTempDirectory("esx-seeds");
    Random random = new Random(17);
    byte[] data = EsxImages.content(16 * 1024, 4096, random);
    data[0] = 1;
    EsxImages.cowd(tmp, "a", data, 8, random);
    Files.copy(tmp.resolve("a-delta.vmdk"), cowd.resolve("cowd-16k"));
    EsxImages.seSparse(tmp, "b", data, random, new EsxImages.SeOptions(false, 0));
    Files.copy(tmp.resolve("b-sesparse.vmdk"), se.resolve("sesparse-16k"));
    EsxImages.seSparse(tmp, "c", data, random, new EsxImages.SeOptions(true, 0));
    Files.copy(tmp.resolve("c-sesparse.vmdk"), se.resolve("sesparse-dirty"));
  }
}
