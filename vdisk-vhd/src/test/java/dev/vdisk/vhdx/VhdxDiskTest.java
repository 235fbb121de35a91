package dev.vdisk.vhdx;

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
import dev.vdisk.vhdx.internal.Checksums;
import dev.vdisk.core.util.Guids;
import dev.vdisk.vhdx.internal.MetadataTableEntry;
import dev.vdisk.vhdx.internal.RegionTable;
import dev.vdisk.vhdx.internal.RegionTableEntry;
import dev.vdisk.vhdx.internal.VhdxCreator;
import dev.vdisk.vhdx.internal.VhdxHeader;
import dev.vdisk.core.util.WriteSteps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VhdxDisk and VhdxFormat behaviour on images made and then damaged by the tests. */
class VhdxDiskTest {
  private static final long MIB = 1 << 20;
  private final VhdxFormat format = new VhdxFormat();

  @TempDir Path dir;

  private Path image(String name, long size, String variant) throws IOException {
    Path path = dir.resolve(name);
    format.create(path, new CreateSpec(size, variant, MIB)).close();
    return path;
  }

  private static void patch(Path file, long offset, ByteBuffer bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(bytes, offset);
    }
  }

  private static byte[] read(Path file, long offset, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(length);
      ch.read(b, offset);
      return b.array();
    }
  }

  /** Rewrites both region tables with an extra entry, checksums fixed. */
  private static void addRegion(Path file, RegionTableEntry extra) throws IOException {
    byte[] raw = read(file, RegionTable.TABLE1_OFFSET, RegionTable.SIZE);
    RegionTable t = RegionTable.parse(ByteBuffer.wrap(raw), file, 0);
    List<RegionTableEntry> entries = new ArrayList<>(t.entries());
    entries.add(extra);
    ByteBuffer b = ByteBuffer.allocate(RegionTable.SIZE);
    new RegionTable(entries).writeTo(b);
    patch(file, RegionTable.TABLE1_OFFSET, b.duplicate());
    patch(file, RegionTable.TABLE2_OFFSET, b.duplicate());
  }

  @Test
  void createsAndReportsInfo() throws Exception {
    Path path = image("a.vhdx", 10 * MIB, null);
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(10 * MIB);
      assertThat(disk.sectorSize()).isEqualTo(512);
      assertThat(disk.info().variant()).isEqualTo("dynamic");
      assertThat(disk.info().properties().keySet()).containsExactly("blockSize",
          "logicalSectorSize", "physicalSectorSize", "logState", "dataWriteGuid");
      assertThat(disk.info().properties()).containsEntry("blockSize", "1048576")
          .containsEntry("physicalSectorSize", "4096").containsEntry("logState", "clean");
      assertThat(disk.info().chain()).hasSize(1);
      assertThat(disk.allocation(0)).isEqualTo(new Allocation(0, 10 * MIB,
          Allocation.State.ZERO));
      assertThatThrownBy(() -> disk.write(0, ByteBuffer.allocate(1)))
          .isInstanceOf(UnsafeToWriteException.class);
    }
    try (var disk = VirtualDisks.open(path)) {
      assertThat(disk.format().name()).isEqualTo("vhdx");
    }
  }

  @Test
  void defaultBlockSizeIs32MibAndFixedAllocatesEverything() throws Exception {
    Path path = dir.resolve("f.vhdx");
    try (VhdxDisk disk = format.create(path, new CreateSpec(40 * MIB, "fixed", 0))) {
      assertThat(disk.blockSize()).isEqualTo(32 * MIB);
      assertThat(disk.allocation(0)).isEqualTo(new Allocation(0, 40 * MIB,
          Allocation.State.DATA));
    }
    assertThatThrownBy(() -> format.create(dir.resolve("x.vhdx"), new CreateSpec(MIB, "dynamic",
        3 * MIB))).isInstanceOf(UnsupportedFeatureException.class);
  }

  @Test
  void allocationMergesRunsAndSplitsAtWrittenBlocks() throws Exception {
    Path path = image("b.vhdx", 8 * MIB, "dynamic");
    try (VhdxDisk disk = format.open(path, OpenOptions.readWrite())) {
      disk.write(2 * MIB + 10, ByteBuffer.wrap(new byte[] {1, 2, 3}));
      assertThat(disk.allocation(0)).isEqualTo(new Allocation(0, 2 * MIB,
          Allocation.State.ZERO));
      assertThat(disk.allocation(2 * MIB + 5)).isEqualTo(new Allocation(2 * MIB + 5, MIB - 5,
          Allocation.State.DATA));
      assertThat(disk.allocation(3 * MIB)).isEqualTo(new Allocation(3 * MIB, 5 * MIB,
          Allocation.State.ZERO));
    }
  }

  @Test
  void differencingAllocationIsPerSector() throws Exception {
    Path base = image("base.vhdx", 4 * MIB, "dynamic");
    Path child = dir.resolve("child.avhdx");
    try (VhdxDisk parent = format.open(base, OpenOptions.readOnly());
        VhdxDisk disk = format.createChild(parent, child)) {
      assertThat(disk.allocation(0).state()).isEqualTo(Allocation.State.UNALLOCATED);
      disk.write(MIB + 1024, ByteBuffer.wrap(new byte[100]));
      assertThat(disk.allocation(MIB)).isEqualTo(new Allocation(MIB, 1024,
          Allocation.State.UNALLOCATED));
      assertThat(disk.allocation(MIB + 1024)).isEqualTo(new Allocation(MIB + 1024, 512,
          Allocation.State.DATA));
      assertThat(disk.allocation(MIB + 1536)).isEqualTo(new Allocation(MIB + 1536,
          3 * MIB - 1536, Allocation.State.UNALLOCATED));
      assertThat(disk.info().properties()).containsKeys("parentLinkage", "parentPath");
    }
  }

  @Test
  void usesTheOtherHeaderWhenOneIsDamaged() throws Exception {
    Path path = image("c.vhdx", 4 * MIB, "dynamic");
    patch(path, VhdxHeader.HEADER2_OFFSET + 200, ByteBuffer.wrap(new byte[] {9}));
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(4 * MIB);
    }
    assertThat(format.check(path).problems()).anySatisfy(p ->
        assertThat(p.offset()).isEqualTo(VhdxHeader.HEADER2_OFFSET));
    patch(path, VhdxHeader.HEADER1_OFFSET + 200, ByteBuffer.wrap(new byte[] {9}));
    assertThatThrownBy(() -> format.open(path, OpenOptions.readOnly()))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("neither header is valid");
  }

  @Test
  void equalSequenceNumbersMustMeanIdenticalHeaders() throws Exception {
    Path path = image("d.vhdx", 4 * MIB, "dynamic");
    VhdxHeader h = VhdxHeader.parse(ByteBuffer.wrap(read(path, VhdxHeader.HEADER1_OFFSET, 4096)),
        path, 0);
    patch(path, VhdxHeader.HEADER2_OFFSET, ByteBuffer.wrap(h.toBytes()));
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(4 * MIB);
    }
    VhdxHeader other = h.withGuids(UUID.randomUUID(), h.dataWriteGuid(), h.logGuid());
    patch(path, VhdxHeader.HEADER2_OFFSET, ByteBuffer.wrap(other.toBytes()));
    assertThatThrownBy(() -> format.open(path, OpenOptions.readOnly()))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("differ");
  }

  @Test
  void unknownRequiredRegionIsUnsupported() throws Exception {
    Path path = image("e.vhdx", 4 * MIB, "dynamic");
    UUID unknown = UUID.randomUUID();
    addRegion(path, new RegionTableEntry(unknown, 64 * MIB, MIB, true));
    assertThatThrownBy(() -> format.open(path, OpenOptions.readOnly()))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining(unknown.toString());
  }

  @Test
  void unknownOptionalRegionIsIgnored() throws Exception {
    Path path = image("e2.vhdx", 4 * MIB, "dynamic");
    addRegion(path, new RegionTableEntry(UUID.randomUUID(), 64 * MIB, MIB, false));
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(4 * MIB);
    }
  }

  @Test
  void unknownRequiredMetadataItemIsUnsupported() throws Exception {
    Path path = image("f.vhdx", 4 * MIB, "dynamic");
    UUID unknown = UUID.randomUUID();
    long table = VhdxCreator.METADATA_OFFSET;
    ByteBuffer count = ByteBuffer.wrap(read(path, table + 10, 2)).order(ByteOrder.LITTLE_ENDIAN);
    int n = count.getShort(0);
    ByteBuffer entry = ByteBuffer.allocate(32);
    new MetadataTableEntry(unknown, 70000, 4, false, false, true).writeTo(entry);
    patch(path, table + 32 + 32L * n, entry);
    patch(path, table + 10, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN)
        .putShort(0, (short) (n + 1)));
    assertThatThrownBy(() -> format.open(path, OpenOptions.readOnly()))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining(unknown.toString());
  }

  @Test
  void damagedRegionTableCopyIsReportedButNotFatal() throws Exception {
    Path path = image("g.vhdx", 4 * MIB, "dynamic");
    patch(path, RegionTable.TABLE1_OFFSET + 100, ByteBuffer.wrap(new byte[] {1}));
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(4 * MIB);
    }
    CheckReport report = format.check(path);
    assertThat(report.isClean()).isFalse();
    assertThat(report.problems()).anySatisfy(p -> assertThat(p.offset())
        .isEqualTo(RegionTable.TABLE1_OFFSET));
  }

  @Test
  void checkFindsBlocksPastTheEndAndOverlaps() throws Exception {
    Path path = image("h.vhdx", 4 * MIB, "dynamic");
    try (VhdxDisk disk = format.open(path, OpenOptions.readWrite())) {
      disk.write(0, ByteBuffer.wrap(new byte[] {1}));
    }
    assertThat(format.check(path).isClean()).isTrue();
    long bat = VhdxCreator.BAT_OFFSET;
    long first = ByteBuffer.wrap(read(path, bat, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    // Block 1 points at block 0's space; block 2 points far past the end.
    patch(path, bat + 8, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, first));
    patch(path, bat + 16, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(0, (900L << 20) | 6));
    CheckReport report = format.check(path);
    assertThat(report.problems()).anySatisfy(p -> assertThat(p.message()).contains("overlaps"));
    assertThat(report.problems()).anySatisfy(p -> assertThat(p.message())
        .contains("past the end"));
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      assertThatThrownBy(() -> disk.read(2 * MIB, ByteBuffer.allocate(10)))
          .isInstanceOf(CorruptStructureException.class).hasMessageContaining("past the end");
    }
  }

  @Test
  void readOnlyOpenReplaysAPendingLogInMemoryOnly() throws Exception {
    Path path = image("i.vhdx", 8 * MIB, "dynamic");
    byte[] data = {7, 7, 7};
    try (VhdxDisk disk = format.open(path, OpenOptions.readWrite())) {
      WriteSteps.setListener(step -> {
        if (step.equals("log-flush")) {
          throw new IllegalStateException("simulated crash");
        }
      });
      try {
        disk.write(3 * MIB, ByteBuffer.wrap(data));
      } catch (IllegalStateException expected) {
        // log written and flushed; BAT not updated
      } finally {
        WriteSteps.setListener(null);
      }
      Path crashed = dir.resolve("crashed.vhdx");
      Files.copy(path, crashed);
      byte[] before = Files.readAllBytes(crashed);
      try (VhdxDisk ro = format.open(crashed, OpenOptions.readOnly())) {
        assertThat(ro.info().properties()).containsEntry("logState", "replayed-in-memory");
        ByteBuffer b = ByteBuffer.allocate(3);
        ro.read(3 * MIB, b);
        assertThat(b.array()).isEqualTo(data);
      }
      assertThat(Files.readAllBytes(crashed)).isEqualTo(before);
      assertThat(format.check(crashed).problems()).anySatisfy(p ->
          assertThat(p.message()).contains("awaiting replay"));
      try (VhdxDisk rw = format.open(crashed, OpenOptions.readWrite())) {
        assertThat(rw.info().properties()).containsEntry("logState", "replayed");
      }
      try (VhdxDisk ro = format.open(crashed, OpenOptions.readOnly())) {
        assertThat(ro.info().properties()).containsEntry("logState", "clean");
        ByteBuffer b = ByteBuffer.allocate(3);
        ro.read(3 * MIB, b);
        assertThat(b.array()).isEqualTo(data);
      }
    }
  }

  @Test
  void writesChangeTheDataWriteGuidAndCloseClearsTheLogGuid() throws Exception {
    Path path = image("j.vhdx", 4 * MIB, "dynamic");
    String before;
    try (VhdxDisk disk = format.open(path, OpenOptions.readOnly())) {
      before = disk.info().properties().get("dataWriteGuid");
    }
    try (VhdxDisk disk = format.open(path, OpenOptions.readWrite())) {
      disk.write(MIB, ByteBuffer.wrap(new byte[] {1}));
      assertThat(disk.info().properties().get("dataWriteGuid")).isNotEqualTo(before);
    }
    for (long at : new long[] {VhdxHeader.HEADER1_OFFSET, VhdxHeader.HEADER2_OFFSET}) {
      VhdxHeader h = VhdxHeader.parse(ByteBuffer.wrap(read(path, at, 4096)), path, at);
      assertThat(Guids.isZero(h.logGuid())).isTrue();
    }
  }

  @Test
  void probeScores() throws Exception {
    Path path = image("k.vhdx", 4 * MIB, "dynamic");
    try (FileChannel ch = FileChannel.open(path)) {
      assertThat(format.probe(path, ch)).isEqualTo(DiskFormat.CERTAIN);
    }
    patch(path, VhdxHeader.HEADER1_OFFSET, ByteBuffer.allocate(8));
    patch(path, VhdxHeader.HEADER2_OFFSET, ByteBuffer.allocate(8));
    try (FileChannel ch = FileChannel.open(path)) {
      assertThat(format.probe(path, ch)).isEqualTo(DiskFormat.LIKELY);
    }
    Path other = dir.resolve("zeros");
    Files.write(other, new byte[100]);
    try (FileChannel ch = FileChannel.open(other)) {
      assertThat(format.probe(other, ch)).isEqualTo(DiskFormat.NO);
    }
  }

  @Test
  void parentLinkageMismatchIsCorrupt() throws Exception {
    Path base = image("p.vhdx", 4 * MIB, "dynamic");
    Path child = dir.resolve("p-child.avhdx");
    try (VhdxDisk parent = format.open(base, OpenOptions.readOnly())) {
      format.createChild(parent, child).close();
    }
    try (VhdxDisk parent = format.open(base, OpenOptions.readWrite())) {
      parent.write(0, ByteBuffer.wrap(new byte[] {1})); // new DataWriteGuid
    }
    assertThatThrownBy(() -> format.open(child, OpenOptions.readOnly()))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("parent_linkage");
  }

  @Test
  void checksumHelperMatchesStoredHeaderChecksums() throws Exception {
    Path path = image("l.vhdx", 4 * MIB, "dynamic");
    byte[] h = read(path, VhdxHeader.HEADER1_OFFSET, 4096);
    int stored = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    assertThat(Checksums.crc32c(h, 0, 4096, 4)).isEqualTo(stored);
  }
}
