package dev.vdisk.cli;

import static dev.vdisk.cli.TestImages.islands;
import static dev.vdisk.cli.TestImages.sha256;
import static dev.vdisk.cli.TestImages.vdisk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.Oracles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code vdisk convert} against {@code qemu-img convert}, {@code compare} and {@code check}. */
class ConvertIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource({
    "vpc,  fixed,   ''",
    "vpc,  dynamic, ''",
    "vhdx, fixed,   ''",
    "vhdx, dynamic, block_size=1M",
    "vhdx, dynamic, block_size=32M",
  })
  void readsQemuMadeImagesExactlyAsQemuDoes(String qemuFormat, String subformat, String extra)
      throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    long size = 96L << 20;
    Path raw = islands(dir, "src.raw", size, 4242L);
    Path image = dir.resolve("image." + qemuFormat);
    String options = "subformat=" + subformat + (extra.isBlank() ? "" : "," + extra)
        + (qemuFormat.equals("vpc") ? ",force_size=on" : "");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", qemuFormat, "-o", options,
        raw.toString(), image.toString());
    Path ours = dir.resolve("ours.raw");
    Path theirs = dir.resolve("theirs.raw");
    vdisk("convert", "--no-progress", image.toString(), ours.toString(), "--format", "raw");
    Oracles.runOk(qemuImg.toString(), "convert", "-O", "raw", image.toString(),
        theirs.toString());
    assertThat(Files.size(ours)).isEqualTo(size);
    // qemu counts a fixed VHD's footer as disk data: compare the disk's own bytes only.
    assertThat(sha256(ours, size)).isEqualTo(sha256(theirs, size)).isEqualTo(sha256(raw, size));
  }

  @Test
  void aLargeMostlyEmptyDynamicVhdxConvertsSparsely() throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    long size = 5L << 30;
    Path raw = islands(dir, "big.raw", size, 5L);
    Path image = dir.resolve("big.vhdx");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", "vhdx", "-o",
        "subformat=dynamic", raw.toString(), image.toString());
    Path ours = dir.resolve("big-ours.raw");
    vdisk("convert", "--no-progress", image.toString(), ours.toString(), "-f", "raw");
    assertThat(Oracles.run(qemuImg.toString(), "compare", "-f", "raw", "-F", "raw",
        raw.toString(), ours.toString()).exitCode()).isZero();
    assertThat(Oracles.runOk("du", "-B1", ours.toString()).split("\\s+")[0])
        .satisfies(allocated -> assertThat(Long.parseLong(allocated)).isLessThan(256L << 20));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource({
    "vhd,  fixed,   0",
    "vhd,  dynamic, 0",
    "vhdx, fixed,   0",
    "vhdx, dynamic, 1048576",
    "vhdx, dynamic, 33554432",
  })
  void writesImagesQemuAndLibvhdiAccept(String format, String variant, long blockSize)
      throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path vhdiinfo = Oracles.require("vhdiinfo", "libvhdi-utils");
    long size = 80L << 20;
    Path raw = islands(dir, "model.raw", size, 99L);
    Path image = dir.resolve("out." + format);
    if (blockSize > 0) {
      vdisk("convert", "--no-progress", raw.toString(), image.toString(), "-f", format,
          "--variant", variant, "--block-size", Long.toString(blockSize));
    } else {
      vdisk("convert", "--no-progress", raw.toString(), image.toString(), "-f", format,
          "--variant", variant);
    }
    String qemuFormat = format.equals("vhd") ? "vpc" : format;
    Oracles.Result compare = Oracles.run(qemuImg.toString(), "compare", "-f", "raw", "-F",
        qemuFormat, raw.toString(), image.toString());
    if (format.equals("vhd") && variant.equals("fixed")) {
      // qemu sees a fixed VHD's footer as one more sector: compare the disk's own bytes.
      Path back = dir.resolve("back.raw");
      Oracles.runOk(qemuImg.toString(), "convert", "-f", "vpc", "-O", "raw", image.toString(),
          back.toString());
      assertThat(sha256(back, size)).isEqualTo(sha256(raw, size));
    } else {
      assertThat(compare.exitCode()).as(compare.describe()).isZero();
    }
    if (format.equals("vhdx")) {
      Oracles.runOk(qemuImg.toString(), "check", "-f", "vhdx", image.toString());
    }
    String info = Oracles.runOk(vhdiinfo.toString(), image.toString());
    assertThat(info).contains("Media size").contains(Long.toString(size));
    CliRunner check = CliRunner.run("check", "--json", image.toString());
    assertThat(check.exitCode()).as(check.out()).isZero();
    assertThat(new ObjectMapper().readTree(check.out()).get("format").asText()).isEqualTo(format);
  }
}
