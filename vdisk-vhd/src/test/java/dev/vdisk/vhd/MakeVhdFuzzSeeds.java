package dev.vdisk.vhd;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes the VhdFormat-made seeds of {@link VhdFormatFuzzTest} (the qemu-img ones come from
 * {@code testdata/scripts/make-vhd-fuzz-seeds.sh}): a dynamic disk with 4 KiB blocks and some
 * data, a differencing child of it (whose parent the fuzz test cannot find), and a small fixed
 * disk. Run it from the test classpath with the seed directory as the only argument.
 */
public final class MakeVhdFuzzSeeds {
  private MakeVhdFuzzSeeds() {}

  /**
   * Writes the seeds.
   *
   * @param args the output directory
   * @throws IOException if writing fails
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Path tmp = Files.createTempDirectory("vhd-seeds");
    VhdFormat format = new VhdFormat();
    byte[] pattern = new byte[3000];
    Arrays.fill(pattern, (byte) 0xA5);
    try (VirtualDisk disk = format.create(tmp.resolve("dyn.vhd"), new CreateSpec(64 * 1024,
        "dynamic", 4096))) {
      disk.write(1000, ByteBuffer.wrap(pattern));
      disk.write(40_000, ByteBuffer.wrap(pattern, 0, 100));
      try (VirtualDisk child = format.createChild(disk, tmp.resolve("child.vhd"))) {
        child.write(4000, ByteBuffer.wrap(pattern, 0, 300));
      }
    }
    try (VirtualDisk disk = format.create(tmp.resolve("fixed.vhd"), new CreateSpec(4096,
        "fixed", 0))) {
      disk.write(0, ByteBuffer.wrap(pattern, 0, 512));
    }
    Files.copy(tmp.resolve("dyn.vhd"), out.resolve("vdisk-dynamic-4k-blocks"));
    Files.copy(tmp.resolve("child.vhd"), out.resolve("vdisk-differencing-4k-blocks"));
    Files.copy(tmp.resolve("fixed.vhd"), out.resolve("vdisk-fixed-4k"));
    try (Stream<Path> files = Files.walk(tmp)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
