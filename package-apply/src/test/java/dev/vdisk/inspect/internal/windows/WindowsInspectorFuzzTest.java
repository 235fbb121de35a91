package dev.vdisk.inspect.internal.windows;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.InstalledUpdate;
import dev.vdisk.testdata.FuzzFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.zip.GZIPInputStream;

/**
 * Jazzer: {@link WindowsInspector#inspect} on damaged hives never throws. The bases are the
 * SOFTWARE and SYSTEM hives of make-windows-ntfs.sh (gzipped by make-windows-fuzz-seeds.sh); the
 * input's first byte chooses which hives the rest patches (bit 0 SOFTWARE, bit 1 SYSTEM) and
 * whether the base block checksum is recomputed after patching (bit 2), the rest is patches
 * (offset u32 LE, length u8, bytes; see {@link FuzzFiles#patched}). Every problem must come out
 * as a warning naming the hive, and what is read must still be well formed.
 */
class WindowsInspectorFuzzTest {
  private static final Path ROOT = FuzzFiles.directory("windows-fuzz");
  private static byte[] software;
  private static byte[] system;

  private static synchronized void load() {
    if (software == null) {
      software = resource("fuzz-SOFTWARE.gz");
      system = resource("fuzz-SYSTEM.gz");
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = new GZIPInputStream(
        WindowsInspectorFuzzTest.class.getResourceAsStream(name))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] patch(byte[] base, byte[] input, boolean fixChecksum) {
    byte[] image = FuzzFiles.patched(base, ByteBuffer.wrap(input, 1, input.length - 1));
    if (fixChecksum && image.length >= 512) {
      ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
      int x = 0;
      for (int i = 0; i < 508; i += 4) {
        x ^= b.getInt(i);
      }
      b.putInt(508, x);
    }
    return image;
  }

  @FuzzTest(maxDuration = "1m")
  void hives(byte[] input) throws IOException {
    load();
    int mode = input.length == 0 ? 0 : input[0];
    boolean fix = (mode & 4) != 0;
    byte[] sw = input.length > 0 && (mode & 1) != 0 ? patch(software, input, fix) : software;
    byte[] sy = input.length > 0 && (mode & 2) != 0 ? patch(system, input, fix) : system;
    Path config = Files.createDirectories(ROOT.resolve("Windows/System32/config"));
    Files.write(config.resolve("SOFTWARE"), sw);
    Files.write(config.resolve("SYSTEM"), sy);
    try {
      GuestRoot root = WindowsInspector.inspect(GuestFiles.of(ROOT), 0, null);
      assertThat(root.os().family()).isEqualTo("windows");
      assertThat(root.updates()).isSortedAccordingTo(Comparator.comparing(InstalledUpdate::id));
      assertThat(root.applications()).allSatisfy(a -> assertThat(a.name()).isNotEmpty());
      assertThat(root.warnings()).allSatisfy(w -> assertThat(w).contains("Windows/"));
      if ((mode & 3) == 0) {
        assertThat(root.warnings()).isEmpty();
      }
    } finally {
      Files.deleteIfExists(config.resolve("SOFTWARE"));
      Files.deleteIfExists(config.resolve("SYSTEM"));
    }
  }
}
