package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.testdata.FuzzFiles;
import dev.vdisk.vmdk.internal.Descriptor;
import dev.vdisk.vmdk.internal.GrainDirectory;
import dev.vdisk.vmdk.internal.GrainTable;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the VMDK format: as a whole image file (sparse header, embedded
 * descriptor, grain directories and tables, streamOptimized markers and footer) and as a
 * descriptor file (extent lines naming small flat files that exist). Probe, check, open, info,
 * reads at the start, middle and end, and an allocation walk may only fail with {@link
 * VdiskException}, {@link EOFException} or {@link NoSuchFileException}; {@code check} must not
 * fail at all. Parsed structures must survive a write/parse round trip.
 *
 * <p>The seeds in {@code VmdkFormatFuzzTestInputs/image} and {@code .../descriptor} (made by
 * {@code testdata/scripts/make-vmdk-fuzz-seeds.sh} with qemu-img and qemu-io) run as a regression
 * test in every build; set {@code JAZZER_FUZZ=1} to fuzz.
 */
class VmdkFormatFuzzTest {
  private static final Path DIR;

  static {
    try {
      DIR = FuzzFiles.directory("vmdk-fuzz");
      byte[] flat = new byte[65536];
      for (int i = 0; i < flat.length; i++) {
        flat[i] = (byte) (i * 7);
      }
      for (String name : new String[] {"x-flat.vmdk", "y.vmdk", "fuzz-flat.vmdk",
          "fuzz-f001.vmdk", "fuzz-s001.vmdk"}) {
        Files.write(DIR.resolve(name), flat);
        DIR.resolve(name).toFile().deleteOnExit();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void image(byte[] input) throws IOException {
    FuzzFiles.withFile(DIR.resolve("fuzz.vmdk"), input, file -> {
      structures(input);
      whole(file);
    });
  }

  @FuzzTest(maxDuration = "2m")
  void descriptor(byte[] input) throws IOException {
    try {
      Descriptor d = Descriptor.parse(DIR, 0, ByteBuffer.wrap(input));
      Descriptor again = Descriptor.parse(DIR, 0, ByteBuffer.wrap(d.toBytes()));
      assertThat(again.extents()).isEqualTo(d.extents());
      assertThat(again.keys()).isEqualTo(d.keys());
      assertThat(d.extents().size()).isLessThanOrEqualTo(Descriptor.MAX_EXTENTS);
    } catch (VdiskException expected) {
      // malformed text
    }
    FuzzFiles.withFile(DIR.resolve("fuzz.vmdk"), input, VmdkFormatFuzzTest::whole);
  }

  /** The header and, where it points inside the input, the grain directory and first table. */
  private static void structures(byte[] input) {
    SparseExtentHeader h;
    try {
      h = SparseExtentHeader.parse(DIR, ByteBuffer.wrap(input));
    } catch (VdiskException expected) {
      return;
    }
    ByteBuffer out = ByteBuffer.allocate(SparseExtentHeader.SIZE);
    h.writeTo(out);
    try {
      assertThat(SparseExtentHeader.parse(DIR, out.flip())).isEqualTo(h);
    } catch (VdiskException e) {
      throw new AssertionError("a parsed header must parse again", e);
    }
    long gd = h.gdOffset() * 512;
    long entries = h.grainDirectoryEntries();
    if (h.gdOffset() > 0 && gd < input.length && entries * 4 <= input.length - gd) {
      try {
        GrainDirectory dir = GrainDirectory.parse(DIR, gd,
            ByteBuffer.wrap(input, (int) gd, input.length - (int) gd), (int) entries);
        int bad = dir.firstBadEntry(input.length, h.numGTEsPerGT() * 4L);
        if (bad < 0 && dir.size() > 0 && dir.entry(0) != 0) {
          long gt = dir.entry(0) * 512;
          GrainTable t = GrainTable.parse(DIR, gt,
              ByteBuffer.wrap(input, (int) gt, input.length - (int) gt), h.numGTEsPerGT());
          assertThat(t.firstBadEntry(input.length, h.grainBytes(), h.overHead(), true))
              .isBetween(-1, t.size() - 1);
        }
      } catch (VdiskException expected) {
        // table does not fit
      }
    }
  }

  private static void whole(Path file) throws IOException {
    VmdkFormat format = new VmdkFormat();
    try (FileChannel channel = FileChannel.open(file)) {
      assertThat(format.probe(file, channel)).isBetween(0, 100);
    }
    CheckReport report = format.check(file);
    assertThat(report.problems()).isNotNull();
    try (VirtualDisk disk = format.open(file, OpenOptions.readOnly())) {
      exercise(disk);
    } catch (VdiskException | EOFException | NoSuchFileException expected) {
      // corrupt or unsupported input, reported with a typed error
    }
  }

  private static void exercise(VirtualDisk disk) throws IOException {
    assertThat(disk.info().virtualSize()).isEqualTo(disk.size());
    long size = disk.size();
    if (size == 0) {
      return;
    }
    FuzzFiles.readProbes(size, 128 * 1024, disk::read, VdiskException.class);
    FuzzFiles.walkRuns(size, offset -> {
      Allocation a = disk.allocation(offset);
      assertThat(a.offset()).isEqualTo(offset);
      assertThat(a.length()).isPositive();
      return a.end();
    }, VdiskException.class);
  }
}
