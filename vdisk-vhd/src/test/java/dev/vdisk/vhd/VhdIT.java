package dev.vdisk.vhd;

import static dev.vdisk.vhd.VhdTestSupport.readAll;
import static dev.vdisk.vhd.VhdTestSupport.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.chain.MissingParentException;
import dev.vdisk.testdata.Libvhdi;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import dev.vdisk.vhd.internal.DiskGeometry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Oracle tests: images made by qemu-img read as qemu-img and libvhdi (pyvhdi) read them; images
 * vdisk writes (fixed, dynamic, differencing) read the same in qemu-img, vhdiinfo and pyvhdi; the
 * third-party corpus (Hyper-V, Virtual PC, Disk2vhd, dfvfs chains) reads as the corpus README says.
 */
class VhdIT {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  @BeforeAll
  static void tools() {
    Oracles.require("qemu-img", "qemu-utils");
  }

  /** Requires libvhdi's Python bindings: fails under CI, skips elsewhere. */
  static void requirePyvhdi() {
    Libvhdi.require();
  }


  /** The media size and SHA-256 libvhdi reads: {@code "<size> <sha256>"}. */
  static String pyvhdi(Path image, Path... parents) {
    return pyvhdi(-1, image, parents);
  }

  /** Like {@link #pyvhdi(Path, Path...)}, hashing only the first {@code limit} bytes if >= 0. */
  static String pyvhdi(long limit, Path image, Path... parents) {
    return Libvhdi.read(limit, image, parents).toString();
  }


  /** SHA-256 of the first {@code length} bytes of a file. */
  static String fileSha256(Path file, long length) throws IOException {
    try (VirtualDisk raw = VirtualDisks.open(file, dev.vdisk.core.OpenOptions.readOnly()
        .withFormat("raw"))) {
      return sha256(raw, length);
    }
  }

  /** A sparse raw file of {@code size} bytes with seeded random islands of data. */
  static byte[] writeIslands(Path raw, int size, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] model = new byte[size];
    for (int i = 0; i < 12; i++) {
      int offset = random.nextInt(size);
      int length = Math.min(size - offset, 1 + random.nextInt(300_000));
      byte[] island = new byte[length];
      random.nextBytes(island);
      System.arraycopy(island, 0, model, offset, length);
    }
    try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
      file.setLength(size);
      for (int block = 0; block < size; block += 65536) {
        int n = Math.min(65536, size - block);
        boolean zero = true;
        for (int i = block; i < block + n && zero; i++) {
          zero = model[i] == 0;
        }
        if (!zero) {
          file.seek(block);
          file.write(model, block, n);
        }
      }
    }
    return model;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"subformat=fixed", "subformat=dynamic",
      "subformat=dynamic,force_size=on", "subformat=fixed,force_size=on"})
  void qemuMadeImagesReadAsQemuAndLibvhdiReadThem(String options) throws IOException {
    long seed = System.nanoTime();
    System.out.println("VhdIT seed " + seed + " (" + options + ")");
    Path raw = dir.resolve("src.raw");
    int size = (int) (11 * MIB + 7 * 512);
    byte[] model = writeIslands(raw, size, seed);
    Path vhd = dir.resolve("img.vhd");
    Oracles.runOk("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", options,
        raw.toString(), vhd.toString());
    Path back = dir.resolve("back.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(),
        back.toString());
    try (VirtualDisk disk = VirtualDisks.open(vhd)) {
      assertThat(disk.format().name()).isEqualTo("vhd");
      assertThat(disk.info().variant()).isEqualTo(options.contains("fixed") ? "fixed"
          : "dynamic");
      assertThat(disk.size()).isGreaterThanOrEqualTo(size);
      if (options.contains("force_size")) {
        assertThat(disk.size()).isEqualTo(size);
      }
      byte[] ours = readAll(disk);
      assertThat(Arrays.copyOf(ours, size)).isEqualTo(model);
      // qemu-img: a fixed image's raw export also holds the footer; compare our size only
      assertThat(sha256(ours)).isEqualTo(fileSha256(back, disk.size()));
      assertThat(pyvhdi(vhd)).isEqualTo(disk.size() + " " + sha256(ours));
      assertAllocationMatches(disk, ours);
    }
    assertThat(new VhdFormat().check(vhd).problems()).isEmpty();
  }

  private static void assertAllocationMatches(VirtualDisk disk, byte[] content)
      throws IOException {
    for (long offset = 0; offset < disk.size(); ) {
      Allocation run = disk.allocation(offset);
      if (run.state() != Allocation.State.DATA) {
        for (long i = run.offset(); i < run.end(); i++) {
          assertThat(content[(int) i]).as("byte %d in a %s run", i, run.state()).isZero();
        }
      }
      offset = run.end();
    }
  }

  /** Exports the disk to a sparse raw file, writing only the runs allocation calls DATA. */
  static Path exportSparse(VirtualDisk disk, Path raw) throws IOException {
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocate(4 << 20);
      for (long offset = 0; offset < disk.size(); ) {
        Allocation run = disk.allocation(offset);
        if (run.state() == Allocation.State.DATA) {
          for (long at = run.offset(); at < run.end(); ) {
            int n = (int) Math.min(buffer.capacity(), run.end() - at);
            buffer.clear().limit(n);
            disk.read(at, buffer);
            buffer.flip();
            while (buffer.hasRemaining()) {
              at += out.write(buffer, at);
            }
          }
        }
        offset = run.end();
      }
      if (out.size() < disk.size()) {
        out.truncate(disk.size());
        out.write(ByteBuffer.allocate(1), disk.size() - 1);
      }
    }
    return raw;
  }

  @Test
  void largeSparseDynamicImage() throws IOException {
    long size = 5L << 30;
    Path raw = dir.resolve("big.raw");
    byte[] island = new byte[3 * (int) MIB];
    new Random(42).nextBytes(island);
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long at : new long[] {0, 2L << 30, size - island.length, 1234567L * 512}) {
        out.write(ByteBuffer.wrap(island), at);
      }
    }
    Path vhd = dir.resolve("big.vhd");
    Oracles.runOk("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o",
        "subformat=dynamic,force_size=on", raw.toString(), vhd.toString());
    Path ours = dir.resolve("ours.raw");
    try (VirtualDisk disk = VirtualDisks.open(vhd)) {
      assertThat(disk.size()).isEqualTo(size);
      exportSparse(disk, ours);
      ByteBuffer tail = ByteBuffer.allocate(island.length);
      disk.read(size - island.length, tail);
      assertThat(tail.array()).isEqualTo(island);
    }
    // qemu refuses images another process holds a lock on, even with -U: compare after closing
    Oracles.runOk("qemu-img", "compare", "-f", "raw", "-F", "vpc", ours.toString(),
        vhd.toString());
    Oracles.runOk("qemu-img", "compare", "-f", "raw", "-F", "raw", ours.toString(),
        raw.toString());
  }

  @ParameterizedTest(name = "{0}, block size {1}")
  @CsvSource({"fixed, 0", "dynamic, 0", "dynamic, 524288"})
  void imagesWeWriteReadTheSameInQemuAndLibvhdi(String variant, long blockSize)
      throws IOException {
    long seed = System.nanoTime();
    System.out.println("VhdIT writer seed " + seed + " (" + variant + ", " + blockSize + ")");
    Random random = new Random(seed);
    int size = (int) (9 * MIB + 3 * 512);
    byte[] model = new byte[size];
    Path vhd = dir.resolve("ours.vhd");
    try (VirtualDisk disk = new VhdFormat().create(vhd, new CreateSpec(size, variant,
        blockSize))) {
      randomWrites(disk, model, random, 60);
    }
    Path modelFile = dir.resolve("model.raw");
    Files.write(modelFile, model);
    Oracles.runOk("qemu-img", "compare", "-f", "raw", "-F", "vpc", modelFile.toString(),
        vhd.toString());
    Path back = dir.resolve("back.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(),
        back.toString());
    assertThat(fileSha256(back, size)).isEqualTo(sha256(model));
    Oracles.require("vhdiinfo", "libvhdi-utils");
    String info = Oracles.runOk("vhdiinfo", vhd.toString());
    assertThat(info).contains(variant.equals("fixed") ? "Fixed" : "Dynamic")
        .contains("(" + size + " bytes)");
    assertThat(pyvhdi(vhd)).isEqualTo(size + " " + sha256(model));
    // qemu-img probes only offset 0 for "conectix", so a fixed VHD needs -f vpc
    String qemuInfo = Oracles.runOk("qemu-img", "info", "-f", "vpc", vhd.toString());
    assertThat(qemuInfo).contains("file format: vpc");
    assertThat(new VhdFormat().check(vhd).problems()).isEmpty();
  }

  private static void randomWrites(VirtualDisk disk, byte[] model, Random random, int count)
      throws IOException {
    int size = model.length;
    for (int i = 0; i < count; i++) {
      int offset;
      int length;
      if (i % 3 == 0) { // straddle a 2 MiB / 512 KiB block boundary, unaligned
        int boundary = (int) ((1 + random.nextInt((int) (size / (512 * 1024)) - 1)) * 512 * 1024L);
        offset = Math.max(0, boundary - 1 - random.nextInt(3000));
        length = Math.min(size - offset, 2 + random.nextInt(6000));
      } else {
        offset = random.nextInt(size);
        length = Math.min(size - offset, 1 + random.nextInt(100_000));
      }
      byte[] data = new byte[length];
      random.nextBytes(data);
      disk.write(offset, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, offset, length);
    }
  }

  @Test
  void differencingChildWeWriteReadsTheSameInLibvhdi() throws IOException {
    long seed = System.nanoTime();
    System.out.println("VhdIT differencing seed " + seed);
    Random random = new Random(seed);
    int size = (int) (7 * MIB);
    byte[] model = new byte[size];
    Path base = dir.resolve("base.vhd");
    Path child = dir.resolve("child.vhd");
    VhdFormat format = new VhdFormat();
    try (VirtualDisk parent = format.create(base, CreateSpec.ofSize(size))) {
      randomWrites(parent, model, random, 20);
      try (VirtualDisk diff = format.createChild(parent, child)) {
        assertThat(pyvhdi(child, base)).isEqualTo(size + " " + sha256(model));
        randomWrites(diff, model, random, 40);
      }
    }
    try (VirtualDisk diff = VirtualDisks.open(child)) {
      byte[] ours = readAll(diff);
      assertThat(ours).isEqualTo(model);
      assertThat(pyvhdi(child, base)).isEqualTo(size + " " + sha256(model));
    }
    Oracles.require("vhdiinfo", "libvhdi-utils");
    String info = Oracles.runOk("vhdiinfo", child.toString());
    assertThat(info).contains("Differential").contains("Parent filename")
        .contains(base.toAbsolutePath().toString());
    assertThat(format.check(child).problems()).isEmpty();
  }

  /**
   * Without force_size, qemu-img rounds the size up to what the specification's CHS algorithm
   * describes exactly: the geometry it records is our algorithm's for that size, and we record
   * the same one for a disk of that size. For a size the geometry cannot describe exactly we record
   * the maximum geometry, as qemu-img does with force_size=on, so that qemu reads Current Size.
   */
  @Test
  void geometryMatchesQemu() throws IOException {
    long[] sizes = {MIB, 4 * MIB, 4212736, 100 * MIB + 512, 1L << 30, 33L << 30, 127L << 30,
        200L << 30};
    for (long size : sizes) {
      Path qemu = dir.resolve("g" + size + ".vhd");
      Oracles.runOk("qemu-img", "create", "-q", "-f", "vpc", qemu.toString(),
          Long.toString(size));
      ByteBuffer footer = ByteBuffer.wrap(VhdDiskTest.readBytes(qemu, Files.size(qemu) - 512,
          512));
      long qemuSize = footer.getLong(48);
      DiskGeometry qemuGeometry = DiskGeometry.parse(footer.getInt(56));
      assertThat(DiskGeometry.fromTotalSectors(qemuSize / 512)).as("size %d", size)
          .isEqualTo(qemuGeometry);
      Path ours = dir.resolve("o" + size + ".vhd");
      try (VirtualDisk disk = new VhdFormat().create(ours, CreateSpec.ofSize(qemuSize))) {
        assertThat(disk.info().properties().get("geometry")).isEqualTo(qemuGeometry.toString());
      }
      String info = Oracles.runOk("qemu-img", "info", ours.toString());
      assertThat(info).contains("(" + qemuSize + " bytes)");
      Path exact = dir.resolve("e" + size + ".vhd");
      new VhdFormat().create(exact, CreateSpec.ofSize(size)).close();
      assertThat(Oracles.runOk("qemu-img", "info", exact.toString()))
          .contains("(" + size + " bytes)");
    }
  }

  // ------------------------------------------------------------------ corpus

  private Path decompress(String corpusPath) throws IOException {
    Path source = ProjectPaths.corpus().resolve(corpusPath);
    Oracles.require("bzip2", "bzip2");
    Path target = dir.resolve(source.getFileName().toString().replace(".bz2", ""));
    Oracles.Result result = Oracles.run(null, Map.of(), "sh", "-c",
        "bzip2 -dc \"$0\" > \"$1\"", source.toString(), target.toString());
    assertThat(result.exitCode()).as(result.describe()).isZero();
    return target;
  }

  private static final String SAMPLES = "qemu-sample-images/tests/qemu-iotests/sample_images/";

  @ParameterizedTest(name = "{0}")
  @CsvSource({"hyperv2012r2-dynamic.vhd.bz2, win", "virtualpc-dynamic.vhd.bz2, vpc"})
  void emptyCorpusImagesUseCurrentSize(String name, String creator) throws IOException {
    Path vhd = decompress(SAMPLES + name);
    try (VirtualDisk disk = VirtualDisks.open(vhd)) {
      assertThat(disk.size()).isEqualTo(136365211648L);
      assertThat(disk.info().properties()).containsEntry("creatorApplication", creator)
          .containsEntry("geometry", "65278/16/255");
      assertThat(disk.allocation(0)).isEqualTo(new Allocation(0, disk.size(),
          Allocation.State.ZERO));
      exportSparse(disk, dir.resolve("ours.raw"));
      // the whole 127 GiB would take libvhdi minutes: its size and first 64 MiB
      assertThat(pyvhdi(64 * MIB, vhd)).isEqualTo(disk.size() + " " + sha256(disk, 64 * MIB));
    }
    // qemu reads the Virtual PC image 2080768 bytes shorter (CHS size); compare accepts that
    Oracles.runOk("qemu-img", "compare", "-f", "raw", "-F", "vpc",
        dir.resolve("ours.raw").toString(), vhd.toString());
    assertThat(new VhdFormat().check(vhd).problems()).isEmpty();
  }

  @Test
  void disk2vhdZeroFilled() throws IOException {
    Path vhd = decompress(SAMPLES + "d2v-zerofilled.vhd.bz2");
    Path back = dir.resolve("back.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(),
        back.toString());
    try (VirtualDisk disk = VirtualDisks.open(vhd)) {
      assertThat(disk.size()).isEqualTo(263454720L);
      assertThat(disk.info().properties()).containsEntry("creatorApplication", "d2v")
          .containsEntry("geometry", "65535/16/255");
      String ours = sha256(disk, disk.size());
      assertThat(ours).isEqualTo(fileSha256(back, disk.size()));
      assertThat(pyvhdi(vhd)).isEqualTo(disk.size() + " " + ours);
    }
    CheckReport report = new VhdFormat().check(vhd);
    assertThat(report.isClean()).as(report.toString()).isTrue();
  }

  @Test
  void dfvfsDifferencingChainReadsAsLibvhdi() throws IOException {
    Path corpus = ProjectPaths.corpus().resolve("dfvfs/test_data");
    Path parent = Files.copy(corpus.resolve("image.vhd"), dir.resolve("image.vhd"));
    Path child = Files.copy(corpus.resolve("image-differential.vhd"),
        dir.resolve("image-differential.vhd"), StandardCopyOption.COPY_ATTRIBUTES);
    try (VirtualDisk disk = VirtualDisks.open(child)) {
      assertThat(disk.info().variant()).isEqualTo("differencing");
      assertThat(disk.info().chain()).hasSize(2);
      assertThat(disk.info().properties()).containsEntry("parentName", "image.vhd")
          .containsEntry("parentUniqueId", "d49c5c80-350a-4a89-898a-5ad6d10f6578");
      byte[] ours = readAll(disk);
      assertThat(pyvhdi(child, parent)).isEqualTo(disk.size() + " " + sha256(ours));
    }
    try (VirtualDisk disk = VirtualDisks.open(parent)) {
      assertThat(pyvhdi(parent)).isEqualTo(disk.size() + " " + sha256(readAll(disk)));
    }
    // these files carry wrong footer (and, in the child, header) checksums: check says so
    assertThat(new VhdFormat().check(child).isClean()).isFalse();
    assertThat(new VhdFormat().check(parent).isClean()).isFalse();
  }

  @Test
  void dfvfsExt2DynamicReadsAsQemu() throws IOException {
    Path vhd = ProjectPaths.corpus().resolve("dfvfs/test_data/ext2.vhd");
    Path back = dir.resolve("back.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(),
        back.toString());
    try (VirtualDisk disk = VirtualDisks.open(vhd)) {
      assertThat(disk.size()).isEqualTo(4212736L);
      String ours = sha256(disk, disk.size());
      assertThat(ours).isEqualTo(fileSha256(back, disk.size()));
      assertThat(pyvhdi(vhd)).isEqualTo(disk.size() + " " + ours);
    }
  }

  @Test
  void missingParentNamesTheTriedPaths() throws IOException {
    Path child = Files.copy(ProjectPaths.corpus().resolve("dfvfs/test_data/fat-differential.vhd"),
        dir.resolve("fat-differential.vhd"));
    assertThatThrownBy(() -> VirtualDisks.open(child))
        .isInstanceOf(MissingParentException.class)
        .hasMessageContaining("fat-parent.vhd")
        .satisfies(e -> assertThat(((MissingParentException) e).tried())
            .contains(dir.resolve("fat-parent.vhd")));
    CheckReport report = new VhdFormat().check(child);
    assertThat(report.isClean()).isTrue();
    assertThat(report.count(CheckReport.Severity.WARNING)).isEqualTo(1);
  }
}
