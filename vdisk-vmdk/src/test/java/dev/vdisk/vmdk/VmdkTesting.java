package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers for the VMDK tests: digests, qemu-img and qemu-io calls, corpus files. */
final class VmdkTesting {
  private VmdkTesting() {}

  static String qemuImg() {
    return Oracles.require("qemu-img", "qemu-utils").toString();
  }

  static String qemuIo() {
    return Oracles.require("qemu-io", "qemu-utils").toString();
  }

  /** Runs qemu-io commands (such as {@code write -P 0x5a 0 64k}) on a VMDK. */
  static void qemuIo(Path image, String... commands) {
    List<String> cmd = new ArrayList<>(List.of(qemuIo(), "-f", "vmdk"));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(image.toString());
    Oracles.runOk(cmd.toArray(String[]::new));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** SHA-256 of a device's whole content, read in 4 MiB pieces. */
  static String sha256(BlockDevice device) throws IOException {
    MessageDigest md = digest();
    ByteBuffer buffer = ByteBuffer.allocate(4 << 20);
    for (long pos = 0; pos < device.size(); ) {
      int n = (int) Math.min(buffer.capacity(), device.size() - pos);
      buffer.clear().limit(n);
      device.read(pos, buffer);
      md.update(buffer.array(), 0, n);
      pos += n;
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    MessageDigest md = digest();
    byte[] buffer = new byte[4 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** qemu-img's raw view of a VMDK, written to {@code dir}. */
  static Path qemuRaw(Path image, Path dir) {
    Path raw = dir.resolve(image.getFileName() + ".qemu.raw");
    Oracles.runOk(qemuImg(), "convert", "-f", "vmdk", "-O", "raw", image.toString(),
        raw.toString());
    return raw;
  }

  /** Fails unless qemu-img compare says the VMDK equals the raw file. */
  static void qemuCompare(Path vmdk, Path raw) {
    Oracles.runOk(qemuImg(), "compare", "-f", "vmdk", "-F", "raw", vmdk.toString(),
        raw.toString());
  }

  /** Fails unless {@code qemu-img check} finds no errors (leaks are allowed). */
  static void qemuCheckClean(Path image) {
    Oracles.Result r = Oracles.run(qemuImg(), "check", "-f", "vmdk", image.toString());
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
      ByteBuffer a = ByteBuffer.allocate(1 << 20);
      ByteBuffer b = ByteBuffer.allocate(1 << 20);
      long pos = 0;
      while (pos < size) {
        dev.vdisk.core.Allocation x = dev.vdisk.core.copy.Allocations.effective(ours, pos);
        dev.vdisk.core.Allocation y = r.allocation(pos);
        long end = Math.min(size, Math.min(x.end(), y.end()));
        if (x.state() == dev.vdisk.core.Allocation.State.DATA
            || y.state() == dev.vdisk.core.Allocation.State.DATA) {
          for (long at = pos; at < end; ) {
            int n = (int) Math.min(a.capacity(), end - at);
            a.clear().limit(n);
            b.clear().limit(n);
            ours.read(at, a);
            r.read(at, b);
            if (!a.flip().equals(b.flip())) {
              Assertions.fail("content differs in [" + at + ", " + (at + n) + ") of " + raw);
            }
            at += n;
          }
        }
        pos = end;
      }
    }
  }

  /** Decompresses (.bz2 or .gz) or copies a corpus file into {@code dir}. */
  static Path corpus(String relative, Path dir) throws IOException, InterruptedException {
    Path source = ProjectPaths.corpus().resolve(relative);
    Assumptions.assumeTrue(Files.exists(source) || Oracles.isCi(), "missing " + source);
    String name = source.getFileName().toString().replaceAll("\\.(bz2|gz)$", "");
    Path target = dir.resolve(name);
    if (name.equals(source.getFileName().toString())) {
      Files.copy(source, target);
      return target;
    }
    String tool = relative.endsWith(".bz2") ? "bzip2" : "gzip";
    Process p = new ProcessBuilder(tool, "-dc", source.toString())
        .redirectOutput(target.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor()).as(tool + " -dc " + source).isZero();
    return target;
  }
}
