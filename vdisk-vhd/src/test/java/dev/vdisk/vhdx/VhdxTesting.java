package dev.vdisk.vhdx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.core.raw.RawDiskFormat;
import dev.vdisk.testdata.Libvhdi;
import dev.vdisk.testdata.Contents;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Digests;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Assertions;

/** Shared helpers for the VHDX tests: corpus files, digests, oracle checks. */
final class VhdxTesting {
  static final String SAMPLES = "qemu-sample-images/tests/qemu-iotests/sample_images/";
  static final String LOG_REPLAY = "discutils/Tests/LibraryTests/Vhdx/Data/vhdx-log-replay.vhdx.gz";

  private VhdxTesting() {}

  /** Decompresses (.bz2 or .gz) or copies a corpus file into {@code dir}. */
  static Path corpus(String relative, Path dir) throws IOException, InterruptedException {
    return CorpusFiles.extract(relative, dir);
  }

  static String sha256(byte[] bytes) {
    return Digests.sha256(bytes);
  }

  static MessageDigest digest() {
    return Digests.sha256();
  }

  /** SHA-256 of a device's whole content. */
  static String sha256(BlockDevice device) throws IOException {
    return Digests.sha256(device.size(), device::read);
  }

  /** SHA-256 of a file's first {@code length} bytes. */
  static String sha256(Path file, long length) throws IOException {
    return Digests.sha256(file, length);
  }

  static String sha256(Path file) throws IOException {
    return Digests.sha256(file);
  }

  /** qemu-img's raw view of an image, written to {@code dir}. */
  static Path qemuRaw(Path image, Path dir) {
    return Qemu.toRaw("vhdx", image, dir);
  }

  /** Writes a disk's content into a new sparse raw file through {@link DiskCopier}. */
  static Path exportRaw(dev.vdisk.core.VirtualDisk disk, Path raw) throws IOException {
    try (dev.vdisk.core.VirtualDisk target = new RawDiskFormat().create(raw,
        dev.vdisk.core.CreateSpec.ofSize(disk.size()))) {
      DiskCopier.copy(disk, target, ProgressListener.NONE);
    }
    return raw;
  }

  /** Fails unless qemu-img compare says the VHDX (as qemu reads it) equals the raw file. */
  static void qemuCompare(Path vhdx, Path raw) {
    Qemu.compare("vhdx", vhdx, raw);
  }

  /**
   * Compares a disk with a raw file quickly: every run that either side stores as data is
   * compared byte for byte; runs that both sides know to be zero (holes) are skipped.
   */
  static void assertSameContent(dev.vdisk.core.VirtualDisk ours, Path raw) throws IOException {
    try (dev.vdisk.core.raw.RawDisk r = dev.vdisk.core.raw.RawDisk.open(raw, false)) {
      long size = ours.size();
      assertThat(r.size()).isGreaterThanOrEqualTo(size);
      Contents.assertSame(size, pos -> run(dev.vdisk.core.copy.Allocations.effective(ours, pos)),
          ours::read, pos -> run(r.allocation(pos)), r::read, raw.toString());
    }
  }

  private static Contents.Run run(dev.vdisk.core.Allocation a) {
    return new Contents.Run(a.end(), a.state() == dev.vdisk.core.Allocation.State.DATA);
  }

  /** Fails unless {@code qemu-img check} finds no errors. */
  static void qemuCheckClean(Path image) {
    Oracles.Result r = Qemu.check("vhdx", image);
    if (r.exitCode() != 0) {
      Assertions.fail(r.describe());
    }
  }

  /** Requires python3 with pyvhdi (python3-libvhdi): fails under CI, skips elsewhere. */
  static void requirePyvhdi() {
    Libvhdi.require();
  }


  /** SHA-256 of an image's content as libvhdi reads it (with an optional parent chain). */
  static String pyvhdiSha256(Path image, Path... parents) {
    return Libvhdi.read(image, parents).sha256();
  }

}
