package dev.vdisk.deb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Arbitrary bytes as a {@code .deb}: {@link DebArchive} either reads it (control and every data
 * entry with its content, paths absolute and free of {@code ..}) or throws {@link
 * CorruptStructureException} or {@link UnsupportedFeatureException}; never another exception.
 * The seeds in {@code DebArchiveFuzzTestInputs/open} are made by dpkg-deb through {@code
 * testdata/scripts/make-inject-fuzz-seeds.sh}; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class DebArchiveFuzzTest {

  @FuzzTest(maxDuration = "1m")
  void open(byte[] input) throws IOException {
    Path f = Files.createTempFile("fuzz", ".deb");
    try {
      Files.write(f, input);
      try (DebArchive a = DebArchive.open(f)) {
        assertNotNull(a.control().get("Package"));
        a.forEachData((e, in) -> {
          assertTrue(e.path().startsWith("/"), e.path());
          assertFalse(e.path().contains("/../"), e.path());
          in.transferTo(java.io.OutputStream.nullOutputStream());
        });
      } catch (CorruptStructureException | UnsupportedFeatureException expected) {
        // typed refusal
      }
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
