package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.Cell;
import dev.vdisk.registry.internal.SecurityKey;
import dev.vdisk.registry.internal.HiveCheck;
import dev.vdisk.registry.internal.HiveEditor;
import dev.vdisk.registry.internal.HiveFile;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.SambaSddl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random edit batches (create keys with parents, delete keys recursively, set values of
 * every type and sizes up to 100 KiB, delete values; Japanese, emoji and Latin-1 names, names
 * differing only in case, 5000 subkeys under one key) against an in-memory model, committed
 * every 100 operations. After every commit: {@code hivexregedit --export} of the file equals the
 * model, {@code regfinfo} opens it, {@code hivexsh} navigates to a key and lists the model's
 * subkeys, the base block's checksum and sequence numbers are valid, and {@link HiveCheck}
 * finds nothing the hive did not already have. Runs on a new empty hive, on hives built by
 * {@code hivexregedit --merge} and on real Windows hives from the corpus.
 */
class HiveWriteIT {
  @TempDir static Path dir;

  @BeforeAll
  static void hives() throws IOException {
    RegExportIT.makeHives(dir);
    // A moderately sized variant of many.hive: 1500 subkeys under one key (three lh leaves).
    StringBuilder reg = new StringBuilder("Windows Registry Editor Version 5.00\n\n[\\Many]\n\n");
    for (int i = 0; i < 1500; i++) {
      reg.append(String.format("[\\Many\\key%05d]\n\"v\"=dword:%08x\n\n", i, i));
    }
    Path regFile = dir.resolve("gen/many1500.reg");
    Files.writeString(regFile, reg.toString());
    Files.copy(dir.resolve("gen/empty.hive"), dir.resolve("gen/many1500.hive"));
    Oracles.runOk("hivexregedit", "--merge", dir.resolve("gen/many1500.hive").toString(),
        regFile.toString());
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("new", 1L),
        Arguments.of("new-1.3", 9L),
        Arguments.of("gen/types.hive", 2L),
        Arguments.of("gen/big.hive", 3L),
        Arguments.of("gen/many1500.hive", 4L),
        Arguments.of("regipy/regipy_tests/data/NTUSER.DAT.xz", 5L),
        Arguments.of("regipy/regipy_tests/data/SYSTEM.xz", 6L),
        Arguments.of("regipy/regipy_tests/data/ntuser_software_partial.xz", 7L),
        Arguments.of("dfwinreg/test_data/SAM", 8L));
  }

  /** Where the case's hive is copied to be edited. */
  static Path stage(String source, Path work) throws IOException {
    Path target = work.resolve("hive");
    if (source.equals("new")) {
      Hive.create(target, "ROOT").close();
    } else if (source.equals("new-1.3")) {
      // A version 1.3 hive: lf leaves instead of lh, no big data cells.
      Hive.create(target, "ROOT").close();
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(target)).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(24, 3);
      b.putInt(508, BaseBlock.computeChecksum(b));
      Files.write(target, b.array());
    } else if (source.startsWith("gen/")) {
      Files.copy(dir.resolve(source), target);
    } else {
      Files.copy(RegExportIT.stage(source, work), target);
    }
    return target;
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("cases")
  void randomEditsMatchTheModel(String source, long seed) throws IOException {
    System.out.println("HiveWriteIT: " + source + " seed " + seed);
    Oracles.require("regfinfo", "libregf-utils");
    Oracles.require("hivexsh", "libhivex-bin");
    Path work = Files.createDirectories(dir.resolve("work-" + seed));
    Path hive = stage(source, work);
    RegModel model;
    try (Hive h = Hive.open(hive)) {
      model = RegModel.of(h);
    }
    // The model starts from the hive as our reader sees it; hivex must see the same.
    assertThat(model.export()).as("reader vs hivexregedit").isEqualTo(
        RegExportIT.hivexExport(hive));
    Set<String> baseline = new HashSet<>(check(hive));
    if (!baseline.isEmpty()) {
      System.out.println("HiveWriteIT: " + source + " has " + baseline.size()
          + " problems before any edit, first: " + baseline.iterator().next());
    }
    Random r = new Random(seed);
    Edits edits = new Edits(r, model);
    int ops = 1000;
    int commits = 0;
    try (Hive h = Hive.openWritable(hive)) {
      for (int i = 1; i <= ops; i++) {
        if (source.equals("new") && i == 250) {
          edits.bulk(h, 5000);
        } else if (source.equals("new-1.3") && i == 150) {
          edits.bulk(h, 1200);
        }
        edits.step(h);
        if (i % 100 == 0) {
          h.commit();
          commits++;
          verify(hive, model, baseline, r);
        }
      }
    }
    assertThat(commits).isEqualTo(10);
    System.out.println("HiveWriteIT: " + source + " seed " + seed + ": " + edits.counts
        + ", " + Files.size(hive) + " bytes");
  }

  @Test
  void createdHiveOpensInHivexAndRegfinfoAndTakesAMerge() throws IOException {
    Path hive = dir.resolve("created.hive");
    Hive.create(hive, "CMI-CreateHive{6A1C4018-979D-4291-A7DC-7AED1C75B67C}").close();
    Oracles.Result info = Oracles.run("regfinfo", hive.toString());
    assertThat(info.exitCode()).as(info.describe()).isZero();
    assertThat(info.stdout()).contains("Version:\t1.5")
        .contains("CMI-CreateHive{6A1C4018-979D-4291-A7DC-7AED1C75B67C}");
    Oracles.Result sh = Oracles.run("ls\nlsval\n".getBytes(StandardCharsets.UTF_8), Map.of(),
        "hivexsh", hive.toString());
    assertThat(sh.exitCode()).as(sh.describe()).isZero();
    assertThat(sh.stdout()).isEmpty();
    // The root's security descriptor, as Samba reads it: O:BAG:SYD:(A;OICI;KA;;;SY)
    // (A;OICI;KA;;;BA); Samba has no registry aliases and spells KEY_ALL_ACCESS (0xF003F) as the
    // generic rights it maps to.
    SambaSddl.require();
    HiveFile file = HiveFile.of(ByteBuffer.wrap(Files.readAllBytes(hive)), hive.toString());
    Cell skCell = file.cell(file.root().security(), "sk");
    SecurityKey sk = SecurityKey.parse(skCell.data(), hive.toString(), skCell.fileOffset());
    assertThat(sk.referenceCount()).isEqualTo(1);
    assertThat(sk.flink()).isEqualTo(file.root().security()).isEqualTo(sk.blink());
    assertThat(SambaSddl.sddl(List.of(sk.descriptor()), null)).containsExactly(
        "O:BAG:SYD:(A;OICI;RPWPCCDCLCRCWOWDSDSW;;;SY)(A;OICI;RPWPCCDCLCRCWOWDSDSW;;;BA)");
    Path reg = dir.resolve("created.reg");
    Files.writeString(reg, "Windows Registry Editor Version 5.00\n\n[\\Added]\n\"v\"=\"x\"\n\n"
        + "[\\Added\\日本語]\n@=dword:00000007\n\n");
    Oracles.Result merge = Oracles.run(null, Map.of("LC_ALL", "C.UTF-8", "PERL_UNICODE", "SDA"),
        "hivexregedit", "--merge", hive.toString(), reg.toString());
    assertThat(merge.exitCode()).as(merge.describe()).isZero();
    try (Hive h = Hive.open(hive)) {
      assertThat(h.key("Added\\日本語").orElseThrow().value("").orElseThrow().asNumber())
          .isEqualTo(7);
      assertThat(h.key("added").orElseThrow().value("V").orElseThrow().asString())
          .isEqualTo("x");
    }
    // Our writer continues where hivex left off.
    try (Hive h = Hive.openWritable(hive)) {
      h.createKey("Ours\\Deeper");
      h.setValue("Added", new RegistryValue("n", 4, new byte[] {1, 0, 0, 0}));
      h.commit();
    }
    // hivex computes lh hashes over the UTF-8 bytes (signed) with ASCII-only upper-casing; Windows (and
    // HiveEditor) over the upper-cased UTF-16 code units. They agree for ASCII names only, so the
    // one non-ASCII key hivex added carries hivex's hash, and nothing else is wrong.
    assertThat(check(hive)).singleElement().asString().contains("lh hash of 日本語 is "
        + Integer.toHexString(hivexHash("日本語")) + ", expected "
        + Integer.toHexString(HiveEditor.lhHash("日本語")));
    String export = new String(RegExportIT.hivexExport(hive), StandardCharsets.UTF_8);
    assertThat(export).contains("[\\Ours\\Deeper]").contains("\"n\"=dword:00000001");
  }

  /**
   * The lh hash hivex writes: over the UTF-8 bytes as signed C chars, upper-casing ASCII letters
   * only.
   */
  static int hivexHash(String name) {
    int h = 0;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b;
      h = 37 * h + (c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    return h;
  }

  static List<String> check(Path hive) throws IOException {
    try (FileChannel ch = FileChannel.open(hive, StandardOpenOption.READ)) {
      return HiveCheck.check(HiveFile.read(ch, hive.toString()));
    }
  }

  private static void verify(Path hive, RegModel model, Set<String> baseline, Random r)
      throws IOException {
    ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(hive)).order(ByteOrder.LITTLE_ENDIAN);
    BaseBlock bb = BaseBlock.parse(head, hive.toString());
    assertThat(bb.clean()).as("sequence numbers").isTrue();
    assertThat(bb.checksum()).isEqualTo(BaseBlock.computeChecksum(head));
    assertThat(4096L + bb.hiveBinsDataSize()).isLessThanOrEqualTo(Files.size(hive));
    byte[] expected = model.export();
    byte[] hivex = RegExportIT.hivexExport(hive);
    if (!java.util.Arrays.equals(expected, hivex)) {
      Path out = Files.createDirectories(Path.of("target", "hivewrite"));
      String tag = hive.getParent().getFileName().toString();
      Files.write(out.resolve(tag + "-model.reg"), expected);
      Files.write(out.resolve(tag + "-hivex.reg"), hivex);
      String[] a = new String(expected, StandardCharsets.ISO_8859_1).split("\n", -1);
      String[] b = new String(hivex, StandardCharsets.ISO_8859_1).split("\n", -1);
      int i = 0;
      while (i < a.length && i < b.length && a[i].equals(b[i])) {
        i++;
      }
      String want = i < a.length ? a[i] : "<end>";
      String got = i < b.length ? b[i] : "<end>";
      int at = 0;
      while (at < want.length() && at < got.length() && want.charAt(at) == got.charAt(at)) {
        at++;
      }
      org.junit.jupiter.api.Assertions.fail("hivexregedit --export differs from the model at line "
          + (i + 1) + " (lengths " + got.length() + " / " + want.length() + "), column " + at
          + ":\n hivex: " + cut(got) + "\n model: " + cut(want) + "\n files in " + out);
    }
    try (Hive h = Hive.open(hive)) {
      assertThat(RegModel.of(h).export()).as("our reader").isEqualTo(expected);
    }
    Oracles.Result info = Oracles.run("regfinfo", hive.toString());
    assertThat(info.exitCode()).as(info.describe()).isZero();
    // hivexsh: navigate to a key with a plain name and list its subkeys.
    List<List<String>> plain = new ArrayList<>();
    collectPlain(model.root, new ArrayList<>(), plain, 200);
    List<String> path = plain.get(r.nextInt(plain.size()));
    RegModel.Node node = model.find(path);
    String script = "cd \\" + String.join("\\", path) + "\nls\n";
    Oracles.Result sh = Oracles.run(script.getBytes(StandardCharsets.UTF_8),
        Map.of("LC_ALL", "C.UTF-8"), "hivexsh", hive.toString());
    assertThat(sh.exitCode()).as(sh.describe()).isZero();
    Set<String> listed = new TreeSet<>(List.of(sh.stdout().split("\n")));
    listed.remove("");
    Set<String> want = new TreeSet<>();
    for (RegModel.Node c : node.children.values()) {
      want.add(c.name);
    }
    assertThat(listed).as("hivexsh ls " + path).isEqualTo(want);
    List<String> problems = check(hive);
    assertThat(problems.stream().filter(p -> !baseline.contains(p)).toList())
        .as("HiveCheck").isEmpty();
  }

  private static String cut(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static void collectPlain(RegModel.Node n, List<String> path, List<List<String>> out,
      int max) {
    out.add(path);
    for (RegModel.Node c : n.children.values()) {
      if (out.size() >= max) {
        return;
      }
      if (c.name.matches("[A-Za-z0-9]+")) {
        List<String> p = new ArrayList<>(path);
        p.add(c.name);
        collectPlain(c, p, out, max);
      }
    }
  }

  /** The random operations and the model kept in step with them. */
  static final class Edits {
    final Random r;
    final RegModel model;
    final List<List<String>> pool = new ArrayList<>();
    final Map<String, Integer> counts = new java.util.TreeMap<>();

    Edits(Random r, RegModel model) {
      this.r = r;
      this.model = model;
      pool.add(List.of());
      // Some existing keys to edit: the first levels of the hive.
      for (RegModel.Node c : model.root.children.values()) {
        pool.add(List.of(c.name));
        int n = 0;
        for (RegModel.Node g : c.children.values()) {
          if (n++ < 5) {
            pool.add(List.of(c.name, g.name));
          }
        }
      }
    }

    void count(String what) {
      counts.merge(what, 1, Integer::sum);
    }

    void bulk(Hive h, int n) throws IOException {
      List<String> parent = List.of("Bulk" + r.nextInt(100));
      for (int i = 0; i < n; i++) {
        List<String> p = List.of(parent.get(0), "sub" + Integer.toString(r.nextInt(1 << 30), 36)
            + "_" + i);
        h.createKey(String.join("\\", p));
        model.createKey(p);
      }
      pool.add(parent);
      count("bulk" + n);
    }

    List<String> existing() {
      while (true) {
        List<String> p = pool.get(r.nextInt(pool.size()));
        if (model.find(p) != null) {
          return p;
        }
        pool.remove(p);
      }
    }

    String name() {
      int n = r.nextInt(1000);
      return switch (r.nextInt(7)) {
        case 0 -> "Key" + n;
        case 1 -> "キー" + n;
        case 2 -> "😀名前" + n;
        case 3 -> "Ünïcödé" + n;
        case 4 -> "mixed Case " + n;
        case 5 -> "q\"uo'te " + n;
        default -> "k" + n;
      };
    }

    static String flipCase(String s) {
      StringBuilder b = new StringBuilder();
      for (char c : s.toCharArray()) {
        b.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
      }
      return b.toString();
    }

    void step(Hive h) throws IOException {
      int x = r.nextInt(100);
      if (x < 25) {
        List<String> p = new ArrayList<>(existing());
        RegModel.Node parent = model.find(p);
        if (!parent.children.isEmpty() && r.nextInt(5) == 0) {
          // An existing name in another case: the key exists already.
          List<RegModel.Node> kids = new ArrayList<>(parent.children.values());
          p.add(flipCase(kids.get(r.nextInt(kids.size())).name));
          count("createExisting");
        } else {
          int depth = 1 + r.nextInt(2);
          for (int i = 0; i < depth; i++) {
            p.add(name());
          }
          count("createKey");
        }
        RegistryKey k = h.createKey(String.join("\\", p));
        model.createKey(p);
        assertThat(RegistryKey.equalsIgnoreCase(k.name(), p.get(p.size() - 1))).isTrue();
        pool.add(p);
      } else if (x < 33) {
        List<String> p = existing();
        if (p.isEmpty()) {
          return;
        }
        if (r.nextInt(10) == 0) {
          p = new ArrayList<>(p);
          p.add("missing" + r.nextInt(1000));
        }
        boolean ours = h.deleteKey(flipCase(String.join("\\", p)));
        assertThat(ours).as("deleteKey " + p).isEqualTo(model.deleteKey(p));
        count(ours ? "deleteKey" : "deleteMissingKey");
      } else if (x < 80) {
        List<String> p = existing();
        RegModel.Node n = model.find(p);
        String name;
        if (!n.values.isEmpty() && r.nextInt(3) == 0) {
          List<RegistryValue> vs = new ArrayList<>(n.values.values());
          name = flipCase(vs.get(r.nextInt(vs.size())).name());
          count("replaceValue");
        } else {
          name = r.nextInt(10) == 0 ? "" : r.nextInt(8) == 0 ? "back\\slash" + r.nextInt(50)
              : name();
          count("setValue");
        }
        int[] types = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x1234abcd};
        int type = types[r.nextInt(types.length)];
        int size;
        int s = r.nextInt(100);
        if (type == 4 && s < 80) {
          size = 4;
        } else if (s < 70) {
          size = r.nextInt(65);
        } else if (s < 88) {
          size = 100 + r.nextInt(5000);
        } else if (s < 97) {
          int[] edges = {16343, 16344, 16345, 16352, 32688, 32689, 40000};
          size = edges[r.nextInt(edges.length)];
        } else {
          size = 100 * 1024 - r.nextInt(2);
        }
        byte[] data = new byte[size];
        r.nextBytes(data);
        RegistryValue v = new RegistryValue(name, type, data);
        h.setValue(flipCase(String.join("\\", p)), v);
        model.setValue(p, v);
      } else {
        List<String> p = existing();
        RegModel.Node n = model.find(p);
        String name = "nothing" + r.nextInt(100);
        if (!n.values.isEmpty() && r.nextInt(4) != 0) {
          List<RegistryValue> vs = new ArrayList<>(n.values.values());
          name = flipCase(vs.get(r.nextInt(vs.size())).name());
        }
        boolean ours = h.deleteValue(String.join("\\", p), name);
        assertThat(ours).as("deleteValue " + p + " " + name).isEqualTo(model.deleteValue(p,
            name));
        count(ours ? "deleteValue" : "deleteMissingValue");
      }
    }
  }
}
