package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;

  @Test
  void helpListsCommandsAndExitCodes() {
    CliRunner r = CliRunner.run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("info").contains("Exit codes").contains("corrupt");
    CliRunner info = CliRunner.run("info", "--help");
    assertThat(info.exitCode()).isZero();
    assertThat(info.out()).contains("--json").contains("IMAGE");
  }

  @Test
  void versionNamesTheBuild() {
    CliRunner r = CliRunner.run("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("vdisk ").doesNotContain("unknown").doesNotContain("${");
  }

  @Test
  void usageErrorsExitOne() {
    assertThat(CliRunner.run().exitCode()).isEqualTo(ExitCode.USAGE);
    CliRunner bad = CliRunner.run("info", "--no-such-option", "x");
    assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err()).contains("--no-such-option").contains("--help");
    assertThat(CliRunner.run("info").exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void missingImageIsOneLineAndExitTwo() {
    CliRunner r = CliRunner.run("info", dir.resolve("absent.img").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("absent.img").contains("no such file");
  }

  @Test
  void blankImageHasNoPartitionTable() throws Exception {
    Path image = dir.resolve("blank.img");
    Files.write(image, new byte[1 << 20]);
    CliRunner r = CliRunner.run("info", "--json", image.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("format").asText()).isEqualTo("raw");
    assertThat(json.get("variant").asText()).isEqualTo("file");
    assertThat(json.get("virtualSize").asLong()).isEqualTo(1 << 20);
    assertThat(json.get("partitionTable").asText()).isEqualTo("none");
    assertThat(json.get("partitions")).isEmpty();
    assertThat(json.get("chain").get(0).get("format").asText()).isEqualTo("raw");
  }

  @Test
  void textOutputOfTheGptFixture() {
    CliRunner r = CliRunner.run("info", ProjectPaths.image("gpt5.img").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("partition table: gpt").contains("EFI System")
        .contains("Linux filesystem");
  }

  @Test
  void gptWithBothCopiesDamagedIsCorruptWithoutStackTrace() throws Exception {
    Path image = dir.resolve("broken.img");
    byte[] bytes = Files.readAllBytes(ProjectPaths.image("gpt5.img"));
    bytes[512 + 8] ^= 0x55; // primary header revision: breaks its CRC
    int last = bytes.length - 512;
    bytes[last + 8] ^= 0x55; // backup header likewise
    Files.write(image, bytes);
    CliRunner r = CliRunner.run("info", image.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("broken.img").contains("GPT").doesNotContain("Exception");
    CliRunner debug = CliRunner.run("--debug", "info", image.toString());
    assertThat(debug.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(debug.err()).contains("\tat dev.vdisk.core.partition.");
  }
}
