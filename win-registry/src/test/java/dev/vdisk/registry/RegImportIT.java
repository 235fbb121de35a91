package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The merge oracle for {@link RegImport}: the same {@code .reg} file imported by us into a new hive
 * and by {@code hivexregedit --merge} into hivex's starting hive (make-hives.sh's empty.hive) must
 * give byte-identical {@code hivexregedit --export} output; {@code regfinfo} must open our hive
 * and list the same hierarchy our reader reads; and the state must equal the model of the file's
 * records. The files: make-hives.sh's sources (every value type, 5000 subkeys, big data), a file
 * of key and value deletions, and seeded random files of more than 1000 lines with deletions, with
 * and without a prefix, into a new hive and into copies of corpus hives.
 */
class RegImportIT {
  static final String PREFIX = "HKEY_LOCAL_MACHINE\\SOFTWARE";

  @TempDir static Path dir;

  @BeforeAll
  static void makeHives() {
    RegExportIT.makeHives(dir);
    Oracles.require("regfinfo", "libregf-utils");
  }

  static Stream<String> sources() {
    return Stream.of("types", "big", "many");
  }

  /** Imports SOURCE with RegImport into a new hive at OURS; returns the counts. */
  static RegImport.Counts importOurs(Path source, Path ours, String prefix) throws IOException {
    RegFile f = RegFile.parse(source);
    try (Hive h = newHive(ours)) {
      return RegImport.apply(f, h, prefix);
    }
  }

  static Hive newHive(Path file) throws IOException {
    return Hive.create(file, "ROOT");
  }

  static Hive openWritable(Path file) throws IOException {
    return Hive.openWritable(file);
  }

  /** hivexregedit --merge SOURCE into a copy of BASE at TARGET. */
  static void importHivex(Path base, Path source, Path target, String prefix) throws IOException {
    Files.copy(base, target, StandardCopyOption.REPLACE_EXISTING);
    List<String> cmd = new ArrayList<>(List.of("hivexregedit", "--merge"));
    if (prefix != null) {
      cmd.add("--prefix");
      cmd.add(prefix);
    }
    cmd.add(target.toString());
    cmd.add(source.toString());
    Oracles.Result r = Oracles.run(null, RegFileIT.MERGE_ENV, cmd.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.describe()).isZero();
  }

  static byte[] export(Path hive) {
    return RegExportIT.hivexExport(hive);
  }

  /** The three checks on OURS against THEIRS (hivex's result) and the model of SOURCE. */
  static void assertSameResult(Path ours, Path theirs, Path source, String prefix, RegFileModel start)
      throws IOException {
    String what = source.getFileName().toString();
    byte[] expected = export(theirs);
    byte[] actual = export(ours);
    if (!java.util.Arrays.equals(expected, actual)) {
      try (Hive t = Hive.open(theirs); Hive o = Hive.open(ours)) {
        RegFileIT.assertSameState(RegFileModel.of(t), RegFileModel.of(o), what);
      }
      assertThat(new String(actual, StandardCharsets.UTF_8)).as(what)
          .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }
    assertValidBaseBlock(ours);
    try (Hive h = Hive.open(ours)) {
      RegFileIT.assertSameState(start.apply(RegFile.parse(source), prefix), RegFileModel.of(h),
          what + " against the model");
      assertRegfinfoReads(ours, h);
    }
  }

  /**
   * The primary file alone is consistent after the import: checksum right (parse checks it), both
   * sequence numbers equal, the hive bins data size matching the file.
   */
  static void assertValidBaseBlock(Path hive) throws IOException {
    byte[] head = new byte[4096];
    try (java.io.InputStream in = Files.newInputStream(hive)) {
      assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(head.length);
    }
    dev.vdisk.registry.internal.BaseBlock bb = dev.vdisk.registry.internal.BaseBlock.parse(
        java.nio.ByteBuffer.wrap(head), hive.toString());
    assertThat(bb.clean()).as("sequence numbers %d / %d", bb.primarySequence(),
        bb.secondarySequence()).isTrue();
    assertThat(4096L + bb.hiveBinsDataSize()).isLessThanOrEqualTo(Files.size(hive));
  }

  /** regfinfo opens the hive and prints the hierarchy our reader reads. */
  static void assertRegfinfoReads(Path file, Hive h) throws IOException {
    Oracles.Result r = Oracles.run("regfinfo", file.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    String out = r.stdout();
    int start = out.indexOf("Key hierarchy\n");
    assertThat(start).as("regfinfo prints the key hierarchy: " + out).isNotNegative();
    StringBuilder ours = new StringBuilder();
    print(h.root(), 0, ours);
    assertThat(ours.toString().stripTrailing())
        .isEqualTo(out.substring(start + "Key hierarchy\n".length()).stripTrailing());
  }

  private static void print(RegistryKey key, int depth, StringBuilder out) throws IOException {
    out.append(" ".repeat(depth)).append("(key:) ").append(key.name()).append('\n');
    int i = 0;
    for (RegistryValue v : key.values()) {
      out.append(" ".repeat(depth + 1)).append("(value: ").append(i++).append(") ")
          .append(v.name().isEmpty() ? "(default)" : v.name()).append('\n');
    }
    for (RegistryKey k : key.subkeys()) {
      print(k, depth + 1, out);
    }
  }

  @ParameterizedTest
  @MethodSource("sources")
  void makeHivesSourcesImportAsHivexMerges(String name) throws IOException {
    Path gen = dir.resolve("gen");
    Path source = gen.resolve(name + ".reg");
    Path ours = dir.resolve("ours-" + name + ".hive");
    Path theirs = dir.resolve("theirs-" + name + ".hive");
    RegImport.Counts c = importOurs(source, ours, null);
    importHivex(gen.resolve("empty.hive"), source, theirs, null);
    assertSameResult(ours, theirs, source, null, new RegFileModel());
    assertThat(c.valuesSet()).isPositive();
    assertThat(c.keysDeleted()).isZero();
  }

  @Test
  void regeditUtf16FileImportsAsHivexMergesItsUtf8Text() throws IOException {
    // regedit writes UTF-16LE with a byte-order mark and CRLF; hivexregedit needs UTF-8 text
    Path gen = dir.resolve("gen");
    Path utf8 = gen.resolve("types.reg");
    Path utf16 = dir.resolve("types-utf16.reg");
    String text = Files.readString(utf8).replace("\n", "\r\n");
    Files.write(utf16, ("\ufeff" + text).getBytes(StandardCharsets.UTF_16LE));
    Path ours = dir.resolve("ours-utf16.hive");
    Path theirs = dir.resolve("theirs-utf16.hive");
    importOurs(utf16, ours, null);
    importHivex(gen.resolve("empty.hive"), utf8, theirs, null);
    assertThat(export(ours)).isEqualTo(export(theirs));
  }

  @Test
  void deletionsImportAsHivexMerges() throws IOException {
    String text = RegFile.HEADER_V5 + "\n\n"
        + "[\\A]\n\"keep\"=\"1\"\n\"x\"=\"2\"\n@=\"d\"\n\n"
        + "[\\A\\B]\n\"y\"=dword:00000001\n\n"
        + "[\\A\\B\\C]\n\"z\"=hex:01\n\n"
        + "[\\D]\n\"w\"=\"w\"\n\n"
        + "[\\A]\n\"x\"=-\n@=-\n\"never existed\"=-\n\n"
        + "[-\\A\\B]\n\n"
        + "[-\\No\\Such\\Key]\n\n"
        + "[\\A\\b]\n\"again\"=\"new\"\n\n"
        + "[-\\D]\n\n"
        + "[\\D]\n\n";
    Path source = dir.resolve("deletions.reg");
    Files.writeString(source, text);
    Path ours = dir.resolve("ours-deletions.hive");
    Path theirs = dir.resolve("theirs-deletions.hive");
    RegImport.Counts c = importOurs(source, ours, null);
    importHivex(dir.resolve("gen").resolve("empty.hive"), source, theirs, null);
    assertSameResult(ours, theirs, source, null, new RegFileModel());
    // A, A\B, A\B\C, D, A\b (again), D (again)
    assertThat(c).isEqualTo(new RegImport.Counts(6, 2, 7, 2));
    try (Hive h = Hive.open(ours)) {
      assertThat(h.key("A\\B\\C")).isEmpty();
      assertThat(h.key("A").orElseThrow().value("x")).isEmpty();
      assertThat(h.key("A").orElseThrow().value("keep")).isPresent();
    }
  }

  static Stream<Long> seeds() {
    long base = Long.getLong("regimport.seed", System.nanoTime());
    return Stream.of(base, base + 1);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomBatchImportsAsHivexMerges(long seed) throws IOException {
    System.out.println("RegImportIT random seed " + seed + " (-Dregimport.seed=" + seed + ")");
    boolean withPrefix = (seed & 1) == 0;
    String prefix = withPrefix ? PREFIX : null;
    String text = new RandomReg(seed, List.of(), withPrefix ? PREFIX : "").generate(1200);
    assertThat(text.lines().count()).isGreaterThanOrEqualTo(1000);
    Path source = dir.resolve("random-" + seed + ".reg");
    Files.writeString(source, text);
    RegFile parsed = RegFile.parse(source);
    assertThat(parsed.records()).filteredOn(r -> r instanceof RegFile.DeleteKey).isNotEmpty();
    assertThat(parsed.records()).filteredOn(r -> r instanceof RegFile.DeleteValue).isNotEmpty();
    Path ours = dir.resolve("ours-random-" + seed + ".hive");
    Path theirs = dir.resolve("theirs-random-" + seed + ".hive");
    importOurs(source, ours, prefix);
    importHivex(dir.resolve("gen").resolve("empty.hive"), source, theirs, prefix);
    assertSameResult(ours, theirs, source, prefix, new RegFileModel());
  }

  /** A few small real Windows hives of the corpus (that hivex can open and export). */
  static Stream<String> corpusHives() throws IOException {
    List<String> out = new ArrayList<>();
    for (String entry : RegExportIT.corpus().toList()) {
      if (RegExportIT.DAMAGED.contains(entry)) {
        continue;
      }
      Path p = dev.vdisk.testdata.ProjectPaths.corpus().resolve(entry);
      String base = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
      boolean logs;
      try (Stream<Path> siblings = Files.list(p.getParent())) {
        logs = siblings.anyMatch(s -> s.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
            .contains(".log") && s.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
            .startsWith(base.replace(".xz", "")));
      }
      if (!logs && Files.size(p) < 2 * 1024 * 1024) {
        out.add(entry);
      }
    }
    return out.stream().sorted().limit(4);
  }

  @ParameterizedTest
  @MethodSource("corpusHives")
  void randomBatchOnCorpusHiveImportsAsHivexMerges(String entry) throws IOException {
    long seed = Long.getLong("regimport.seed", System.nanoTime());
    System.out.println("RegImportIT corpus " + entry + " seed " + seed);
    Path original = RegExportIT.stage(entry, dir);
    RegFileModel start;
    List<String> existing = new ArrayList<>();
    try (Hive h = Hive.open(original)) {
      start = RegFileModel.of(h);
      collect(h.root(), existing, 2000);
    }
    String text = new RandomReg(seed, existing, "").generate(1200);
    String safe = entry.replaceAll("[^A-Za-z0-9]", "_");
    Path source = dir.resolve("corpus-" + safe + ".reg");
    Files.writeString(source, text);
    Path ours = dir.resolve("ours-" + safe + ".hive");
    Path theirs = dir.resolve("theirs-" + safe + ".hive");
    Files.copy(original, ours, StandardCopyOption.REPLACE_EXISTING);
    try (Hive h = openWritable(ours)) {
      RegImport.apply(RegFile.parse(source), h, null);
    }
    importHivex(original, source, theirs, null);
    assertSameResult(ours, theirs, source, null, start);
  }

  private static void collect(RegistryKey k, List<String> out, int max) throws IOException {
    List<RegistryKey> stack = new ArrayList<>(List.of(k));
    while (!stack.isEmpty() && out.size() < max) {
      RegistryKey key = stack.remove(stack.size() - 1);
      if (!key.path().isEmpty()) {
        out.add(key.path());
      }
      stack.addAll(key.subkeys());
    }
  }

  @Test
  void keyOutsideThePrefixChangesNothing() throws IOException {
    Path source = dir.resolve("outside.reg");
    Files.writeString(source, RegFile.HEADER_V5 + "\n\n[" + PREFIX + "\\A]\n\"v\"=\"1\"\n\n"
        + "[HKEY_CURRENT_USER\\B]\n\n");
    Path ours = dir.resolve("ours-outside.hive");
    RegFile f = RegFile.parse(source);
    try (Hive h = newHive(ours)) {
      assertThatThrownBy(() -> RegImport.apply(f, h, PREFIX))
          .isInstanceOf(CorruptStructureException.class)
          .hasMessageContaining("line 6")
          .hasMessageContaining("outside the prefix");
      assertThat(h.key("A")).isEmpty();
    }
    Files.writeString(source, RegFile.HEADER_V5 + "\n\n[-" + PREFIX + "]\n");
    RegFile root = RegFile.parse(source);
    try (Hive h = openWritable(ours)) {
      assertThatThrownBy(() -> RegImport.apply(root, h, PREFIX))
          .isInstanceOf(CorruptStructureException.class)
          .hasMessageContaining("root");
    }
    assertThat(export(ours)).isEqualTo(
        (RegFile.HEADER_V5 + "\n\n[\\]\n\n").getBytes(StandardCharsets.UTF_8));
  }
}
