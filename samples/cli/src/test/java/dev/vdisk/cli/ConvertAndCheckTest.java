package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertAndCheckTest {
  @TempDir Path dir;

  private Path islands() throws Exception {
    Path src = dir.resolve("src.raw");
    Random random = new Random(3);
    try (FileChannel ch = FileChannel.open(src, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), (64L << 20) - 1);
      for (int i = 0; i < 6; i++) {
        byte[] data = new byte[65536];
        random.nextBytes(data);
        ch.write(ByteBuffer.wrap(data), random.nextInt(900) * 65536L);
      }
    }
    return src;
  }

  @Test
  void convertRawToRawKeepsContentAndHoles() throws Exception {
    Path src = islands();
    Path dst = dir.resolve("dst.raw");
    CliRunner r = CliRunner.run("convert", "--json", src.toString(), dst.toString(),
        "--format", "raw");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(dst)).isEqualTo(Files.readAllBytes(src));
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("bytesWritten").asLong()).isEqualTo(6 * 65536);
    assertThat(json.get("bytesSkipped").asLong()).isEqualTo((64L << 20) - 6 * 65536);
    long allocatedBlocks = (Long) Files.getAttribute(dst, "unix:size") > 0
        ? allocated(dst) : 0;
    assertThat(allocatedBlocks).as("target stays sparse").isLessThan(4L << 20);
  }

  private static long allocated(Path file) throws Exception {
    String out = new String(new ProcessBuilder("du", "-B1", "--", file.toString()).start()
        .getInputStream().readAllBytes()).trim();
    return Long.parseLong(out.split("\\s+")[0]);
  }

  @Test
  void convertRefusesToOverwriteWithoutForce() throws Exception {
    Path src = islands();
    Path dst = dir.resolve("exists.raw");
    Files.writeString(dst, "keep me");
    CliRunner r = CliRunner.run("convert", src.toString(), dst.toString(), "-f", "raw");
    assertThat(r.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(r.err()).contains("--force");
    assertThat(Files.readString(dst)).isEqualTo("keep me");
    CliRunner forced = CliRunner.run("convert", src.toString(), dst.toString(), "-f", "raw",
        "--force", "--no-progress");
    assertThat(forced.exitCode()).as(forced.err()).isZero();
    assertThat(Files.size(dst)).isEqualTo(64L << 20);
  }

  @Test
  void convertErrorsLeaveNoPartialTarget() throws Exception {
    Path src = islands();
    Path dst = dir.resolve("bad.raw");
    CliRunner unknown = CliRunner.run("convert", src.toString(), dst.toString(), "-f", "qcow9");
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(unknown.err()).contains("qcow9").contains("raw");
    CliRunner variant = CliRunner.run("convert", src.toString(), dst.toString(), "-f", "raw",
        "--variant", "dynamic");
    assertThat(variant.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(dst).doesNotExist();
    CliRunner size = CliRunner.run("convert", src.toString(), dst.toString(), "-f", "raw",
        "--block-size", "lots");
    assertThat(size.exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void progressBarGoesToStderrOnly() throws Exception {
    Path src = islands();
    CliRunner r = CliRunner.run("convert", "--progress", src.toString(),
        dir.resolve("p.raw").toString(), "-f", "raw");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).contains("100%").contains("converting [");
    assertThat(r.out()).doesNotContain("%]");
  }

  @Test
  void checkOfARawImageIsClean() throws Exception {
    Path src = islands();
    CliRunner text = CliRunner.run("check", src.toString());
    assertThat(text.exitCode()).isZero();
    assertThat(text.out()).contains("no corruption found");
    CliRunner json = CliRunner.run("check", "--json", src.toString());
    JsonNode node = new ObjectMapper().readTree(json.out());
    assertThat(node.get("clean").asBoolean()).isTrue();
    assertThat(node.get("format").asText()).isEqualTo("raw");
    assertThat(node.get("problems")).isEmpty();
  }

  @Test
  void discardRefusesAnImageWithoutParent() throws Exception {
    Path src = islands();
    CliRunner r = CliRunner.run("discard", src.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.REFUSED);
    assertThat(r.err()).contains("not a differencing disk");
    assertThat(src).exists();
    assertThat(CliRunner.run("commit", src.toString()).exitCode()).isEqualTo(ExitCode.REFUSED);
    CliRunner snap = CliRunner.run("snapshot", src.toString(), dir.resolve("c").toString());
    assertThat(snap.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(snap.err()).contains("differencing");
  }

  @Test
  void sizesParse() {
    assertThat(Sizes.parse("1048576")).isEqualTo(1 << 20);
    assertThat(Sizes.parse("32M")).isEqualTo(32L << 20);
    assertThat(Sizes.parse("32MiB")).isEqualTo(32L << 20);
    assertThat(Sizes.parse("512k")).isEqualTo(512 << 10);
    assertThat(Sizes.parse("2G")).isEqualTo(2L << 30);
    assertThatThrownBy(() -> Sizes.parse("-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sizes.parse("99999999999T"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
