package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.testdata.Contents;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Digests;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Assertions;

/** Shared helpers for the VMDK tests: digests, qemu-img and qemu-io calls, corpus files. */
final class VmdkTesting {
  private VmdkTesting() {}

  static String qemuImg() {
    return Qemu.img();
  }

  static String qemuIo() {
    return Qemu.io();
  }

  /** Runs qemu-io commands (such as {@code write -P 0x5a 0 64k}) on a VMDK. */
  static void qemuIo(Path image, String... commands) {
    Qemu.io("vmdk", image, commands);
  }

  static MessageDigest digest() {
    return Digests.sha256();
  }

  /** SHA-256 of a device's whole content. */
  static String sha256(BlockDevice device) throws IOException {
    return Digests.sha256(device.size(), device::read);
  }

  /** SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    return Digests.sha256(file);
  }

  /** qemu-img's raw view of a VMDK, written to {@code dir}. */
  static Path qemuRaw(Path image, Path dir) {
    return Qemu.toRaw("vmdk", image, dir);
  }

  /** Fails unless qemu-img compare says the VMDK equals the raw file. */
  static void qemuCompare(Path vmdk, Path raw) {
    Qemu.compare("vmdk", vmdk, raw);
  }

  /** Fails unless {@code qemu-img check} finds no errors (leaks are allowed). */
  static void qemuCheckClean(Path image) {
    Oracles.Result r = Qemu.check("vmdk", image);
    if (r.exitCode() != 0 && r.exitCode() != 3) {
      Assertions.fail(r.describe());
    }
  }

  /**
   * Compares a disk with a raw file: every run that either side stores as data is compared byte
   * for byte; runs both sides know to hold no data (holes) are skipped, so large sparse disks are
   * quick.
   */
  static void assertSameContent(dev.vdisk.core.VirtualDisk ours, Path raw) throws IOException {
    try (dev.vdisk.core.raw.RawDisk r = dev.vdisk.core.raw.RawDisk.open(raw, false)) {
      long size = ours.size();
      assertThat(r.size()).isEqualTo(size);
      Contents.assertSame(size, pos -> run(dev.vdisk.core.copy.Allocations.effective(ours, pos)),
          ours::read, pos -> run(r.allocation(pos)), r::read, raw.toString());
    }
  }

  private static Contents.Run run(dev.vdisk.core.Allocation a) {
    return new Contents.Run(a.end(), a.state() == dev.vdisk.core.Allocation.State.DATA);
  }

  /** Decompresses (.bz2 or .gz) or copies a corpus file into {@code dir}. */
  static Path corpus(String relative, Path dir) throws IOException, InterruptedException {
    return CorpusFiles.extract(relative, dir);
  }
}
