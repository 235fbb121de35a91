package dev.vdisk.core.raw;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the raw format against qemu-img's view of the same files, and block device nodes. */
class RawDiskIT {
  @TempDir Path dir;

  /** A sparse file with data islands at seeded random places. */
  private Path islands(long size, int count, long seed) throws Exception {
    System.out.println("RawDiskIT seed " + seed);
    Random random = new Random(seed);
    Path file = dir.resolve("islands-" + seed + ".raw");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(ByteBuffer.allocate(1), size - 1);
      for (int i = 0; i < count; i++) {
        long at = (random.nextLong() & Long.MAX_VALUE) % (size - (1 << 20));
        at &= ~4095L;
        byte[] data = new byte[4096 * (1 + random.nextInt(64))];
        random.nextBytes(data);
        ch.write(ByteBuffer.wrap(data), at);
      }
    }
    return file;
  }

  @Test
  void allocationMapAgreesWithQemuImgMap() throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path file = islands(256L << 20, 40, 20261122L);
    // qemu-img map --output=json lists {start, length, data, zero} runs from SEEK_DATA/SEEK_HOLE.
    String json = Oracles.runOk(qemuImg.toString(), "map", "--output=json", "-f", "raw",
        file.toString());
    Pattern run = Pattern.compile(
        "\"start\":\\s*(\\d+),\\s*\"length\":\\s*(\\d+),.*?\"data\":\\s*(true|false)");
    List<long[]> qemuData = new ArrayList<>();
    Matcher m = run.matcher(json);
    while (m.find()) {
      if (Boolean.parseBoolean(m.group(3))) {
        qemuData.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
      }
    }
    assertThat(qemuData).isNotEmpty();
    List<long[]> ours = new ArrayList<>();
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      long offset = 0;
      while (offset < disk.size()) {
        Allocation a = disk.allocation(offset);
        if (a.state() == Allocation.State.DATA) {
          if (!ours.isEmpty() && ours.get(ours.size() - 1)[0] + ours.get(ours.size() - 1)[1]
              == a.offset()) {
            ours.get(ours.size() - 1)[1] += a.length();
          } else {
            ours.add(new long[] {a.offset(), a.length()});
          }
        }
        offset = a.end();
      }
    }
    List<long[]> merged = new ArrayList<>();
    for (long[] r : qemuData) {
      if (!merged.isEmpty() && merged.get(merged.size() - 1)[0] + merged.get(merged.size() - 1)[1]
          == r[0]) {
        merged.get(merged.size() - 1)[1] += r[1];
      } else {
        merged.add(r.clone());
      }
    }
    assertThat(ours).usingElementComparator((a, b) -> a[0] == b[0] && a[1] == b[1] ? 0 : 1)
        .containsExactlyElementsOf(merged);
  }

  @Test
  void readsTheSameBytesAsQemuImgConvert() throws Exception {
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path file = islands(64L << 20, 20, 42L);
    Path copy = dir.resolve("copy.raw");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", "raw", file.toString(),
        copy.toString());
    assertThat(sha256(file)).isEqualTo(Oracles.runOk("sha256sum", copy.toString()).split(" ")[0]);
  }

  @Test
  void opensABlockDeviceNodeWithItsRealSize() throws Exception {
    Oracles.requireRoot("a loop device");
    Path losetup = Oracles.require("losetup", "mount");
    Path file = islands(48L << 20, 8, 7L);
    String loop = Oracles.runOk(losetup.toString(), "-f", "--show", file.toString()).trim();
    try {
      Path node = Path.of(loop);
      assertThat(Files.size(node)).as("Java alone cannot see a block device's size").isZero();
      try (VirtualDisk disk = VirtualDisks.open(node)) {
        assertThat(disk.format().name()).isEqualTo("raw");
        assertThat(disk.info().variant()).isEqualTo("block-device");
        assertThat(disk.size()).isEqualTo(Files.size(file));
        assertThat(sha256(disk)).isEqualTo(sha256(file));
      }
    } finally {
      Oracles.run(losetup.toString(), "-d", loop);
    }
  }

  private static String sha256(Path file) throws Exception {
    try (VirtualDisk disk = VirtualDisks.open(file)) {
      return sha256(disk);
    }
  }

  private static String sha256(VirtualDisk disk) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    for (long offset = 0; offset < disk.size(); offset += buffer.capacity()) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), disk.size() - offset));
      disk.read(offset, buffer);
      digest.update(buffer.flip());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
