package dev.vdisk.vmdk;

import static dev.vdisk.vmdk.VmdkTesting.qemuImg;
import static dev.vdisk.vmdk.VmdkTesting.qemuIo;
import static dev.vdisk.vmdk.VmdkTesting.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.testdata.Libvmdk;
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
import org.junit.jupiter.params.provider.ValueSource;

/** VMDK files made by qemu-img/qemu-io read by us, and files we write read by qemu-img. */
class VmdkOracleIT {
  private static final long MIB = 1 << 20;
  private final VmdkFormat format = new VmdkFormat();

  @TempDir Path dir;

  /** qemu-io writes with patterns, aligned and not, across grain and table boundaries. */
  private static final String[] PATTERN_WRITES = {
    "write -P 0x11 0 64k",
    "write -P 0x22 100k 3k",
    "write -P 0x33 1020k 200k",
    "write -P 0x44 31m 1m",
    "write -P 0x55 33554000 4096",
    "write -z 31m 64k",
    "write -P 0x66 60m 512",
  };

  @ParameterizedTest
  @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse",
      "twoGbMaxExtentFlat"})
  void readsWhatQemuWrote(String subformat) throws Exception {
    Path vmdk = dir.resolve("qemu.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", "-o", "subformat=" + subformat,
        vmdk.toString(), "64M");
    qemuIo(vmdk, PATTERN_WRITES);
    String expected = sha256(VmdkTesting.qemuRaw(vmdk, dir));
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(disk.format().name()).isEqualTo("vmdk");
      assertThat(disk.info().variant()).isEqualTo(subformat);
      assertThat(disk.size()).isEqualTo(64 * MIB);
      assertThat(sha256(disk)).isEqualTo(expected);
    }
    assertThat(format.check(vmdk).problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
  void readsFiveGibSplitImage(String subformat) throws Exception {
    Path vmdk = dir.resolve("big.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", "-o", "subformat=" + subformat,
        vmdk.toString(), "5G");
    qemuIo(vmdk, "write -P 0x71 0 1m", "write -P 0x72 2147479552 8192",
        "write -P 0x73 4294901760 131072", "write -P 0x74 5368643584 65536");
    Path qemuRaw = VmdkTesting.qemuRaw(vmdk, dir);
    try (VmdkDisk disk = format.open(vmdk, OpenOptions.readOnly())) {
      assertThat(disk.size()).isEqualTo(5L << 30);
      assertThat(disk.info().properties().get("extents")).isEqualTo("3");
      if (subformat.endsWith("Sparse")) {
        assertThat(sha256(disk)).isEqualTo(sha256(qemuRaw));
      } else {
        // the flat files are sparse: holes on both sides are skipped, data compared exactly
        VmdkTesting.assertSameContent(disk, qemuRaw);
        assertThat(disk.allocation(MIB).state()).isEqualTo(dev.vdisk.core.Allocation.State.ZERO);
      }
    }
  }

  @Test
  void readsConvertedRandomData() throws Exception {
    Path raw = islands(dir.resolve("src.raw"), 48 * MIB + 4096, 42, 10);
    Path vmdk = dir.resolve("conv.vmdk");
    Oracles.runOk(qemuImg(), "convert", "-f", "raw", "-O", "vmdk", raw.toString(),
        vmdk.toString());
    String expected = sha256(VmdkTesting.qemuRaw(vmdk, dir));
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(sha256(disk)).isEqualTo(expected);
    }
  }

  /**
   * qemu-img cannot create the ESXi "vmfs" type; a hand-written descriptor (CRLF, ZERO extent)
   * read by both. qemu skips ZERO extents entirely (its disk is 1 MiB shorter), so the ZERO
   * extent is compared as zeros and the extents after it against qemu's shifted view.
   */
  @Test
  void readsVmfsAndZeroExtents() throws Exception {
    Path flat = islands(dir.resolve("esx-flat.vmdk"), 6 * MIB, 3, 4);
    Path vmdk = dir.resolve("esx.vmdk");
    Files.writeString(vmdk, "# Disk DescriptorFile\r\nversion=1\r\nencoding=\"UTF-8\"\r\n"
        + "CID=fffffffe\r\nparentCID=ffffffff\r\ncreateType=\"vmfs\"\r\n\r\n"
        + "# Extent description\r\nRW 8192 VMFS \"esx-flat.vmdk\"\r\n"
        + "RW 2048 ZERO\r\nRW 2048 FLAT \"esx-flat.vmdk\" 10240\r\n\r\n"
        + "# The Disk Data Base\r\n#DDB\r\nddb.adapterType = \"lsilogic\"\r\n"
        + "ddb.thinProvisioned = \"1\"\r\n");
    Path qemuView = VmdkTesting.qemuRaw(vmdk, dir);
    assertThat(Files.size(qemuView)).isEqualTo(5 * MIB);
    byte[] q = Files.readAllBytes(qemuView);
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(disk.info().variant()).isEqualTo("vmfs");
      assertThat(disk.size()).isEqualTo(6 * MIB);
      ByteBuffer all = ByteBuffer.allocate((int) (6 * MIB));
      disk.read(0, all);
      byte[] ours = all.array();
      assertThat(java.util.Arrays.equals(ours, 0, (int) (4 * MIB), q, 0, (int) (4 * MIB)))
          .isTrue();
      assertThat(java.util.Arrays.equals(ours, (int) (4 * MIB), (int) (5 * MIB),
          new byte[(int) MIB], 0, (int) MIB)).isTrue();
      assertThat(java.util.Arrays.equals(ours, (int) (5 * MIB), (int) (6 * MIB), q,
          (int) (4 * MIB), (int) (5 * MIB))).isTrue();
      assertThat(disk.allocation(4 * MIB).state())
          .isEqualTo(dev.vdisk.core.Allocation.State.ZERO);
    }
    assertThat(flat).exists();
  }

  @ParameterizedTest
  @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse",
      "twoGbMaxExtentFlat"})
  void qemuReadsWhatWeWrite(String variant) throws Exception {
    Path vmdk = dir.resolve("ours.vmdk");
    Path model = dir.resolve("model.raw");
    long size = 40 * MIB + 512;
    long seed = System.nanoTime();
    System.out.println(variant + " seed " + seed);
    try (VmdkDisk disk = format.create(vmdk, new CreateSpec(size, variant, 0));
        FileChannel m = FileChannel.open(model, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      m.truncate(size);
      m.write(ByteBuffer.allocate(1), size - 1);
      randomWrites(new Random(seed), disk, m, size, 40);
    }
    VmdkTesting.qemuCheckClean(vmdk);
    VmdkTesting.qemuCompare(vmdk, model);
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(sha256(disk)).isEqualTo(sha256(model));
    }
    assertThat(format.check(vmdk).problems()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"monolithicSparse", "twoGbMaxExtentSparse", "monolithicFlat"})
  void writesIntoQemuImageKeepQemuHappy(String subformat) throws Exception {
    Path vmdk = dir.resolve("q.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", "-o", "subformat=" + subformat,
        vmdk.toString(), "20M");
    qemuIo(vmdk, PATTERN_WRITES[0], PATTERN_WRITES[1]);
    Path model = VmdkTesting.qemuRaw(vmdk, dir);
    try (VmdkDisk disk = format.open(vmdk, OpenOptions.readWrite());
        FileChannel m = FileChannel.open(model, StandardOpenOption.WRITE)) {
      long cid = disk.cid();
      randomWrites(new Random(5), disk, m, 20 * MIB, 30);
      assertThat(disk.cid()).isNotEqualTo(cid);
    }
    VmdkTesting.qemuCheckClean(vmdk);
    VmdkTesting.qemuCompare(vmdk, model);
  }

  @Test
  void readsQemuDeltaChain() throws Exception {
    Path parent = dir.resolve("base.vmdk");
    Path child = dir.resolve("child.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", parent.toString(), "32M");
    qemuIo(parent, "write -P 0x10 0 8m", "write -P 0x20 16m 1m");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", "-b", parent.getFileName().toString(),
        "-F", "vmdk", child.toString());
    qemuIo(child, "write -P 0x30 4k 4k", "write -P 0x40 7m 2m", "write -z 16m 64k",
        "write -P 0x50 30m 100k");
    String expected = sha256(VmdkTesting.qemuRaw(child, dir));
    try (VmdkDisk disk = format.open(child, OpenOptions.readOnly())) {
      assertThat(disk.info().chain()).hasSize(2);
      assertThat(disk.parent()).isPresent();
      assertThat(sha256(disk)).isEqualTo(expected);
    }
  }

  @Test
  void snapshotWriteCommit() throws Exception {
    Path parent = dir.resolve("base.vmdk");
    Path child = dir.resolve("snap.vmdk");
    Path model = dir.resolve("model.raw");
    long size = 24 * MIB;
    try (VmdkDisk disk = format.create(parent, new CreateSpec(size, null, 0));
        FileChannel m = FileChannel.open(model, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      m.write(ByteBuffer.allocate(1), size - 1);
      randomWrites(new Random(1), disk, m, size, 20);
    }
    try (VmdkDisk p = format.open(parent, OpenOptions.readOnly());
        VmdkDisk c = format.createChild(p, child)) {
      assertThat(c.info().properties().get("parentCID")).isEqualTo(
          String.format("%08x", p.cid()));
    }
    try (VmdkDisk c = format.open(child, OpenOptions.readWrite());
        FileChannel m = FileChannel.open(model, StandardOpenOption.WRITE)) {
      randomWrites(new Random(2), c, m, size, 25);
    }
    // qemu and libvmdk read our delta through its parent as the model says.
    VmdkTesting.qemuCheckClean(child);
    VmdkTesting.qemuCompare(child, model);
    assertThat(Libvmdk.read(child, parent).toString()).isEqualTo(size + " " + sha256(model));
    // Commit: the child's own runs into the parent.
    try (VirtualDisk p = VirtualDisks.open(parent, OpenOptions.readWrite());
        VirtualDisk c = VirtualDisks.open(child)) {
      DiskCopier.copyOwnRuns(c, p, ProgressListener.NONE);
      p.flush();
    }
    VmdkTesting.qemuCheckClean(parent);
    VmdkTesting.qemuCompare(parent, model);
    // The parent changed (new CID): the child no longer matches it.
    assertThatThrownBy(() -> format.open(child, OpenOptions.readOnly()))
        .isInstanceOf(CidMismatchException.class).hasMessageContaining("parentCID");
    try (VmdkDisk c = format.open(child, OpenOptions.readOnly().ignoringParentMismatch())) {
      assertThat(c.cidMismatch()).isTrue();
    }
    assertThat(format.check(child).isClean()).isFalse();
  }

  @Test
  void reportsCidMismatchAfterQemuChangedTheParent() throws Exception {
    Path parent = dir.resolve("p.vmdk");
    Path child = dir.resolve("c.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", parent.toString(), "8M");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", "-b", "p.vmdk", "-F", "vmdk",
        child.toString());
    try (VmdkDisk c = format.open(child, OpenOptions.readOnly())) {
      assertThat(c.cidMismatch()).isFalse();
    }
    qemuIo(parent, "write -P 0x99 0 4k");
    assertThatThrownBy(() -> format.open(child, OpenOptions.readOnly()))
        .isInstanceOf(CidMismatchException.class);
  }

  /** vdisk convert's path: DiskCopier from a raw disk into a new VMDK of each variant. */
  @ParameterizedTest
  @ValueSource(strings = {"monolithicSparse", "twoGbMaxExtentSparse", "monolithicFlat",
      "streamOptimized"})
  void convertsFromRaw(String variant) throws Exception {
    Path raw = islands(dir.resolve("src.raw"), 50 * MIB, 11, 12);
    Path vmdk = dir.resolve("conv.vmdk");
    try (VirtualDisk src = dev.vdisk.core.raw.RawDisk.open(raw, false);
        VirtualDisk dst = format.create(vmdk, new CreateSpec(src.size(), variant, 0))) {
      DiskCopier.copy(src, dst, ProgressListener.NONE);
      dst.flush();
    }
    VmdkTesting.qemuCheckClean(vmdk);
    VmdkTesting.qemuCompare(vmdk, raw);
    Oracles.Result info = Oracles.run(VmdkTesting.qemuImg(), "info", vmdk.toString());
    assertThat(info.stdout()).contains("create type: " + variant);
    Oracles.require("vmdkinfo", "libvmdk-utils");
    String vmdkinfo = Oracles.runOk("vmdkinfo", vmdk.toString());
    assertThat(vmdkinfo).contains("(" + (50 * MIB) + " bytes)");
    // libvmdk (pyvmdk) reads the same bytes
    assertThat(Libvmdk.read(vmdk).toString()).isEqualTo((50 * MIB) + " " + sha256(raw));
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(disk.info().variant()).isEqualTo(variant);
      assertThat(sha256(disk)).isEqualTo(sha256(raw));
    }
  }

  @Test
  void readsQemuStreamOptimized() throws Exception {
    Path raw = islands(dir.resolve("s.raw"), 30 * MIB + 512, 9, 8);
    Path vmdk = dir.resolve("stream.vmdk");
    Oracles.runOk(qemuImg(), "convert", "-f", "raw", "-O", "vmdk", "-o",
        "subformat=streamOptimized", raw.toString(), vmdk.toString());
    String expected = sha256(VmdkTesting.qemuRaw(vmdk, dir));
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(disk.info().variant()).isEqualTo("streamOptimized");
      assertThat(sha256(disk)).isEqualTo(expected);
    }
    assertThatThrownBy(() -> {
      try (VirtualDisk disk = VirtualDisks.open(vmdk, OpenOptions.readWrite())) {
        disk.write(0, ByteBuffer.allocate(512));
      }
    }).isInstanceOf(dev.vdisk.core.UnsafeToWriteException.class);
    assertThat(sha256(VmdkTesting.qemuRaw(vmdk, Files.createDirectories(dir.resolve("again"))))).isEqualTo(expected);
  }

  /**
   * qemu reads only the primary directory; with it damaged we still read qemu's former view.
   */
  @Test
  void damagedQemuDirectoryReadsThroughTheRedundantCopy() throws Exception {
    Path vmdk = dir.resolve("gd.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", vmdk.toString(), "64M");
    qemuIo(vmdk, PATTERN_WRITES);
    String expected = sha256(VmdkTesting.qemuRaw(vmdk, dir));
    long gdOffset;
    try (FileChannel c = FileChannel.open(vmdk, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      c.read(h, 56);
      gdOffset = h.getLong(0);
      c.write(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
          .putInt(0, 0x7ffffff0), gdOffset * 512);
    }
    try (VmdkDisk disk = format.open(vmdk, OpenOptions.readOnly())) {
      assertThat(disk.warnings()).isNotEmpty();
      assertThat(sha256(disk)).isEqualTo(expected);
    }
    assertThat(format.check(vmdk).isClean()).isFalse();
    // qemu neither notices (check is clean) nor recovers: it reads the first 32 MiB as zeros
    Oracles.runOk(qemuImg(), "check", "-f", "vmdk", vmdk.toString());
    Path after = Files.createDirectories(dir.resolve("after"));
    assertThat(sha256(VmdkTesting.qemuRaw(vmdk, after))).isNotEqualTo(expected);
  }

  /** Writes that straddle the 2 GiB boundary between two split extents. */
  @ParameterizedTest
  @ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
  void writesAcrossSplitBoundary(String variant) throws Exception {
    long size = (2L << 30) + MIB;
    Path vmdk = dir.resolve("split.vmdk");
    Path model = dir.resolve("split.raw");
    byte[] data = new byte[(int) MIB + 77];
    new Random(4).nextBytes(data);
    long at = (2L << 30) - 512 * 1024 - 5;
    try (VmdkDisk disk = format.create(vmdk, new CreateSpec(size, variant, 0));
        FileChannel m = FileChannel.open(model, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      m.write(ByteBuffer.allocate(1), size - 1);
      disk.write(at, ByteBuffer.wrap(data));
      m.write(ByteBuffer.wrap(data), at);
      assertThat(disk.info().properties().get("extents")).isEqualTo("2");
    }
    VmdkTesting.qemuCheckClean(vmdk);
    VmdkTesting.qemuCompare(vmdk, model);
  }

  /** zeroed_grain=on: qemu-io's write -z stores GTE 1, which must read as zeros over a parent. */
  @Test
  void readsZeroedGrainEntries() throws Exception {
    Path parent = dir.resolve("zp.vmdk");
    Path child = dir.resolve("zc.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", parent.toString(), "16M");
    qemuIo(parent, "write -P 0x61 0 8m");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", "-o", "zeroed_grain=on", "-b", "zp.vmdk",
        "-F", "vmdk", child.toString());
    qemuIo(child, "write -z 1m 2m", "write -P 0x62 4m 64k", "write -z 10m 1m");
    String expected = sha256(VmdkTesting.qemuRaw(child, dir));
    try (VmdkDisk disk = format.open(child, OpenOptions.readOnly())) {
      assertThat(disk.allocation(MIB).state()).isEqualTo(dev.vdisk.core.Allocation.State.ZERO);
      assertThat(sha256(disk)).isEqualTo(expected);
    }
    assertThat(format.check(child).problems()).isEmpty();
  }

  /** Version 3 hosted sparse: read as qemu reads it; writing refused (qemu refuses too). */
  @Test
  void readsVersion3SparseButRefusesWriting() throws Exception {
    Path vmdk = dir.resolve("v3.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", vmdk.toString(), "8M");
    qemuIo(vmdk, "write -P 0x33 64k 1m");
    try (FileChannel c = FileChannel.open(vmdk, StandardOpenOption.WRITE)) {
      c.write(ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 3), 4);
    }
    String expected = sha256(VmdkTesting.qemuRaw(vmdk, dir));
    assertThat(Oracles.run(VmdkTesting.qemuIo(), "-f", "vmdk", "-c", "write 0 512",
        vmdk.toString()).exitCode()).isNotZero();
    try (VmdkDisk disk = format.open(vmdk, OpenOptions.readOnly())) {
      assertThat(disk.info().properties()).containsEntry("sparseVersion", "3");
      assertThat(sha256(disk)).isEqualTo(expected);
    }
    assertThatThrownBy(() -> format.open(vmdk, OpenOptions.readWrite()))
        .isInstanceOf(dev.vdisk.core.UnsafeToWriteException.class)
        .hasMessageContaining("version 3");
  }

  /** A renamed monolithicSparse file still reads (its embedded extent line names the old name). */
  @Test
  void renamedMonolithicSparseStillReads() throws Exception {
    Path old = dir.resolve("before.vmdk");
    Oracles.runOk(qemuImg(), "create", "-f", "vmdk", old.toString(), "4M");
    qemuIo(old, "write -P 0x44 0 64k", "write -P 0x45 3m 4k");
    Path renamed = Files.move(old, dir.resolve("after.vmdk"));
    String expected = sha256(VmdkTesting.qemuRaw(renamed, dir));
    try (VirtualDisk disk = VirtualDisks.open(renamed)) {
      assertThat(sha256(disk)).isEqualTo(expected);
    }
    try (VirtualDisk disk = VirtualDisks.open(renamed, OpenOptions.readWrite())) {
      disk.write(4096, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }
    VmdkTesting.qemuCheckClean(renamed);
  }

  static void randomWrites(Random random, VirtualDisk disk, FileChannel model, long size,
      int count) throws IOException {
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextBoolean() ? 4096 : 3 * (int) MIB);
      long at = (long) (random.nextDouble() * (size - length));
      if (random.nextInt(4) == 0) {
        at = at / 65536 * 65536;
      }
      byte[] data = new byte[length];
      if (random.nextInt(5) != 0) {
        random.nextBytes(data);
      }
      disk.write(at, ByteBuffer.wrap(data));
      model.write(ByteBuffer.wrap(data), at);
    }
  }

  static Path islands(Path raw, long size, long seed, int count) throws IOException {
    return RawImages.islands(raw, size, seed, count);
  }
}
