package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.NtfsImages;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk reg export} and {@code reg get} on hives hivexregedit built ({@code
 * testdata/scripts/make-hives.sh}), as files and inside an NTFS image that ntfs-3g filled: the
 * export equals {@code hivexregedit --export} byte for byte, values equal {@code hivexget}.
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
    try {
      Path config = Files.createDirectories(mnt.resolve("Windows/System32/config"));
      Files.copy(dir.resolve("hives/big.hive"), config.resolve("SOFTWARE"));
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
    assertThat(exportBytes("reg", "export", image.toString(), "--hive",
        "/Windows/System32/config/SOFTWARE"))
        .isEqualTo(hivexExport(dir.resolve("hives/big.hive"), "\\"));
  }
}
