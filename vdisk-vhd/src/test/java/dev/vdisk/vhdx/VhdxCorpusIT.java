package dev.vdisk.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.partition.Partition;
import dev.vdisk.core.partition.PartitionTable;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real VHDX files from Windows, Hyper-V, Disk2VHD and qemu, against their known contents. */
class VhdxCorpusIT {
  private static final long MIB = 1 << 20;
  private final VhdxFormat format = new VhdxFormat();

  @TempDir Path dir;

  private static void assertFilled(VhdxDisk disk, long from, long to, int value) throws Exception {
    ByteBuffer b = ByteBuffer.allocate((int) MIB);
    for (long pos = from; pos < to; pos += MIB) {
      disk.read(pos, b.clear());
      for (int i = 0; i < b.capacity(); i++) {
        if ((b.get(i) & 0xFF) != value) {
          throw new AssertionError(String.format("byte %d is 0x%02x, expected 0x%02x",
              pos + i, b.get(i) & 0xFF, value));
        }
      }
    }
  }

  @Test
  void dynamicFromWindows() throws Exception {
    Path image = VhdxTesting.corpus(VhdxTesting.SAMPLES + "iotest-dynamic-1G.vhdx.bz2", dir);
    try (VhdxDisk disk = format.open(image, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(1L << 30);
      assertThat(disk.info().variant()).isEqualTo("dynamic");
      assertThat(disk.info().properties()).containsEntry("logState", "clean");
      assertFilled(disk, 0, 33 * MIB, 0xA5);
      assertFilled(disk, 33 * MIB, 66 * MIB, 0x96);
      assertFilled(disk, 66 * MIB, 128 * MIB, 0);
    }
    Path qemuRaw = VhdxTesting.qemuRaw(image, dir);
    try (VhdxDisk disk = format.open(image, OpenOptions.readOnly())) {
      VhdxTesting.assertSameContent(disk, qemuRaw);
    }
    assertThat(format.check(image).isClean()).isTrue();
  }

  @Test
  void disk2vhdWithTwoIdenticalHeaders() throws Exception {
    Path image = VhdxTesting.corpus(VhdxTesting.SAMPLES + "test-disk2vhd.vhdx.bz2", dir);
    String ours;
    try (VhdxDisk disk = format.open(image, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(256 * MIB);
      ours = VhdxTesting.sha256(disk);
    }
    assertThat(ours).isEqualTo(VhdxTesting.sha256(VhdxTesting.qemuRaw(image, dir)));
  }

  /** Read-only: replayed in memory, file untouched; equals qemu's view after its own replay. */
  private void dirtyLogReadOnly(Path image) throws Exception {
    String before = VhdxTesting.sha256(image);
    Path copy = dir.resolve("qemu-replayed.vhdx");
    Files.copy(image, copy);
    Path qemu = Oracles.require("qemu-img", "qemu-utils");
    Oracles.run(qemu.toString(), "check", "-r", "all", "-f", "vhdx", copy.toString());
    Path qemuRaw = VhdxTesting.qemuRaw(copy, dir);
    try (VhdxDisk disk = format.open(image, OpenOptions.readOnly())) {
      assertThat(disk.info().properties()).containsEntry("logState", "replayed-in-memory");
      VhdxTesting.assertSameContent(disk, qemuRaw);
    }
    assertThat(VhdxTesting.sha256(image)).as("file unchanged by a read-only open")
        .isEqualTo(before);
    assertThat(format.check(image).problems())
        .anySatisfy(p -> assertThat(p.message()).contains("awaiting replay"));
  }

  /** Read-write: replayed into the file; qemu then opens it without complaint. */
  private void dirtyLogReadWrite(Path image) throws Exception {
    Path copy = dir.resolve("rw.vhdx");
    Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
    try (VhdxDisk disk = format.open(copy, OpenOptions.readWrite())) {
      assertThat(disk.info().properties()).containsEntry("logState", "replayed");
      // Then write through our log into the foreign image, across a block boundary.
      byte[] data = new byte[(int) (3 * MIB)];
      new java.util.Random(3).nextBytes(data);
      disk.write(disk.blockSize() * 3 - MIB - 17, ByteBuffer.wrap(data));
      ByteBuffer back = ByteBuffer.allocate(data.length);
      disk.read(disk.blockSize() * 3 - MIB - 17, back);
      assertThat(back.array()).isEqualTo(data);
    }
    VhdxTesting.qemuCheckClean(copy);
    Path qemuRaw = VhdxTesting.qemuRaw(copy, dir);
    try (VhdxDisk disk = format.open(copy, OpenOptions.readOnly())) {
      assertThat(disk.info().properties()).containsEntry("logState", "clean");
      VhdxTesting.assertSameContent(disk, qemuRaw);
    }
    assertThat(format.check(copy).isClean()).isTrue();
  }

  @Test
  void dirtyLogFromQemu() throws Exception {
    Path image = VhdxTesting.corpus(VhdxTesting.SAMPLES + "iotest-dirtylog-10G-4M.vhdx.bz2", dir);
    try (VhdxDisk disk = format.open(image, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(10L << 30);
      assertFilled(disk, 0, 18 * MIB, 0xA5);
    }
    dirtyLogReadOnly(image);
    dirtyLogReadWrite(image);
  }

  @Test
  void dirtyLogFromWindows10() throws Exception {
    Path image = VhdxTesting.corpus(VhdxTesting.LOG_REPLAY, dir);
    try (VhdxDisk disk = format.open(image, OpenOptions.readOnly())) {
      PartitionTable table = PartitionTable.read(disk);
      assertThat(table.scheme()).isEqualTo(PartitionTable.Scheme.MBR);
      List<Partition> parts = table.partitions();
      assertThat(parts).hasSize(2);
      assertThat(parts.get(0).firstSector()).isEqualTo(2048);
      assertThat(parts.get(0).firstSector() + parts.get(0).sectorCount() - 1).isEqualTo(206847);
      assertThat(parts.get(1).firstSector()).isEqualTo(206848);
      assertThat(parts.get(1).firstSector() + parts.get(1).sectorCount() - 1).isEqualTo(616447);
    }
    dirtyLogReadOnly(image);
    dirtyLogReadWrite(image);
  }
}
