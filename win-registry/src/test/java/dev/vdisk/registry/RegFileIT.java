package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RegFile} against hivex: the text {@code hivexregedit --export} writes for a hive, parsed
 * by us, must describe exactly the keys and values our {@link Hive} reader reads from that hive
 * (for the hives of make-hives.sh and every corpus hive hivex can export); and the {@code .reg}
 * sources make-hives.sh feeds to {@code hivexregedit --merge}, parsed by us and applied to a
 * model, must describe exactly the hive hivex built from them.
 */
class RegFileIT {
  /** How hivexregedit --merge must run to read UTF-8 text (see DESIGN.md's oracle notes). */
  static final Map<String, String> MERGE_ENV = Map.of("LC_ALL", "C.UTF-8", "PERL_UNICODE", "SDA");

  @TempDir static Path dir;

  @BeforeAll
  static void makeHives() {
    RegExportIT.makeHives(dir);
  }

  static Stream<String> generated() {
    return RegExportIT.generated();
  }

  static Stream<String> sources() {
    return Stream.of("types", "big", "many");
  }

  static Stream<String> corpus() throws IOException {
    return RegExportIT.corpus();
  }

  /** Asserts that two models hold the same keys and values, naming the first difference. */
  static void assertSameState(RegFileModel expected, RegFileModel actual, String what) {
    assertThat(actual.keyCount()).as(what + ": keys").isEqualTo(expected.keyCount());
    assertThat(actual.valueCount()).as(what + ": values").isEqualTo(expected.valueCount());
    String e = expected.describe();
    String a = actual.describe();
    if (!e.equals(a)) {
      int i = 0;
      while (i < e.length() && i < a.length() && e.charAt(i) == a.charAt(i)) {
        i++;
      }
      int from = Math.max(0, e.lastIndexOf('\n', Math.max(0, i - 1)) + 1);
      assertThat(a.substring(from, Math.min(a.length(), from + 400))).as(what)
          .isEqualTo(e.substring(from, Math.min(e.length(), from + 400)));
    }
  }

  private static RegFileModel parsedExport(Path hive, String prefix) throws IOException {
    Oracles.Result r = prefix == null
        ? Oracles.run("hivexregedit", "--export", hive.toString(), "\\")
        : Oracles.run("hivexregedit", "--export", "--prefix", prefix, hive.toString(), "\\");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    RegFile f = RegFile.parse(r.out(), hive.getFileName().toString());
    assertThat(f.version()).isEqualTo(RegFile.Version.V5);
    return new RegFileModel().apply(f, prefix);
  }

  @ParameterizedTest
  @MethodSource("generated")
  void generatedHiveExportParsesToWhatWeRead(String name) throws IOException {
    Path hive = dir.resolve("gen").resolve(name + ".hive");
    try (Hive h = Hive.open(hive)) {
      RegFileModel ours = RegFileModel.of(h);
      assertSameState(parsedExport(hive, null), ours, name);
      assertSameState(parsedExport(hive, "HKEY_LOCAL_MACHINE\\SOFTWARE"), ours,
          name + " with a prefix");
    }
  }

  @ParameterizedTest
  @MethodSource("sources")
  void mergeSourcesParseToWhatHivexMerged(String name) throws IOException {
    Path gen = dir.resolve("gen");
    Path hive = dir.resolve("merged-" + name + ".hive");
    Files.copy(gen.resolve("empty.hive"), hive, StandardCopyOption.REPLACE_EXISTING);
    Path source = gen.resolve(name + ".reg");
    Oracles.Result r = Oracles.run(null, MERGE_ENV, "hivexregedit", "--merge", hive.toString(),
        source.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    RegFile f = RegFile.parse(source);
    assertThat(f.records()).isNotEmpty();
    try (Hive h = Hive.open(hive)) {
      assertSameState(new RegFileModel().apply(f, null), RegFileModel.of(h), name + ".reg");
    }
  }

  @Test
  void utf16WithCrlfParsesAsUtf8() throws IOException {
    // regedit's own form of the same text: UTF-16LE with a byte-order mark and CRLF line ends
    Path source = dir.resolve("gen").resolve("types.reg");
    String text = Files.readString(source).replace("\n", "\r\n");
    byte[] le = ("\ufeff" + text).getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
    assertThat(RegFile.parse(le, "types-utf16.reg").records())
        .isEqualTo(RegFile.parse(source).records());
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void corpusHiveExportParsesToWhatWeRead(String entry) throws IOException {
    Path hive = RegExportIT.stage(entry, dir);
    Oracles.Result r = Oracles.run("hivexregedit", "--export", hive.toString(), "\\");
    if (r.exitCode() != 0) {
      // damaged on purpose; RegExportIT checks that we refuse it too
      assertThat(RegExportIT.DAMAGED).as(entry + ": " + r.stderr()).contains(entry);
      return;
    }
    RegFile f = RegFile.parse(r.out(), entry);
    // hivex does not replay transaction logs: read the primary alone
    try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(hive);
        Hive h = Hive.open(ch, hive.toString())) {
      assertSameState(new RegFileModel().apply(f, null), RegFileModel.of(h), entry);
    }
  }

  /**
   * Names hivexregedit --export writes raw (control characters, quotes, backslashes, Latin-1,
   * brackets, leading blanks) come back from its text exactly; a name holding a line break
   * cannot be expressed (hivex writes it raw) and is reported as a typed error with its line.
   * With --unsafe-printable-strings, strings come as str(T):"..." and parse back unless they
   * hold a backslash before a quote or another backslash (hivex does not escape backslashes).
   */
  @Test
  void unusualNamesAndPrintableStrings() throws IOException {
    Path hive = dir.resolve("unusual.hive");
    try (Hive h = Hive.create(hive, "ROOT")) {
      for (String key : List.of("Br]acket", " lead", "-dash", "Latin é ü", "ctl\u0001x",
          "semi;colon = eq")) {
        h.createKey("Unusual\\" + key);
        h.setValue("Unusual\\" + key, new RegistryValue("q\"u\\o\"", 1,
            RegFile.utf16z("C:\\Windows\\System32")));
        h.setValue("Unusual\\" + key, new RegistryValue("tab\there\u0002", 4,
            new byte[] {1, 2, 3, 4}));
        h.setValue("Unusual\\" + key, new RegistryValue("é", 1, RegFile.utf16z("ü \"x\"")));
      }
      h.commit();
    }
    try (Hive h = Hive.open(hive)) {
      RegFileModel ours = RegFileModel.of(h);
      assertSameState(parsedExport(hive, null), ours, "unusual names");
      Oracles.Result printable = Oracles.run("hivexregedit", "--export",
          "--unsafe-printable-strings", hive.toString(), "\\");
      assertThat(printable.exitCode()).as(printable.describe()).isZero();
      RegFile f = RegFile.parse(printable.out(), "printable");
      assertThat(f.records()).filteredOn(r -> r instanceof RegFile.SetValue s
          && s.value().type() == 1).isNotEmpty();
      assertSameState(new RegFileModel().apply(f, null), ours, "unsafe printable strings");
    }
    try (Hive h = Hive.openWritable(hive)) {
      h.setValue("Unusual", new RegistryValue("line\nbreak", 4, new byte[] {1, 0, 0, 0}));
      h.commit();
    }
    Oracles.Result r = Oracles.run("hivexregedit", "--export", hive.toString(), "\\");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RegFile.parse(r.out(), "newline"))
        .isInstanceOf(dev.vdisk.core.CorruptStructureException.class)
        .hasMessageContaining("no closing quote");
  }
}
