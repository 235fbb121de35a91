package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.registry.internal.HiveCheck;
import dev.vdisk.registry.internal.HiveFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HiveCheck} on every regf hive of the corpus: what real Windows hives violate is printed
 * (grouped by kind); all but one are clean, and that one only has stale largest-name fields.
 */
class HiveCheckIT {
  @TempDir static Path dir;

  /**
   * The one corpus hive with a violation: three keys of this SYSTEM hive (Windows 7) record 0 as
   * their largest subkey name length although they have subkeys. Every other real hive keeps all
   * the rules HiveCheck checks (lh hashes, lf hints, order, counts, sk reference counts, no
   * leaked cells).
   */
  static final String STALE_MAX_NAME = "dfwinreg/test_data/SYSTEM";

  static java.util.stream.Stream<String> corpus() throws IOException {
    return RegExportIT.corpus();
  }

  /** A problem's kind: its text without numbers and names. */
  static String kind(String problem) {
    String k = problem.replaceAll("^key .*? at \\d+: ", "key: ")
        .replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("-?\\d+", "N")
        .replaceAll("hash of .* is", "hash of NAME is").replaceAll("named .*", "named NAME")
        .replaceAll("\\(.*\\)", "(…)").replaceAll("[0-9a-f]{5,}", "H");
    return k;
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void corpusHiveIsChecked(String entry) throws IOException {
    Path hive = RegExportIT.stage(entry, dir);
    HiveFile file;
    try (FileChannel ch = FileChannel.open(hive, StandardOpenOption.READ)) {
      file = HiveFile.read(ch, entry);
    } catch (CorruptStructureException | UnsupportedFeatureException e) {
      assertThat(RegExportIT.DAMAGED).as(entry + ": " + e.getMessage()).contains(entry);
      return;
    }
    List<String> problems = HiveCheck.check(file);
    Map<String, Integer> kinds = new TreeMap<>();
    for (String p : problems) {
      kinds.merge(kind(p), 1, Integer::sum);
    }
    System.out.println("HiveCheckIT: " + entry + ": " + (problems.isEmpty() ? "clean" : kinds));
    if (!problems.isEmpty()) {
      System.out.println("HiveCheckIT:   first: " + problems.get(0));
    }
    if (entry.equals(STALE_MAX_NAME)) {
      assertThat(kinds).containsOnlyKeys("key: largest subkey name N < N (…)");
    } else {
      assertThat(problems).as(entry).isEmpty();
    }
  }
}
