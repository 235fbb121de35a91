package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of VmdkDisk on images we make: header flags, damage, refusals, probe. */
class VmdkDiskTest {
  private static final long MIB = 1 << 20;
  private final VmdkFormat format = new VmdkFormat();
  @TempDir Path dir;

  private static SparseExtentHeader header(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    try (FileChannel c = FileChannel.open(file)) {
      c.read(b, 0);
    }
    return SparseExtentHeader.parse(file, b.flip());
  }

  private static void poke(Path file, long offset, int value) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
    }
  }

  private static byte[] read(dev.vdisk.core.VirtualDisk d) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) d.size());
    d.read(0, b);
    return b.array();
  }

  private Path imageWithData(byte[] model) throws IOException {
    Path file = dir.resolve("d.vmdk");
    new Random(3).nextBytes(model);
    java.util.Arrays.fill(model, (int) MIB, (int) (2 * MIB), (byte) 0);
    try (VmdkDisk disk = format.create(file, new CreateSpec(model.length, null, 0))) {
      disk.write(0, ByteBuffer.wrap(model, 0, (int) MIB));
      disk.write(2 * MIB, ByteBuffer.wrap(model, (int) (2 * MIB), model.length - (int) (2 * MIB)));
    }
    return file;
  }

  @Test
  void uncleanShutdownIsSetWhileWritingAndClearedOnClose() throws Exception {
    Path file = dir.resolve("u.vmdk");
    try (VmdkDisk disk = format.create(file, new CreateSpec(4 * MIB, null, 0))) {
      assertThat(header(file).uncleanShutdown()).isFalse();
      long cid = disk.cid();
      disk.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertThat(header(file).uncleanShutdown()).isTrue();
      assertThat(disk.cid()).isNotEqualTo(cid);
    }
    assertThat(header(file).uncleanShutdown()).isFalse();
    // found set: reads fine, reported, and writable because the tables are sound
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(new byte[] {1}), 72);
    }
    try (VmdkDisk disk = format.open(file, OpenOptions.readOnly())) {
      assertThat(disk.info().properties()).containsEntry("uncleanShutdown", "true");
      ByteBuffer b = ByteBuffer.allocate(3);
      disk.read(0, b);
      assertThat(b.array()).containsExactly(1, 2, 3);
    }
    assertThat(format.check(file).count(CheckReport.Severity.WARNING)).isEqualTo(1);
    try (VmdkDisk disk = format.open(file, OpenOptions.readWrite())) {
      disk.write(512, ByteBuffer.allocate(512));
    }
    assertThat(header(file).uncleanShutdown()).isFalse();
  }

  @Test
  void uncleanAndDamagedIsRefusedForWriting() throws Exception {
    byte[] model = new byte[(int) (4 * MIB)];
    Path file = imageWithData(model);
    SparseExtentHeader h = header(file);
    // damage both copies of the first grain table's first entry, and mark unclean
    for (long dirSector : new long[] {h.gdOffset(), h.rgdOffset()}) {
      ByteBuffer e = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
        c.read(e, dirSector * 512);
      }
      poke(file, (e.getInt(0) & 0xffffffffL) * 512, 0x7fffff00);
    }
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.wrap(new byte[] {1}), 72);
    }
    assertThatThrownBy(() -> format.open(file, OpenOptions.readWrite()))
        .isInstanceOf(UnsafeToWriteException.class)
        .hasMessageContaining("uncleanShutdown");
    try (VmdkDisk disk = format.open(file, OpenOptions.readOnly())) {
      assertThatThrownBy(() -> disk.read(0, ByteBuffer.allocate(512)))
          .isInstanceOf(CorruptStructureException.class).hasMessageContaining("grain table");
    }
    assertThat(format.check(file).isClean()).isFalse();
  }

  @Test
  void damagedGrainDirectoryFallsBackToTheRedundantOne() throws Exception {
    byte[] model = new byte[(int) (4 * MIB)];
    Path file = imageWithData(model);
    SparseExtentHeader h = header(file);
    poke(file, h.gdOffset() * 512, 0x7ffffff0);
    try (VmdkDisk disk = format.open(file, OpenOptions.readOnly())) {
      assertThat(read(disk)).isEqualTo(model);
      assertThat(disk.warnings()).singleElement().asString()
          .contains("using the redundant grain directory");
      assertThat(disk.info().properties().get("warnings")).contains("redundant");
    }
    CheckReport report = format.check(file);
    assertThat(report.isClean()).isFalse();
  }

  @Test
  void damagedGrainTableFallsBackToTheRedundantCopy() throws Exception {
    byte[] model = new byte[(int) (4 * MIB)];
    Path file = imageWithData(model);
    SparseExtentHeader h = header(file);
    ByteBuffer e = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      c.read(e, h.gdOffset() * 512);
    }
    long table = e.getInt(0) & 0xffffffffL;
    poke(file, table * 512 + 8, 0x7ffffff0);
    try (VmdkDisk disk = format.open(file, OpenOptions.readOnly())) {
      assertThat(read(disk)).isEqualTo(model);
      assertThat(disk.extents().get(0).toString()).isNotEmpty();
      assertThat(((dev.vdisk.vmdk.internal.HostedSparseExtent) disk.extents().get(0)).warnings())
          .singleElement().asString().contains("using the redundant copy");
    }
    assertThat(format.check(file).isClean()).isFalse();
  }

  @Test
  void checkFindsLeakedSpaceAndSharedGrains() throws Exception {
    byte[] model = new byte[(int) (4 * MIB)];
    Path file = imageWithData(model);
    assertThat(format.check(file).problems()).isEmpty();
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.allocate(65536), c.size());
    }
    CheckReport leak = format.check(file);
    assertThat(leak.isClean()).isTrue();
    assertThat(leak.problems()).singleElement().satisfies(p -> {
      assertThat(p.severity()).isEqualTo(CheckReport.Severity.LEAK);
      assertThat(p.message()).startsWith("65536 bytes");
    });
    // two entries naming the same grain (both copies of the table)
    SparseExtentHeader h = header(file);
    for (long dirSector : new long[] {h.gdOffset(), h.rgdOffset()}) {
      ByteBuffer e = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
        c.read(e.limit(4), dirSector * 512);
        long table = e.getInt(0) & 0xffffffffL;
        c.read(e.clear(), table * 512);
        poke(file, table * 512 + 4, e.getInt(0));
      }
    }
    CheckReport shared = format.check(file);
    assertThat(shared.isClean()).isFalse();
    assertThat(shared.problems()).anySatisfy(p -> assertThat(p.message()).contains("overlaps"));
  }

  @Test
  void bothDirectoriesDamagedIsCorrupt() throws Exception {
    byte[] model = new byte[(int) (4 * MIB)];
    Path file = imageWithData(model);
    SparseExtentHeader h = header(file);
    poke(file, h.gdOffset() * 512, 0x7ffffff0);
    poke(file, h.rgdOffset() * 512, 0x7ffffff0);
    assertThatThrownBy(() -> format.open(file, OpenOptions.readOnly()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("redundant grain directory is damaged too");
  }

  @Test
  void changedBlockTrackingRefusesWriting() throws Exception {
    Path file = dir.resolve("cbt.vmdk");
    format.create(file, new CreateSpec(MIB, "monolithicFlat", 0)).close();
    Files.writeString(file, Files.readString(file).replace("createType=\"monolithicFlat\"",
        "createType=\"monolithicFlat\"\nchangeTrackPath=\"cbt-ctk.vmdk\""));
    assertThatThrownBy(() -> format.open(file, OpenOptions.readWrite()))
        .isInstanceOf(UnsafeToWriteException.class)
        .hasMessageContaining("changed-block tracking");
    try (VmdkDisk disk = format.open(file, OpenOptions.readOnly())) {
      assertThat(disk.info().properties()).containsEntry("changeTrackPath", "cbt-ctk.vmdk");
    }
  }

  @Test
  void rawDeviceMappingsAreRefusedClearly() throws Exception {
    Path file = dir.resolve("rdm.vmdk");
    Files.writeString(file, "# Disk DescriptorFile\nCID=00000001\ncreateType=\"vmfsRawDeviceMap\"\n"
        + "RW 2048 VMFSRDM \"rdm-rdm.vmdk\"\n");
    assertThatThrownBy(() -> format.open(file, OpenOptions.readOnly()))
        .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("raw device");
  }

  @Test
  void probesByContent() throws Exception {
    Path sparse = dir.resolve("a.bin");
    format.create(sparse, new CreateSpec(MIB, null, 0)).close();
    Path desc = dir.resolve("b.bin");
    format.create(desc, new CreateSpec(MIB, "monolithicFlat", 0)).close();
    Path other = dir.resolve("c.vmdk");
    Files.write(other, new byte[4096]);
    try (FileChannel a = FileChannel.open(sparse); FileChannel b = FileChannel.open(desc);
        FileChannel c = FileChannel.open(other)) {
      assertThat(format.probe(sparse, a)).isEqualTo(DiskFormat.CERTAIN);
      assertThat(format.probe(desc, b)).isEqualTo(DiskFormat.CERTAIN);
      assertThat(format.probe(other, c)).isEqualTo(DiskFormat.NO);
    }
    assertThat(VirtualDisks.detect(sparse).name()).isEqualTo("vmdk");
    assertThat(VirtualDisks.detect(desc).name()).isEqualTo("vmdk");
  }

  @Test
  void allocationReportsGrainsAndHoles() throws Exception {
    Path file = dir.resolve("al.vmdk");
    try (VmdkDisk disk = format.create(file, new CreateSpec(8 * MIB, null, 0))) {
      // a whole grain of zeros where the disk reads zeros stores nothing
      disk.write(0, ByteBuffer.allocate(65536));
      byte[] ones = new byte[65536];
      java.util.Arrays.fill(ones, (byte) 1);
      disk.write(MIB, ByteBuffer.wrap(ones));
      assertThat(disk.allocation(0)).isEqualTo(new Allocation(0, MIB, Allocation.State.UNALLOCATED));
      assertThat(disk.allocation(MIB + 100))
          .isEqualTo(new Allocation(MIB + 100, 65536 - 100, Allocation.State.DATA));
      assertThat(disk.allocation(MIB + 65536).state()).isEqualTo(Allocation.State.UNALLOCATED);
    }
  }

  @Test
  void deltaReadsThroughParentAndPartialGrainsKeepParentData() throws Exception {
    Path parent = dir.resolve("p.vmdk");
    Path child = dir.resolve("sub/c.vmdk");
    Files.createDirectories(child.getParent());
    byte[] base = new byte[(int) (2 * MIB)];
    new Random(8).nextBytes(base);
    try (VmdkDisk p = format.create(parent, new CreateSpec(base.length, null, 0))) {
      p.write(0, ByteBuffer.wrap(base));
    }
    try (VmdkDisk p = format.open(parent, OpenOptions.readOnly());
        VmdkDisk c = format.createChild(p, child)) {
      assertThat(c.descriptor().parentFileNameHint()).contains("../p.vmdk");
      c.write(1000, ByteBuffer.wrap(new byte[] {9, 9, 9}));
      System.arraycopy(new byte[] {9, 9, 9}, 0, base, 1000, 3);
      assertThat(read(c)).isEqualTo(base);
      assertThat(c.info().chain()).hasSize(2);
    }
    try (dev.vdisk.core.VirtualDisk c = VirtualDisks.open(child)) {
      assertThat(read(c)).isEqualTo(base);
    }
  }
}
