package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.NtfsImages;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk reg export} and {@code reg get} on hives hivexregedit built ({@code
 * testdata/scripts/make-hives.sh}), as files and inside an NTFS image that ntfs-3g filled: the
 * export equals {@code hivexregedit --export} byte for byte, values equal {@code hivexget}. And
 * the changing commands: {@code reg new}, {@code import}, {@code set} and {@code delete} on hive
 * files, checked with hivexregedit, hivexget and regfinfo (an import must export exactly as
 * {@code hivexregedit --merge} of the same file does); a hive inside an image is refused (exit
 * 3) without touching the image.
 */
class RegCommandsIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir static Path dir;

  @BeforeAll
  static void hives() {
    Oracles.require("hivexregedit", "libwin-hivex-perl");
    Oracles.runOk("sh", ProjectPaths.script("make-hives.sh").toString(),
        dir.resolve("hives").toString());
  }

  /** The bytes the CLI wrote (export writes hivexregedit's exact bytes). */
  private static byte[] exportBytes(String... args) {
    CliRunner r = CliRunner.run(args);
    assertThat(r.exitCode()).as(r.err()).isZero();
    return r.outBytes();
  }

  private static byte[] hivexExport(Path hive, String key) {
    Path out = dir.resolve("hivex-" + hive.getFileName() + ".reg");
    Oracles.runOk("sh", "-c", "hivexregedit --export \"$0\" \"$1\" > \"$2\"", hive.toString(),
        key, out.toString());
    try {
      return Files.readAllBytes(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void exportEqualsHivexregedit() {
    for (String name : new String[] {"types.hive", "big.hive"}) {
      Path hive = dir.resolve("hives").resolve(name);
      assertThat(exportBytes("reg", "export", hive.toString())).as(name)
          .isEqualTo(hivexExport(hive, "\\"));
    }
    Path types = dir.resolve("hives/types.hive");
    assertThat(exportBytes("reg", "export", types.toString(), "Types"))
        .isEqualTo(hivexExport(types, "\\Types"));
  }

  @Test
  void getEqualsHivexget() throws Exception {
    Oracles.require("hivexget", "libhivex-bin");
    Path types = dir.resolve("hives/types.hive");
    for (String value : new String[] {"sz", "expand", "dword", "qword", "multi"}) {
      CliRunner r = CliRunner.run("reg", "get", types.toString(), "Types", value);
      assertThat(r.exitCode()).as(r.err()).isZero();
      String theirs = Oracles.runOk("hivexget", types.toString(), "\\Types", value);
      assertThat(r.out()).as(value).isEqualTo(theirs);
    }
    CliRunner r = CliRunner.run("reg", "get", "--json", types.toString(), "Types", "dword");
    JsonNode v = MAPPER.readTree(r.out());
    assertThat(v.get("type").asText()).isEqualTo("DWORD");
    assertThat(v.get("value").asLong()).isEqualTo(Long.decode(
        Oracles.runOk("hivexget", types.toString(), "\\Types", "dword").trim()));
    CliRunner missing = CliRunner.run("reg", "get", types.toString(), "No\\Such\\Key");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
  }

  @Test
  void exportOfAHiveInsideAnNtfsImage() throws Exception {
    Oracles.requireRoot("mounting with ntfs-3g");
    NtfsImages.requireTools();
    Path image = dir.resolve("with-hive.ntfs");
    Oracles.runOk("truncate", "-s", "32M", image.toString());
    Oracles.runOk("mkntfs", "-q", "-F", "-f", image.toString());
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Oracles.runOk("ntfs-3g", image.toString(), mnt.toString());
    // a dirty hive from Windows (regipy's UsrClass.dat) with its logs, names in another case
    Path corpus = ProjectPaths.corpus().resolve("regipy/regipy_tests/data");
    Oracles.requireFile(corpus.resolve("UsrClass.dat.xz"), "the shared corpus");
    Path dirty = Files.createDirectories(dir.resolve("dirty"));
    for (String n : List.of("UsrClass.dat", "UsrClass.dat.LOG1", "UsrClass.dat.LOG2")) {
      Oracles.Result r = Oracles.run("xz", "-dc", corpus.resolve(n + ".xz").toString());
      assertThat(r.exitCode()).as(r.describe()).isZero();
      Files.write(dirty.resolve(n), r.out());
    }
    try {
      Path config = Files.createDirectories(mnt.resolve("Windows/System32/config"));
      Files.copy(dir.resolve("hives/big.hive"), config.resolve("SOFTWARE"));
      Path user = Files.createDirectories(mnt.resolve("Users/u/AppData/Local/Microsoft/Windows"));
      Files.copy(dirty.resolve("UsrClass.dat"), user.resolve("UsrClass.dat"));
      Files.copy(dirty.resolve("UsrClass.dat.LOG1"), user.resolve("UsrClass.dat.log1"));
      Files.copy(dirty.resolve("UsrClass.dat.LOG2"), user.resolve("USRCLASS.DAT.LOG2"));
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    assertThat(exportBytes("reg", "export", image.toString(), "--hive",
        "/Windows/System32/config/SOFTWARE"))
        .isEqualTo(hivexExport(dir.resolve("hives/big.hive"), "\\"));
    // The logs inside the image are replayed in memory; the oracle is hivex reading the hive
    // file after vdisk replayed its logs into it (an import of nothing opens it for writing).
    byte[] fromImage = exportBytes("reg", "export", image.toString(), "--hive",
        "/Users/u/AppData/Local/Microsoft/Windows/UsrClass.dat");
    byte[] unreplayed = hivexExport(dirty.resolve("UsrClass.dat"), "\\");
    Path nothing = dir.resolve("nothing.reg");
    Files.writeString(nothing, "Windows Registry Editor Version 5.00\n\n");
    ok("reg", "import", dirty.resolve("UsrClass.dat").toString(), nothing.toString());
    assertThat(fromImage).isEqualTo(hivexExport(dirty.resolve("UsrClass.dat"), "\\"))
        .isNotEqualTo(unreplayed);
  }

  // ------------------------------------------------------------------ changing commands

  private static CliRunner ok(String... args) {
    CliRunner r = CliRunner.run(args);
    assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  private static Path newHive(String name) {
    Path hive = dir.resolve(name);
    ok("reg", "new", hive.toString());
    return hive;
  }

  @Test
  void newHiveOpensInHivexAndRegfinfo() throws Exception {
    Oracles.require("regfinfo", "libregf-utils");
    Path hive = dir.resolve("new.hive");
    CliRunner r = ok("reg", "new", "--json", "--root", "MyRoot", hive.toString());
    JsonNode j = MAPPER.readTree(r.out());
    assertThat(j.get("root").asText()).isEqualTo("MyRoot");
    assertThat(j.get("size").asLong()).isEqualTo(Files.size(hive));
    assertThat(new String(hivexExport(hive, "\\"), StandardCharsets.UTF_8))
        .isEqualTo("Windows Registry Editor Version 5.00\n\n[\\]\n\n");
    String info = Oracles.runOk("regfinfo", hive.toString());
    assertThat(info).contains("(key:) MyRoot");
    byte[] before = Files.readAllBytes(hive);
    CliRunner again = CliRunner.run("reg", "new", hive.toString());
    assertThat(again.exitCode()).as(again.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(Files.readAllBytes(hive)).isEqualTo(before);
  }

  @Test
  void importExportsAsHivexMerge() throws Exception {
    Path hives = dir.resolve("hives");
    for (String name : new String[] {"types", "many"}) {
      Path source = hives.resolve(name + ".reg");
      Path ours = newHive("import-" + name + ".hive");
      CliRunner r = ok("reg", "import", "--json", ours.toString(), source.toString());
      JsonNode j = MAPPER.readTree(r.out());
      assertThat(j.get("valuesSet").asInt()).isPositive();
      Path theirs = dir.resolve("merge-" + name + ".hive");
      Files.copy(hives.resolve("empty.hive"), theirs, StandardCopyOption.REPLACE_EXISTING);
      Oracles.Result m = Oracles.run(null, Map.of("LC_ALL", "C.UTF-8", "PERL_UNICODE", "SDA"),
          "hivexregedit", "--merge", theirs.toString(), source.toString());
      assertThat(m.exitCode()).as(m.describe()).isZero();
      assertThat(hivexExport(ours, "\\")).as(name).isEqualTo(hivexExport(theirs, "\\"));
    }
  }

  @Test
  void importWithAPrefixRefusesKeysOutsideItAndChangesNothing() throws Exception {
    Path hive = newHive("prefix.hive");
    Path reg = dir.resolve("prefix.reg");
    Files.writeString(reg, "Windows Registry Editor Version 5.00\n\n"
        + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\App]\n\"Version\"=\"1.0\"\n\n"
        + "[HKEY_CURRENT_USER\\Other]\n\n");
    byte[] before = hivexExport(hive, "\\");
    CliRunner r = CliRunner.run("reg", "import", hive.toString(), reg.toString(), "--prefix",
        "HKEY_LOCAL_MACHINE\\SOFTWARE");
    assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err()).contains("line 6").contains("outside the prefix");
    assertThat(hivexExport(hive, "\\")).isEqualTo(before);
    Files.writeString(reg, Files.readString(reg).replace("[HKEY_CURRENT_USER\\Other]\n\n", ""));
    ok("reg", "import", hive.toString(), reg.toString(), "--prefix",
        "HKEY_LOCAL_MACHINE\\SOFTWARE");
    assertThat(Oracles.runOk("hivexget", hive.toString(), "\\Vendor\\App", "Version"))
        .isEqualTo("1.0\n");
    Path bad = dir.resolve("bad.reg");
    Files.writeString(bad, "Windows Registry Editor Version 5.00\n\n[\\K]\n\"v\"=dword:xyz\n");
    CliRunner b = CliRunner.run("reg", "import", hive.toString(), bad.toString());
    assertThat(b.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(b.err()).contains("line 4");
  }

  @Test
  void setEveryTypeAsHivexgetReadsIt() throws Exception {
    Oracles.require("hivexget", "libhivex-bin");
    Path hive = newHive("set.hive");
    String h = hive.toString();
    String key = "Software\\Vendor\\日本語";
    ok("reg", "set", h, key, "sz", "--type", "sz", "--data", "héllo \"日本\" \\ back");
    ok("reg", "set", h, key, "", "--type", "sz", "--data", "the default");
    ok("reg", "set", h, key, "expand", "--type", "expand_sz", "--data", "%SystemRoot%\\x");
    ok("reg", "set", h, key, "multi", "--type", "multi_sz", "--data", "a", "--data", "b c");
    ok("reg", "set", h, key, "dword", "--type", "dword", "--data", "0x12345678");
    ok("reg", "set", h, key, "dwordbe", "--type", "dword_be", "--data", "305419896");
    ok("reg", "set", h, key, "qword", "--type", "qword", "--data", "0x0102030405060708");
    ok("reg", "set", h, key, "binary", "--type", "binary", "--data", "00,01,02,ff,fe");
    ok("reg", "set", h, key, "link", "--type", "link", "--data", "\\Registry\\Machine\\X");
    ok("reg", "set", h, key, "none", "--type", "none");
    CliRunner big = ok("reg", "set", "--json", h, key, "large", "--type", "0x100000",
        "--data", "09 08");
    assertThat(MAPPER.readTree(big.out()).get("typeCode").asInt()).isEqualTo(0x100000);
    String hkey = "\\" + key;
    assertThat(Oracles.runOk("hivexget", h, hkey, "sz")).isEqualTo("héllo \"日本\" \\ back\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "@")).isEqualTo("the default\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "expand")).isEqualTo("%SystemRoot%\\x\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "multi")).isEqualTo("a\nb c\n\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "dword"))
        .isEqualTo(Long.decode("0x12345678") + "\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "dwordbe")).isEqualTo("305419896\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "qword"))
        .isEqualTo(Long.decode("0x0102030405060708") + "\n");
    assertThat(Oracles.runOk("hivexget", h, hkey, "link"))
        .isEqualTo("\\Registry\\Machine\\X\n");
    assertThat(Oracles.run("hivexget", h, hkey, "binary").out())
        .isEqualTo(HexFormat.of().parseHex("000102fffe"));
    assertThat(Oracles.run("hivexget", h, hkey, "none").out()).isEmpty();
    assertThat(Oracles.run("hivexget", h, hkey, "large").out())
        .isEqualTo(HexFormat.of().parseHex("0908"));
    String export = new String(hivexExport(hive, hkey), StandardCharsets.UTF_8);
    assertThat(export).contains("\"large\"=hex(" + Integer.toHexString(0x100000) + "):09,08\n")
        .contains("\"none\"=hex(0):\n");
    // replacing a value keeps one value of that name
    ok("reg", "set", h, key, "SZ", "--type", "dword", "--data", "7");
    assertThat(Oracles.runOk("hivexget", h, hkey, "sz")).isEqualTo("7\n");
    // bad data is a usage error and changes nothing
    byte[] before = Files.readAllBytes(hive);
    for (String[] bad : new String[][] {
        {"--type", "dword", "--data", "0x100000000"}, {"--type", "dword", "--data", "-1"},
        {"--type", "binary", "--data", "1,2"}, {"--type", "nonsense", "--data", "1"},
        {"--type", "sz"}, {"--type", "qword", "--data", "x"}}) {
      String[] args = new String[5 + bad.length];
      System.arraycopy(new String[] {"reg", "set", h, key, "bad"}, 0, args, 0, 5);
      System.arraycopy(bad, 0, args, 5, bad.length);
      assertThat(CliRunner.run(args).exitCode()).as(String.join(" ", bad))
          .isEqualTo(ExitCode.USAGE);
    }
    assertThat(Files.readAllBytes(hive)).isEqualTo(before);
  }

  @Test
  void deleteKeysAndValuesAsHivexSeesThem() throws Exception {
    Oracles.require("hivexget", "libhivex-bin");
    Path hive = newHive("delete.hive");
    String h = hive.toString();
    ok("reg", "set", h, "A\\B\\C", "v", "--type", "sz", "--data", "x");
    ok("reg", "set", h, "A", "keep", "--type", "sz", "--data", "k");
    ok("reg", "set", h, "A", "gone", "--type", "sz", "--data", "g");
    CliRunner dv = ok("reg", "delete", "--json", h, "A", "gone");
    assertThat(MAPPER.readTree(dv.out()).get("deleted").asBoolean()).isTrue();
    assertThat(Oracles.run("hivexget", h, "\\A", "gone").exitCode()).isNotZero();
    assertThat(Oracles.runOk("hivexget", h, "\\A", "keep")).isEqualTo("k\n");
    ok("reg", "delete", h, "a\\b");
    assertThat(Oracles.run("hivexregedit", "--export", h, "\\A\\B").exitCode()).isNotZero();
    assertThat(new String(hivexExport(hive, "\\"), StandardCharsets.UTF_8))
        .isEqualTo("Windows Registry Editor Version 5.00\n\n[\\]\n\n[\\A]\n"
            + "\"keep\"=hex(1):" + hexUtf16z("k") + "\n\n");
    assertThat(CliRunner.run("reg", "delete", h, "A\\B").exitCode())
        .isEqualTo(ExitCode.BAD_INPUT);
    assertThat(CliRunner.run("reg", "delete", h, "A", "nothing").exitCode())
        .isEqualTo(ExitCode.BAD_INPUT);
    ok("reg", "delete", "--missing-ok", h, "A\\B");
    CliRunner missing = ok("reg", "delete", "--missing-ok", "--json", h, "A", "nothing");
    assertThat(MAPPER.readTree(missing.out()).get("deleted").asBoolean()).isFalse();
    assertThat(CliRunner.run("reg", "delete", h, "\\").exitCode()).isEqualTo(ExitCode.USAGE);
    Oracles.require("regfinfo", "libregf-utils");
    Oracles.runOk("regfinfo", h);
  }

  private static String hexUtf16z(String s) {
    byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_16LE);
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(sb.length() > 0 ? "," : "").append(String.format("%02x", x));
    }
    return sb.toString();
  }

  @Test
  void writingAHiveInsideAnImageIsRefused() throws Exception {
    NtfsImages.requireTools();
    Path image = dir.resolve("refuse.ntfs");
    Oracles.runOk("truncate", "-s", "8M", image.toString());
    Oracles.runOk("mkntfs", "-q", "-F", "-f", image.toString());
    byte[] before = Files.readAllBytes(image);
    String hivePath = "/Windows/System32/config/SOFTWARE";
    String[][] commands = {
        {"reg", "set", image.toString(), "--hive", hivePath, "K", "v", "--type", "sz",
            "--data", "x"},
        {"reg", "delete", image.toString(), "--hive", hivePath, "K"},
        {"reg", "import", image.toString(), "--hive", hivePath,
            dir.resolve("hives/types.reg").toString()}};
    for (String[] c : commands) {
      CliRunner r = CliRunner.run(c);
      assertThat(r.exitCode()).as(c[1] + ": " + r.err()).isEqualTo(ExitCode.REFUSED);
      assertThat(r.err()).contains("refusing to write").contains("NTFS");
    }
    assertThat(Files.readAllBytes(image)).isEqualTo(before);
  }

  @Test
  void everyChangingCommandHasHelp() {
    for (String c : new String[] {"import", "set", "delete", "new"}) {
      CliRunner r = ok("reg", c, "--help");
      assertThat(r.out()).contains("Usage: vdisk reg " + c);
    }
  }
}
