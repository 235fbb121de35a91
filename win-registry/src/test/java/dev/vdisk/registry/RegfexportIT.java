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
 * Key paths, class names and value names in stored order as libregf's {@code regfexport} prints
 * them, against {@link RegistryKey#className()} and {@link RegistryKey#values()}. (regfexport's
 * "Data size" is libregf's own notion and differs from the data hivex returns for some values, so
 * the data itself is checked against hivexregedit in {@link RegExportIT}.)
 */
class RegfexportIT {
  private static final Charset CP1252 = Charset.forName("windows-1252");

  @TempDir static Path dir;

  @BeforeAll
  static void makeHives() {
    Oracles.require("regfexport", "libregf-utils");
    RegExportIT.makeHives(dir);
  }

  static Stream<String> hives() throws IOException {
    return RegfinfoIT.hives();
  }

  @ParameterizedTest
  @MethodSource("hives")
  void classNamesAgreeWithRegfexport(String entry) throws IOException {
    Path hive = entry.startsWith("gen:")
        ? dir.resolve("gen").resolve(entry.substring(4) + ".hive")
        : RegExportIT.stage(entry, dir);
    Oracles.Result r = Oracles.run("regfexport", hive.toString());
    assertThat(r.exitCode()).as(r.commandLine() + ": " + r.stderr()).isZero();
    List<String> expected = new ArrayList<>();
    for (String line : r.stdout().split("\n")) {
      if (line.startsWith("Key path: ") || line.startsWith("Class name: ")
          || line.startsWith("Value: ")) {
        expected.add(line);
      }
    }
    List<String> ours = new ArrayList<>();
    int classes = 0;
    try (Hive h = Hive.open(hive)) {
      RegistryKey root = h.root();
      List<RegistryKey> todo = new ArrayList<>(List.of(root));
      while (!todo.isEmpty()) {
        RegistryKey k = todo.remove(todo.size() - 1);
        ours.add("Key path: " + name(root.name()) + (k.path().isEmpty() ? "" : "\\"
            + String.join("\\", names(k.path()))));
        if (k.className().isPresent()) {
          ours.add("Class name: " + k.className().get());
          classes++;
        }
        int i = 0;
        for (RegistryValue v : k.values()) {
          ours.add("Value: " + i++ + " " + (v.name().isEmpty() ? "(default)" : name(v.name())));
        }
        List<RegistryKey> sub = k.subkeys();
        for (int j = sub.size() - 1; j >= 0; j--) {
          todo.add(sub.get(j));
        }
      }
    }
    assertThat(ours).as(entry + " (" + classes + " class names)").isEqualTo(expected);
  }

  private static List<String> names(String path) {
    List<String> out = new ArrayList<>();
    for (String p : path.split("\\\\")) {
      out.add(name(p));
    }
    return out;
  }

  /** libregf decodes compressed (one byte per character) names as Windows-1252, not Latin-1. */
  private static String name(String n) {
    for (int i = 0; i < n.length(); i++) {
      if (n.charAt(i) > 0xff) {
        return n;
      }
    }
    return new String(n.getBytes(StandardCharsets.ISO_8859_1), CP1252);
  }
}
