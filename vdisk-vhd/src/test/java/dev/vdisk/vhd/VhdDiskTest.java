package dev.vdisk.vhd;

import static dev.vdisk.vhd.VhdTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.DiskInfo;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.chain.MissingParentException;
import dev.vdisk.core.copy.Allocations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VhdDiskTest {
  private static final long MIB = 1 << 20;
  private final VhdFormat format = new VhdFormat();

  @TempDir Path dir;

  @Test
  void createDynamicIsDetectedAndReadsZeros() throws IOException {
    Path file = dir.resolve("d.vhd");
    format.create(file, CreateSpec.ofSize(5 * MIB + 100)).close();
    assertThat(Files.size(file)).isEqualTo(512 + 1024 + 512 + 512);
    assertThat(VirtualDisks.detect(file).name()).isEqualTo("vhd");
    try (FileChannel channel = FileChannel.open(file)) {
      assertThat(format.probe(file, channel)).isEqualTo(DiskFormat.CERTAIN);
    }
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(disk.size()).isEqualTo(5 * MIB + 512);
      assertThat(readAll(disk)).containsOnly(0);
      assertThat(disk.allocation(0)).isEqualTo(new Allocation(0, disk.size(),
          Allocation.State.ZERO));
      DiskInfo info = disk.info();
      assertThat(info.format()).isEqualTo("vhd");
      assertThat(info.variant()).isEqualTo("dynamic");
      assertThat(info.virtualSize()).isEqualTo(5 * MIB + 512);
      assertThat(info.fileSize()).isEqualTo(Files.size(file));
      assertThat(info.chain()).hasSize(1);
      assertThat(info.properties().keySet()).containsExactly("blockSize", "creatorApplication",
          "creatorVersion", "creatorHostOs", "uniqueId", "geometry", "originalSize",
          "savedState");
      assertThat(info.properties()).containsEntry("blockSize", "2097152")
          .containsEntry("creatorApplication", "vdsk").containsEntry("creatorHostOs", "Wi2k")
          .containsEntry("savedState", "false");
    }
    assertThat(format.check(file).problems()).isEmpty();
  }

  @Test
  void createFixed() throws IOException {
    Path file = dir.resolve("f.vhd");
    try (VirtualDisk disk = format.create(file, new CreateSpec(3 * MIB, "fixed", 0))) {
      disk.write(MIB - 3, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}));
    }
    assertThat(Files.size(file)).isEqualTo(3 * MIB + 512);
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(disk.info().variant()).isEqualTo("fixed");
      assertThat(disk.info().properties()).doesNotContainKey("blockSize");
      assertThat(disk.allocation(5)).isEqualTo(new Allocation(5, 3 * MIB - 5,
          Allocation.State.DATA));
      ByteBuffer six = ByteBuffer.allocate(6);
      disk.read(MIB - 3, six);
      assertThat(six.array()).containsExactly(1, 2, 3, 4, 5, 6);
    }
    assertThat(format.check(file).problems()).isEmpty();
  }

  @Test
  void createRejectsBadSpecs() {
    assertThatThrownBy(() -> format.create(dir.resolve("a"), new CreateSpec(MIB, "sparse", 0)))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> format.create(dir.resolve("b"), CreateSpec.ofSize(2041L << 30)))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> format.create(dir.resolve("c"), new CreateSpec(MIB, null, 3000)))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThat(dir.resolve("a")).doesNotExist();
  }

  @Test
  void writesReadBackAcrossBlocksAndReopen() throws IOException {
    Path file = dir.resolve("w.vhd");
    byte[] model = new byte[(int) (3 * MIB)];
    try (VirtualDisk disk = format.create(file, new CreateSpec(3 * MIB, null, 64 * 1024))) {
      byte[] data = new byte[200_000];
      Arrays.fill(data, (byte) 7);
      disk.write(60_001, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, 60_001, data.length);
      disk.write(5, ByteBuffer.wrap(new byte[] {9}));
      model[5] = 9;
      assertThat(readAll(disk)).isEqualTo(model);
      // writes cover whole 4 KiB units
      Allocation first = disk.allocation(0);
      assertThat(first).isEqualTo(new Allocation(0, 4096, Allocation.State.DATA));
      assertThat(disk.allocation(4096).state()).isEqualTo(Allocation.State.ZERO);
    }
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(readAll(disk)).isEqualTo(model);
      Allocation data = disk.allocation(57_344);
      assertThat(data.state()).isEqualTo(Allocation.State.DATA);
      assertThat(data.end()).isEqualTo((60_001 + 200_000 + 4095) / 4096 * 4096);
    }
    CheckReport report = format.check(file);
    assertThat(report.problems()).isEmpty();
  }

  @Test
  void readOnlyRefusesWrites() throws IOException {
    Path file = dir.resolve("r.vhd");
    format.create(file, CreateSpec.ofSize(MIB)).close();
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThatThrownBy(() -> disk.write(0, ByteBuffer.allocate(1)))
          .isInstanceOf(UnsafeToWriteException.class)
          .extracting(e -> ((UnsafeToWriteException) e).reason())
          .isEqualTo(UnsafeToWriteException.Reason.READ_ONLY);
    }
  }

  @Test
  void savedStateRefusesWritableOpen() throws IOException {
    Path file = dir.resolve("s.vhd");
    format.create(file, CreateSpec.ofSize(MIB)).close();
    setSavedState(file);
    assertThatThrownBy(() -> VirtualDisks.open(file, OpenOptions.readWrite()))
        .isInstanceOf(UnsafeToWriteException.class)
        .extracting(e -> ((UnsafeToWriteException) e).reason())
        .isEqualTo(UnsafeToWriteException.Reason.HIBERNATED);
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(disk.info().properties()).containsEntry("savedState", "true");
    }
    assertThat(format.check(file).count(CheckReport.Severity.WARNING)).isEqualTo(1);
  }

  private static void setSavedState(Path file) throws IOException {
    long size = Files.size(file);
    for (long at : new long[] {0, size - 512}) {
      byte[] footer = readBytes(file, at, 512);
      footer[84] = 1;
      fixFooterChecksum(footer);
      writeBytes(file, at, footer);
    }
  }

  @Test
  void badFooterChecksumReadsButRefusesWriting() throws IOException {
    Path file = dir.resolve("c.vhd");
    try (VirtualDisk disk = format.create(file, CreateSpec.ofSize(MIB))) {
      disk.write(0, ByteBuffer.wrap(new byte[] {42}));
    }
    long size = Files.size(file);
    byte[] footer = readBytes(file, size - 512, 512);
    footer[200] = 1;
    writeBytes(file, size - 512, footer);
    try (FileChannel channel = FileChannel.open(file)) {
      // the copy at offset 0 still has a good checksum
      assertThat(format.probe(file, channel)).isEqualTo(DiskFormat.CERTAIN);
    }
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(readAll(disk)[0]).isEqualTo((byte) 42);
    }
    assertThatThrownBy(() -> VirtualDisks.open(file, OpenOptions.readWrite()))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("hard disk footer");
    CheckReport report = format.check(file);
    assertThat(report.isClean()).isFalse();
    assertThat(report.problems()).extracting(CheckReport.Problem::structure)
        .contains("hard disk footer");
  }

  @Test
  void differencingChildReadsAsParentAndKeepsParentUnchanged() throws IOException {
    Path base = dir.resolve("base.vhd");
    Path child = dir.resolve("sub/child.vhd");
    Files.createDirectories(child.getParent());
    byte[] model = new byte[(int) (4 * MIB)];
    try (VirtualDisk parent = format.create(base, CreateSpec.ofSize(4 * MIB))) {
      byte[] data = new byte[3000];
      Arrays.fill(data, (byte) 0x55);
      parent.write(2 * MIB - 1000, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, (int) (2 * MIB - 1000), data.length);
      try (VirtualDisk diff = format.createChild(parent, child)) {
        assertThat(readAll(diff)).isEqualTo(model);
        assertThat(diff.allocation(0)).isEqualTo(new Allocation(0, 4 * MIB,
            Allocation.State.UNALLOCATED));
        diff.write(2 * MIB - 700, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      }
    }
    byte[] parentModel = model.clone();
    model[(int) (2 * MIB - 700)] = 1;
    model[(int) (2 * MIB - 699)] = 2;
    model[(int) (2 * MIB - 698)] = 3;
    try (VirtualDisk diff = VirtualDisks.open(child)) {
      assertThat(readAll(diff)).isEqualTo(model);
      assertThat(diff.parent()).isPresent();
      assertThat(readAll(diff.parent().get())).isEqualTo(parentModel);
      DiskInfo info = diff.info();
      assertThat(info.variant()).isEqualTo("differencing");
      assertThat(info.chain()).extracting(c -> c.path().getFileName().toString())
          .containsExactly("child.vhd", "base.vhd");
      assertThat(info.properties()).containsEntry("parentUniqueId",
          diff.parent().get().info().properties().get("uniqueId"));
      assertThat(info.properties().get("parentName")).endsWith("base.vhd");
      // a differencing disk stores whole 4 KiB units: the 3 bytes made [2 MiB - 4 KiB, 2 MiB) DATA
      Allocation unit = diff.allocation(2 * MIB - 1024);
      assertThat(unit).isEqualTo(new Allocation(2 * MIB - 1024, 1024, Allocation.State.DATA));
      assertThat(diff.allocation(2 * MIB - 5000).end()).isEqualTo(2 * MIB - 4096);
      assertThat(Allocations.effective(diff, 0).state()).isEqualTo(Allocation.State.ZERO);
      assertThat(Allocations.effective(diff, 2 * MIB - 512).state())
          .isEqualTo(Allocation.State.DATA);
    }
    assertThat(format.check(child).problems()).isEmpty();
    // the relative locator finds the parent when the chain moves
    Path moved = dir.resolve("moved");
    Files.createDirectories(moved.resolve("sub"));
    Files.move(base, moved.resolve("base.vhd"));
    Files.move(child, moved.resolve("sub/child.vhd"));
    try (VirtualDisk diff = VirtualDisks.open(moved.resolve("sub/child.vhd"))) {
      assertThat(readAll(diff)).isEqualTo(model);
    }
  }

  @Test
  void missingParent() throws IOException {
    Path base = dir.resolve("base.vhd");
    Path child = dir.resolve("child.vhd");
    try (VirtualDisk parent = format.create(base, CreateSpec.ofSize(MIB))) {
      format.createChild(parent, child).close();
    }
    Files.delete(base);
    assertThatThrownBy(() -> VirtualDisks.open(child))
        .isInstanceOf(MissingParentException.class)
        .hasMessageContaining("base.vhd")
        .satisfies(e -> assertThat(((MissingParentException) e).tried()).isNotEmpty());
    CheckReport report = format.check(child);
    assertThat(report.isClean()).isTrue();
    assertThat(report.count(CheckReport.Severity.WARNING)).isEqualTo(1);
  }

  @Test
  void parentUniqueIdMismatch() throws IOException {
    Path base = dir.resolve("base.vhd");
    Path child = dir.resolve("child.vhd");
    try (VirtualDisk parent = format.create(base, CreateSpec.ofSize(MIB))) {
      format.createChild(parent, child).close();
    }
    String oldId;
    try (VirtualDisk parent = VirtualDisks.open(base)) {
      oldId = parent.info().properties().get("uniqueId");
    }
    Files.delete(base);
    String newId;
    try (VirtualDisk parent = format.create(base, CreateSpec.ofSize(MIB))) {
      newId = parent.info().properties().get("uniqueId");
    }
    assertThatThrownBy(() -> VirtualDisks.open(child))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining(oldId).hasMessageContaining(newId);
    assertThat(format.check(child).isClean()).isFalse();
  }

  @Test
  void crashAfterFooterMoveLeavesOnlyALeak() throws IOException {
    Path file = dir.resolve("leak.vhd");
    format.create(file, new CreateSpec(MIB, null, 64 * 1024)).close();
    Path copy = dir.resolve("copy.vhd");
    Files.copy(file, copy);
    try (VirtualDisk disk = VirtualDisks.open(file, OpenOptions.readWrite())) {
      disk.write(0, ByteBuffer.wrap(new byte[] {1}));
    }
    // simulate a crash before the BAT entry was written: restore the old BAT
    byte[] oldBat = readBytes(copy, 1536, 512);
    writeBytes(file, 1536, oldBat);
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThat(readAll(disk)).containsOnly(0);
    }
    CheckReport report = format.check(file);
    assertThat(report.isClean()).isTrue();
    assertThat(report.count(CheckReport.Severity.LEAK)).isEqualTo(1);
  }

  @Test
  void badBatEntriesFailOnReadAndAreReported() throws IOException {
    Path file = dir.resolve("bad.vhd");
    try (VirtualDisk disk = format.create(file, new CreateSpec(MIB, null, 64 * 1024))) {
      disk.write(0, ByteBuffer.wrap(new byte[] {1}));
      disk.write(64 * 1024, ByteBuffer.wrap(new byte[] {2}));
    }
    byte[] bat = readBytes(file, 1536, 16);
    ByteBuffer b = ByteBuffer.wrap(bat);
    b.putInt(4, b.getInt(0) + 1); // block 1 overlaps block 0
    b.putInt(8, 0x00FF_FFFF); // block 2 past the end
    b.putInt(12, 1); // block 3 on the header
    writeBytes(file, 1536, bat);
    CheckReport report = format.check(file);
    assertThat(report.count(CheckReport.Severity.CORRUPTION)).isEqualTo(4);
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      assertThatThrownBy(() -> readAll(disk)).isInstanceOf(CorruptStructureException.class)
          .hasMessageContaining("block allocation table");
      assertThatThrownBy(() -> disk.read(2 * 64 * 1024, ByteBuffer.allocate(1)))
          .isInstanceOf(CorruptStructureException.class).hasMessageContaining("past the end");
      ByteBuffer fine = ByteBuffer.allocate(1);
      disk.read(5 * 64 * 1024, fine);
      assertThat(fine.get(0)).isZero();
    }
    assertThatThrownBy(() -> VirtualDisks.open(file, OpenOptions.readWrite()))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void notAVhd() throws IOException {
    Path file = dir.resolve("x.img");
    Files.write(file, new byte[4096]);
    try (FileChannel channel = FileChannel.open(file)) {
      assertThat(format.probe(file, channel)).isEqualTo(DiskFormat.NO);
    }
    assertThatThrownBy(() -> format.open(file, OpenOptions.readOnly()))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("conectix");
    assertThat(format.check(file).isClean()).isFalse();
    Path empty = dir.resolve("empty");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> format.open(empty, OpenOptions.readOnly()))
        .isInstanceOf(CorruptStructureException.class);
  }

  @Test
  void cookieOnlyIsLikely() throws IOException {
    Path file = dir.resolve("l.vhd");
    byte[] bytes = new byte[2048];
    System.arraycopy("conectix".getBytes(), 0, bytes, 2048 - 512, 8);
    Files.write(file, bytes);
    try (FileChannel channel = FileChannel.open(file)) {
      assertThat(format.probe(file, channel)).isEqualTo(DiskFormat.LIKELY);
    }
  }

  @Test
  void createChildNeedsAVhdParent() throws IOException {
    Path raw = dir.resolve("raw.img");
    Files.write(raw, new byte[4096]);
    try (VirtualDisk parent = VirtualDisks.open(raw)) {
      assertThatThrownBy(() -> format.createChild(parent, dir.resolve("c.vhd")))
          .isInstanceOf(UnsupportedFeatureException.class);
    }
  }

  @Test
  void uniqueIdsDiffer() throws IOException {
    format.create(dir.resolve("1.vhd"), CreateSpec.ofSize(MIB)).close();
    format.create(dir.resolve("2.vhd"), CreateSpec.ofSize(MIB)).close();
    try (VirtualDisk a = VirtualDisks.open(dir.resolve("1.vhd"));
        VirtualDisk b = VirtualDisks.open(dir.resolve("2.vhd"))) {
      UUID x = UUID.fromString(a.info().properties().get("uniqueId"));
      UUID y = UUID.fromString(b.info().properties().get("uniqueId"));
      assertThat(x).isNotEqualTo(y);
    }
  }

  static byte[] readBytes(Path file, long offset, int length) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer buffer = ByteBuffer.allocate(length);
      channel.read(buffer, offset);
      return buffer.array();
    }
  }

  static void writeBytes(Path file, long offset, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), offset);
    }
  }

  static void fixFooterChecksum(byte[] footer) {
    ByteBuffer b = ByteBuffer.wrap(footer);
    b.putInt(64, 0);
    long sum = 0;
    for (byte x : footer) {
      sum += x & 0xFF;
    }
    b.putInt(64, (int) ~sum);
  }
}
