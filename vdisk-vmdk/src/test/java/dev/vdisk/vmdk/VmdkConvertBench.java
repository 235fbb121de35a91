package dev.vdisk.vmdk;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.core.raw.RawDiskFormat;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A manual measurement, not a test: converts an image to raw (or raw to a VMDK variant) the way
 * {@code vdisk convert} does and prints the time, for comparison with {@code qemu-img convert}.
 * Usage: {@code VmdkConvertBench SRC DST [variant]} (a variant makes DST a VMDK).
 */
public final class VmdkConvertBench {
  private VmdkConvertBench() {}

  /**
   * Runs one conversion.
   *
   * @param args source, target and optional VMDK variant
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path src = Path.of(args[0]);
    if (args[1].equals("-")) {
      for (int round = 0; round < 3; round++) {
        long t0 = System.nanoTime();
        try (VirtualDisk in = VirtualDisks.open(src)) {
          java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(DiskCopier.CHUNK);
          for (long pos = 0; pos < in.size(); pos += DiskCopier.CHUNK) {
            b.clear().limit((int) Math.min(DiskCopier.CHUNK, in.size() - pos));
            in.read(pos, b);
          }
        }
        System.out.printf("read %s: %.3f s%n", src, (System.nanoTime() - t0) / 1e9);
      }
      return;
    }
    Path dst = Path.of(args[1]);
    Files.deleteIfExists(dst);
    long start = System.nanoTime();
    try (VirtualDisk in = VirtualDisks.open(src);
        VirtualDisk out = args.length > 2
            ? new VmdkFormat().create(dst, new CreateSpec(in.size(), args[2], 0))
            : new RawDiskFormat().create(dst, CreateSpec.ofSize(in.size()))) {
      DiskCopier.copy(in, out, ProgressListener.NONE);
      System.out.printf("%s -> %s: %.3f s copied%n", src, dst, (System.nanoTime() - start) / 1e9);
      out.flush();
    }
    System.out.printf("%s -> %s: %.3f s with flush%n", src, dst,
        (System.nanoTime() - start) / 1e9);
  }
}
