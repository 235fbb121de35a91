package dev.vdisk.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.testdata.Oracles;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running QEMU holding an image stops vdisk from writing it, but not from reading it. */
class ImageLockIT {
  @TempDir Path dir;

  @Test
  void writeOpenOfAnImageQemuHasOpenIsRefusedAsLocked() throws Exception {
    Path qemuIo = Oracles.require("qemu-io", "qemu-utils");
    Path image = dir.resolve("busy.raw");
    Files.write(image, new byte[1 << 20]);
    // qemu-io opens the image read-write and waits for commands on stdin.
    Process qemu = new ProcessBuilder(qemuIo.toString(), "-f", "raw", image.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream stdin = qemu.getOutputStream()) {
      awaitQemuLock(image);
      assertThatThrownBy(() -> VirtualDisks.open(image, OpenOptions.readWrite()))
          .isInstanceOf(UnsafeToWriteException.class)
          .hasMessageContaining("busy.raw")
          .satisfies(e -> assertThat(((UnsafeToWriteException) e).reason())
              .isEqualTo(UnsafeToWriteException.Reason.LOCKED));
      try (VirtualDisk disk = VirtualDisks.open(image)) {
        disk.read(0, ByteBuffer.allocate(512));
      }
      stdin.write("quit\n".getBytes());
    }
    assertThat(qemu.waitFor(30, TimeUnit.SECONDS)).isTrue();
    try (VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite())) {
      disk.write(0, ByteBuffer.wrap(new byte[] {1}));
    }
  }

  @Test
  void twoWritersInOneProcessAreRefused() throws Exception {
    Path image = dir.resolve("twice.raw");
    Files.write(image, new byte[4096]);
    try (VirtualDisk first = VirtualDisks.open(image, OpenOptions.readWrite())) {
      assertThatThrownBy(() -> VirtualDisks.open(image, OpenOptions.readWrite()))
          .isInstanceOf(UnsafeToWriteException.class);
      assertThat(first.isWritable()).isTrue();
    }
  }

  /** Waits until qemu-io holds its byte locks (it takes them as it opens the image). */
  private static void awaitQemuLock(Path image) throws Exception {
    long inode = (Long) Files.getAttribute(image, "unix:ino");
    for (int i = 0; i < 200; i++) {
      for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
        if (line.contains("OFDLCK") && line.contains(":" + inode + " ")) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("qemu-io did not lock " + image + " within 10 s");
  }
}
