package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RegExport} against {@code hivexregedit --export HIVE '\'}, byte for byte, on hives built
 * by {@code hivexregedit --merge} (testdata/scripts/make-hives.sh) and on every regf hive of the
 * shared corpus; hives hivex refuses must be refused by us with a typed error. Values are also
 * checked against {@code hivexget}.
 */
class RegExportIT {
  /** Corpus hives that hivex refuses (damaged on purpose); we must refuse them with a typed error. */
  static final Set<String> DAMAGED = Set.of(
      "ericzimmerman-registry/Registry.Test/Hives/SAMBadHBinHeader",
      "ericzimmerman-registry/Registry.Test/Hives/SAN(OTHER)",
      "regipy/regipy_tests/data/corrupted_system_hive.xz");

  @TempDir static Path dir;

  @BeforeAll
  static void makeHives() {
    makeHives(dir);
  }

  /** Runs make-hives.sh into DIR/gen. */
  static void makeHives(Path dir) {
    Oracles.require("hivexregedit", "libwin-hivex-perl");
    Oracles.runOk("sh", ProjectPaths.script("make-hives.sh").toString(),
        dir.resolve("gen").toString());
  }

  static Stream<String> generated() {
    return Stream.of("empty", "types", "big", "many");
  }

  /** Corpus entries (MANIFEST.tsv) that are regf primary hives, compressed or not. */
  static Stream<String> corpus() throws IOException {
    Path corpus = ProjectPaths.corpus();
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(corpus.resolve("MANIFEST.tsv"))) {
      String[] f = line.split("\t");
      if (f.length < 6) {
        continue;
      }
      boolean hive = f[5].equals("Windows registry hive (regf)");
      boolean compressedHive = f[0].startsWith("regipy/") && f[0].endsWith(".xz")
          && !f[0].toLowerCase().contains(".log");
      if (hive || compressedHive) {
        out.add(f[0]);
      }
    }
    assertThat(out).as("regf hives in the corpus").hasSizeGreaterThanOrEqualTo(30);
    return out.stream();
  }

  /** Corpus entries that are not primary regf hives: transaction logs, Windows 9x CREG, a PE. */
  static Stream<String> notHives() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(ProjectPaths.corpus().resolve("MANIFEST.tsv"))) {
      String[] f = line.split("\t");
      if (f.length < 6) {
        continue;
      }
      if (f[5].startsWith("Windows registry transaction log") || f[5].contains("(CREG)")
          || f[5].startsWith("negative test: not a hive")
          || f[0].startsWith("regipy/") && f[0].toLowerCase().contains(".log")) {
        out.add(f[0]);
      }
    }
    assertThat(out).as("non-hives in the corpus").hasSizeGreaterThanOrEqualTo(10);
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("notHives")
  void nonHivesAreRefusedLikeHivex(String entry) throws IOException {
    Path file = stage(entry, dir);
    Oracles.Result r = Oracles.run("hivexregedit", "--export", file.toString(), "\\");
    assertThat(r.exitCode()).as("hivex refuses " + entry).isNotZero();
    assertThatThrownBy(() -> Hive.open(file)).as(entry)
        .isInstanceOfAny(CorruptStructureException.class, UnsupportedFeatureException.class);
  }

  @ParameterizedTest
  @MethodSource("generated")
  void generatedHiveExportsAsHivex(String name) throws IOException {
    Path hive = dir.resolve("gen").resolve(name + ".hive");
    byte[] expected = hivexExport(hive);
    try (Hive h = Hive.open(hive)) {
      assertThat(ours(h.root(), null)).isEqualTo(expected);
      // The generated hives have no names made only of Latin-1 characters: the Writer form in
      // UTF-8 gives the same bytes.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
        RegExport.export(h.root(), null, w);
      }
      assertThat(bytes.toByteArray()).isEqualTo(expected);
    }
  }

  @Test
  void prefixAndSubkeyExportAsHivex() throws IOException {
    Path hive = dir.resolve("gen").resolve("types.hive");
    for (String key : List.of("\\Types", "\\日本語キー", "\\Compressed\\Deep")) {
      for (String prefix : List.of("HKEY_LOCAL_MACHINE\\SOFTWARE", "HKEY_CURRENT_USER\\")) {
        Oracles.Result r = Oracles.run("hivexregedit", "--export", "--prefix", prefix,
            hive.toString(), key);
        assertThat(r.exitCode()).as(r.commandLine()).isZero();
        try (Hive h = Hive.open(hive)) {
          assertThat(ours(h.key(key).orElseThrow(), prefix)).as(key + " " + prefix)
              .isEqualTo(r.out());
        }
      }
    }
  }

  @Test
  void valuesAgreeWithHivexget() throws IOException {
    Path hive = dir.resolve("gen").resolve("types.hive");
    try (Hive h = Hive.open(hive)) {
      RegistryKey types = h.key("TYPES").orElseThrow();
      assertThat(types.path()).isEqualTo("Types");
      int checked = 0;
      for (RegistryValue v : types.values()) {
        if (v.name().isEmpty()) {
          continue;
        }
        Oracles.Result r = Oracles.run("hivexget", hive.toString(), "\\types", v.name());
        assertThat(r.exitCode()).as(r.commandLine()).isZero();
        String got = r.stdout();
        switch (v.valueType()) {
          case SZ, EXPAND_SZ -> assertThat(v.asString() + "\n").as(v.name()).isEqualTo(got);
          case DWORD, DWORD_BIG_ENDIAN, QWORD -> {
            if (v.data().length == (v.valueType() == ValueType.QWORD ? 8 : 4)) {
              assertThat(Long.toString(v.asNumber()) + "\n").as(v.name()).isEqualTo(got);
            } else {
              continue;
            }
          }
          case MULTI_SZ -> assertThat(String.join("\n", v.asStrings()) + "\n\n")
              .as(v.name()).isEqualTo(got);
          default -> {
            continue;
          }
        }
        checked++;
        assertThat(types.value(v.name().toUpperCase())).contains(v);
      }
      assertThat(checked).isGreaterThanOrEqualTo(6);
      assertThat(h.key("\\types\\SUB KEY")).isPresent();
      assertThat(h.key("nonexistent")).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void corpusHiveExportsAsHivex(String entry) throws IOException {
    Path hive = stage(entry, dir);
    Oracles.Result r = Oracles.run("hivexregedit", "--export", hive.toString(), "\\");
    if (r.exitCode() != 0) {
      assertThat(DAMAGED).as("hivex refuses " + entry + ": " + r.stderr()).contains(entry);
      assertThatThrownBy(() -> {
        try (Hive h = Hive.open(hive)) {
          ours(h.root(), null);
        }
      }).isInstanceOfAny(CorruptStructureException.class, UnsupportedFeatureException.class);
      return;
    }
    assertThat(DAMAGED).doesNotContain(entry);
    // hivex does not replay transaction logs: read the primary alone (staged logs may lie beside)
    try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(hive);
        Hive h = Hive.open(ch, hive.toString())) {
      assertThat(ours(h.root(), null)).as(entry).isEqualTo(r.out());
    }
  }

  static byte[] ours(RegistryKey key, String prefix) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RegExport.export(key, prefix, out);
    return out.toByteArray();
  }

  static byte[] hivexExport(Path hive) {
    Oracles.Result r = Oracles.run("hivexregedit", "--export", hive.toString(), "\\");
    assertThat(r.exitCode()).as(r.commandLine() + ": " + r.stderr()).isZero();
    return r.out();
  }

  /** The corpus file, decompressed into the temporary directory when it is .xz. */
  static Path stage(String entry, Path dir) throws IOException {
    Path source = ProjectPaths.corpus().resolve(entry);
    if (!entry.endsWith(".xz")) {
      return source;
    }
    Oracles.require("xz", "xz-utils");
    Path target = dir.resolve("corpus").resolve(entry.substring(0, entry.length() - 3));
    if (!Files.exists(target)) {
      Files.createDirectories(target.getParent());
      Oracles.Result r = Oracles.run("xz", "-dc", source.toString());
      assertThat(r.exitCode()).as(r.commandLine()).isZero();
      Files.write(target, r.out());
    }
    return target;
  }
}
