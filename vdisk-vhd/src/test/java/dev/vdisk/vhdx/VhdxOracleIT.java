package dev.vdisk.vhdx;

import dev.vdisk.core.util.Guids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.chain.MissingParentException;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.RawImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** VHDX files made by qemu-img read by us, and files we write read by qemu-img and libvhdi. */
class VhdxOracleIT {
  private static final long MIB = 1 << 20;
  private final VhdxFormat format = new VhdxFormat();

  @TempDir Path dir;

  private static String qemu() {
    return Oracles.require("qemu-img", "qemu-utils").toString();
  }

  static Path islands(Path raw, long size, long seed, int count) throws IOException {
    return RawImages.islands(raw, size, seed, count);
  }

  @ParameterizedTest
  @CsvSource({"fixed,1M", "fixed,32M", "dynamic,1M", "dynamic,32M"})
  void readsWhatQemuWrote(String subformat, String blockSize) throws Exception {
    Path raw = islands(dir.resolve("source.raw"), 80 * MIB + 4096, 42, 12);
    Path vhdx = dir.resolve("qemu.vhdx");
    Oracles.runOk(qemu(), "convert", "-f", "raw", "-O", "vhdx", "-o",
        "subformat=" + subformat + ",block_size=" + blockSize, raw.toString(), vhdx.toString());
    String expected = VhdxTesting.sha256(VhdxTesting.qemuRaw(vhdx, dir));
    assertThat(expected).isEqualTo(VhdxTesting.sha256(raw));
    try (VhdxDisk disk = format.open(vhdx, OpenOptions.readOnly())) {
      assertThat(disk.info().variant()).isEqualTo(subformat);
      assertThat(disk.blockSize()).isEqualTo(Long.parseLong(blockSize.replace("M", "")) * MIB);
      assertThat(VhdxTesting.sha256(disk)).isEqualTo(expected);
    }
    assertThat(format.check(vhdx).isClean()).isTrue();
  }

  @Test
  void readsLargeMostlyEmptyDisk() throws Exception {
    Path raw = islands(dir.resolve("big.raw"), 5L << 30, 7, 6);
    Path vhdx = dir.resolve("big.vhdx");
    Oracles.runOk(qemu(), "convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic",
        raw.toString(), vhdx.toString());
    Path qemuRaw = VhdxTesting.qemuRaw(vhdx, dir);
    try (VhdxDisk disk = format.open(vhdx, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(5L << 30);
      VhdxTesting.assertSameContent(disk, qemuRaw);
      VhdxTesting.assertSameContent(disk, raw);
    }
  }

  /** Applies seeded random writes (unaligned, crossing blocks) to the disk and the model. */
  static void randomWrites(VirtualDisk disk, byte[] model, long seed, int count)
      throws IOException {
    System.out.println("writes seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextBoolean() ? 5000 : (int) (3 * MIB));
      int at = random.nextInt(model.length - length + 1);
      byte[] data = new byte[length];
      random.nextBytes(data);
      disk.write(at, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, at, length);
    }
  }

  private Path modelFile(byte[] model) throws IOException {
    Path raw = dir.resolve("model.raw");
    Files.write(raw, model);
    return raw;
  }

  @ParameterizedTest
  @CsvSource({"fixed,1", "fixed,32", "dynamic,1", "dynamic,32"})
  void qemuAndLibvhdiReadWhatWeWrite(String variant, int blockMib) throws Exception {
    long size = 70 * MIB + 512;
    byte[] model = new byte[(int) size];
    Path vhdx = dir.resolve("ours.vhdx");
    try (VirtualDisk disk = format.create(vhdx, new CreateSpec(size, variant, blockMib * MIB))) {
      assertThat(disk.info().variant()).isEqualTo(variant);
      randomWrites(disk, model, 1000 + blockMib, 40);
      assertThat(VhdxTesting.sha256(disk)).isEqualTo(VhdxTesting.sha256(model));
    }
    VhdxTesting.qemuCheckClean(vhdx);
    VhdxTesting.qemuCompare(vhdx, modelFile(model));
    assertThat(VhdxTesting.pyvhdiSha256(vhdx)).isEqualTo(VhdxTesting.sha256(model));
    assertThat(format.check(vhdx).isClean()).as(format.check(vhdx).toString()).isTrue();
    try (VhdxDisk disk = format.open(vhdx, OpenOptions.readOnly())) {
      assertThat(disk.info().properties()).containsEntry("logState", "clean");
      assertThat(VhdxTesting.sha256(disk)).isEqualTo(VhdxTesting.sha256(model));
    }
  }

  @Test
  void differencingChainReadByLibvhdi() throws Exception {
    long size = 40 * MIB;
    byte[] model = new byte[(int) size];
    Path base = dir.resolve("base.vhdx");
    Path child = dir.resolve("child.avhdx");
    try (VhdxDisk disk = format.create(base, new CreateSpec(size, "dynamic", MIB))) {
      randomWrites(disk, model, 11, 15);
    }
    try (VhdxDisk parent = format.open(base, OpenOptions.readOnly());
        VhdxDisk disk = format.createChild(parent, child)) {
      assertThat(disk.info().variant()).isEqualTo("differencing");
      assertThat(disk.info().chain()).hasSize(2);
      assertThat(disk.info().properties().get("parentLinkage"))
          .isEqualToIgnoringCase(dev.vdisk.core.util.Guids.braced(parent.dataWriteGuid()));
      assertThat(VhdxTesting.sha256(disk)).as("a new child reads as its parent")
          .isEqualTo(VhdxTesting.sha256(model));
      randomWrites(disk, model, 12, 25);
      assertThat(VhdxTesting.sha256(disk)).isEqualTo(VhdxTesting.sha256(model));
    }
    assertThat(VhdxTesting.pyvhdiSha256(child, base)).isEqualTo(VhdxTesting.sha256(model));
    assertThat(format.check(child).isClean()).as(format.check(child).toString()).isTrue();
    try (VhdxDisk disk = format.open(child, OpenOptions.readOnly())) {
      assertThat(VhdxTesting.sha256(disk)).isEqualTo(VhdxTesting.sha256(model));
    }
    Files.move(base, dir.resolve("moved.vhdx"));
    assertThatThrownBy(() -> format.open(child, OpenOptions.readOnly()))
        .isInstanceOf(MissingParentException.class);
  }
}
