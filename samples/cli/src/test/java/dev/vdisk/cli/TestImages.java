package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.BlockDevice;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/** Test images and digests shared by the CLI's oracle tests. */
final class TestImages {
  private TestImages() {}

  /**
   * A sparse raw image with 24 seeded data islands (some straddling block and grain boundaries)
   * and a random last 4 KiB. Every third island is a repeating pattern, so compressed formats
   * see compressible and incompressible grains.
   */
  static Path islands(Path dir, String name, long size, long seed) throws Exception {
    System.out.println("test image " + name + " seed " + seed);
    Path file = dir.resolve(name);
    Random random = new Random(seed);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(1), size - 1);
      for (int i = 0; i < 24; i++) {
        byte[] data = new byte[512 * (1 + random.nextInt(3000))];
        random.nextBytes(data);
        if (i % 3 == 0) {
          for (int j = 0; j < data.length; j++) {
            data[j] = (byte) (j / 4096);
          }
        }
        long at = ((random.nextLong() & Long.MAX_VALUE) % (size - data.length)) & ~511L;
        ch.write(ByteBuffer.wrap(data), at);
      }
      byte[] tail = new byte[4096];
      random.nextBytes(tail);
      ch.write(ByteBuffer.wrap(tail), size - tail.length);
    }
    return file;
  }

  /** SHA-256 of a file's first {@code length} bytes, hex. */
  static String sha256(Path file, long length) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 20];
      long left = length;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        digest.update(buffer, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of a device's first {@code length} bytes, hex. */
  static String sha256(BlockDevice disk, long length) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    for (long at = 0; at < length; at += buffer.capacity()) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), length - at));
      disk.read(at, buffer);
      digest.update(buffer.flip());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of a whole device, hex. */
  static String sha256(BlockDevice disk) throws Exception {
    return sha256(disk, disk.size());
  }

  /** Runs {@code vdisk} in-process and requires exit code 0. */
  static void vdisk(String... args) {
    CliRunner r = CliRunner.run(args);
    assertThat(r.exitCode()).as("vdisk %s: %s", String.join(" ", args), r.err()).isZero();
  }
}
