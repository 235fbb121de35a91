package dev.vdisk.vhd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.testdata.FuzzFiles;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Feeds arbitrary bytes to the VHD format as a whole image file: probe, check, open, info, reads
 * at the start, the end and inside, and an allocation walk. Only {@link VdiskException}, {@link
 * EOFException} and {@link NoSuchFileException} may come out of open and read, and {@code check}
 * must not fail at all for any content.
 *
 * <p>The seeds in {@code VhdFormatFuzzTestInputs/image} (tiny images made by qemu-img and by
 * {@link VhdFormat#create}, some truncated or damaged) run as a regression test in every build;
 * set {@code JAZZER_FUZZ=1} to fuzz (for 5 minutes by default).
 */
class VhdFormatFuzzTest {
  private static final Path DIR = FuzzFiles.directory("vhd-fuzz");

  @FuzzTest(maxDuration = "5m")
  void image(byte[] input) throws IOException {
    FuzzFiles.withFile(DIR.resolve("fuzz.vhd"), input, file -> {
      VhdFormat format = new VhdFormat();
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
    });
  }

  private static void exercise(VirtualDisk disk) throws IOException {
    assertThat(disk.info().virtualSize()).isEqualTo(disk.size());
    long size = disk.size();
    if (size == 0) {
      return;
    }
    FuzzFiles.readProbes(size, 64 * 1024, disk::read, VdiskException.class);
    FuzzFiles.walkRuns(size, offset -> {
      Allocation run = disk.allocation(offset);
      assertThat(run.offset()).isEqualTo(offset);
      assertThat(run.length()).isPositive();
      assertThat(run.end()).isLessThanOrEqualTo(size);
      return run.end();
    }, VdiskException.class);
  }
}
