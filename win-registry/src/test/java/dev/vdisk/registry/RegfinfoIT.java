package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The key hierarchy libregf's {@code regfinfo} prints (every key and value name in stored order,
 * indented by depth) against the same walk through {@link RegistryKey#subkeys()} and {@link
 * RegistryKey#values()}, for the generated hives and the corpus hives both tools open.
 */
class RegfinfoIT {
  private static final Charset CP1252 = Charset.forName("windows-1252");

  @TempDir static Path dir;

  @BeforeAll
  static void makeHives() {
    Oracles.require("regfinfo", "libregf-utils");
    RegExportIT.makeHives(dir);
  }

  static Stream<String> hives() throws IOException {
    List<String> all = new ArrayList<>();
    RegExportIT.generated().forEach(n -> all.add("gen:" + n));
    RegExportIT.corpus().filter(e -> !RegExportIT.DAMAGED.contains(e)).forEach(all::add);
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("hives")
  void storedHierarchyAgreesWithRegfinfo(String entry) throws IOException {
    Path hive = entry.startsWith("gen:")
        ? dir.resolve("gen").resolve(entry.substring(4) + ".hive")
        : RegExportIT.stage(entry, dir);
    Oracles.Result r = Oracles.run("regfinfo", hive.toString());
    assertThat(r.exitCode()).as(r.commandLine() + ": " + r.stderr()).isZero();
    String out = r.stdout();
    int start = out.indexOf("Key hierarchy\n");
    assertThat(start).as("regfinfo prints the key hierarchy").isNotNegative();
    String expected = out.substring(start + "Key hierarchy\n".length()).stripTrailing();
    StringBuilder ours = new StringBuilder();
    try (Hive h = Hive.open(hive)) {
      print(h.root(), 0, ours);
    }
    assertThat(ours.toString().stripTrailing()).as(entry).isEqualTo(expected);
  }

  private static void print(RegistryKey key, int depth, StringBuilder out) throws IOException {
    out.append(" ".repeat(depth)).append("(key:) ").append(name(key.name())).append('\n');
    int i = 0;
    for (RegistryValue v : key.values()) {
      out.append(" ".repeat(depth + 1)).append("(value: ").append(i++).append(") ")
          .append(v.name().isEmpty() ? "(default)" : name(v.name())).append('\n');
    }
    for (RegistryKey k : key.subkeys()) {
      print(k, depth + 1, out);
    }
  }

  /** regfinfo decodes compressed (one byte per character) names as Windows-1252, not Latin-1. */
  private static String name(String n) {
    for (int i = 0; i < n.length(); i++) {
      if (n.charAt(i) > 0xff) {
        return n;
      }
    }
    return new String(n.getBytes(StandardCharsets.ISO_8859_1), CP1252);
  }
}
