package dev.vdisk.cli;

import static dev.vdisk.cli.TestImages.sha256;
import static dev.vdisk.cli.TestImages.vdisk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.Libvhdi;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code vdisk snapshot}, writes into the child, {@code vdisk commit} and {@code vdisk discard},
 * checked with libvhdi (which reads differencing chains) and qemu-img (which reads the parent).
 */
class SnapshotCommitIT {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"vpc, vhd", "vhdx, vhdx"})
  void snapshotWriteCommitDiscard(String qemuFormat, String extension) throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Libvhdi.require();
    long seed = 2026L + extension.length();
    System.out.println("SnapshotCommitIT seed " + seed);
    Random random = new Random(seed);
    long size = 48L << 20;

    // A base image with some data, made by qemu-img.
    Path raw = dir.resolve("base.raw");
    byte[] baseData = new byte[(int) size];
    for (int i = 0; i < 8; i++) {
      int at = random.nextInt((int) size - 70000);
      byte[] chunk = new byte[1 + random.nextInt(65536)];
      random.nextBytes(chunk);
      System.arraycopy(chunk, 0, baseData, at, chunk.length);
    }
    Files.write(raw, baseData);
    Path base = dir.resolve("base." + extension);
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", qemuFormat, "-o",
        "subformat=dynamic" + (qemuFormat.equals("vpc") ? ",force_size=on" : ""),
        raw.toString(), base.toString());

    // Snapshot, then write into the child through the API.
    Path child = dir.resolve("child." + extension);
    vdisk("snapshot", base.toString(), child.toString());
    String childView;
    try (VirtualDisk disk = VirtualDisks.open(child, OpenOptions.readWrite())) {
      assertThat(disk.info().chain()).hasSize(2);
      for (int i = 0; i < 30; i++) {
        byte[] chunk = new byte[1 + random.nextInt(200_000)];
        random.nextBytes(chunk);
        int at = random.nextInt((int) size - chunk.length);
        disk.write(at, ByteBuffer.wrap(chunk));
      }
      childView = sha256(disk);
    }
    // The base is untouched; libvhdi reads the chain exactly as we do.
    try (VirtualDisk disk = VirtualDisks.open(base)) {
      assertThat(sha256(disk)).isEqualTo(sha256Of(baseData));
    }
    assertThat(Libvhdi.read(child, base).sha256()).isEqualTo(childView);
    CliRunner info = CliRunner.run("info", "--json", child.toString());
    assertThat(info.exitCode()).as(info.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(info.out());
    assertThat(json.get("variant").asText()).isEqualTo("differencing");
    assertThat(json.get("chain")).hasSize(2);
    assertThat(json.get("chain").get(1).get("path").asText()).endsWith("base." + extension);
    assertThat(json.get("chain").get(1).get("format").asText()).isEqualTo(extension);
    assertThat(json.get("virtualSize").asLong()).isEqualTo(size);

    // Commit: the parent now reads as the child did, for qemu-img too.
    vdisk("commit", "--no-progress", child.toString());
    Path back = dir.resolve("back.raw");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", qemuFormat, "-O", "raw", base.toString(),
        back.toString());
    try (VirtualDisk disk = VirtualDisks.open(back)) {
      assertThat(sha256(disk, size)).isEqualTo(childView);
    }
    assertThat(Libvhdi.read(base).sha256()).isEqualTo(childView);
    CliRunner check = CliRunner.run("check", base.toString());
    assertThat(check.exitCode()).as(check.out()).isZero();

    // Discard a fresh snapshot: the file goes, the parent stays.
    Path second = dir.resolve("second." + extension);
    vdisk("snapshot", base.toString(), second.toString());
    vdisk("discard", second.toString());
    assertThat(second).doesNotExist();
    assertThat(base).exists();
  }

  private static String sha256Of(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
