package dev.vdisk.baseline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.compliance.internal.PackagesReader;
import dev.vdisk.core.CorruptStructureException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Set;

/**
 * Arbitrary bytes into {@link BaselineSet#parse} (only {@link BaselineException}) and the
 * catalog's Packages reader (only {@link CorruptStructureException}). The seeds in {@code
 * BaselineFuzzTestInputs/} run as a regression test in every build; set {@code JAZZER_FUZZ=1}
 * to fuzz.
 */
class BaselineFuzzTest {

  @FuzzTest(maxDuration = "1m")
  void load(byte[] input) {
    BaselineSet set;
    try {
      set = BaselineSet.parse(input, null);
    } catch (BaselineException e) {
      assertNotNull(e.getMessage());
      return;
    }
    assertFalse(set.baselines().isEmpty());
    for (Baseline b : set.baselines().values()) {
      assertFalse(b.name().isBlank());
      assertTrue(b.dynamic() != null || !b.statics().isEmpty());
      b.excludes("x");
    }
    for (String name : set.select(Set.of("web", "prod"))) {
      assertTrue(set.baselines().containsKey(name));
    }
  }

  @FuzzTest(maxDuration = "1m")
  void packages(byte[] input) throws IOException {
    try {
      new PackagesReader().read(new ByteArrayInputStream(input), "fuzz", null, p -> {
        assertFalse(p.entry().name().isEmpty());
        p.entry().dependencies();
        p.entry().negatives();
        p.entry().provided();
      });
    } catch (CorruptStructureException e) {
      assertNotNull(e.getMessage());
    }
  }
}
