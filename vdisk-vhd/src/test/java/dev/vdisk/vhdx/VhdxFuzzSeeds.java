package dev.vdisk.vhdx;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.util.WriteSteps;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the fuzz seeds: images this project makes (dynamic, fixed, differencing, one with a
 * pending log), in the compact encoding of {@link VhdxFormatFuzzTest}. Run it with the test
 * classpath and the seed directory as argument.
 */
public final class VhdxFuzzSeeds {
  private VhdxFuzzSeeds() {}

  /**
   * Writes the seeds.
   *
   * @param args the output directory
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    Path tmp = Files.createTempDirectory("vhdx-seeds");
    VhdxFormat format = new VhdxFormat();
    long mib = 1 << 20;
    byte[] data = new byte[3000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7 + 1);
    }
    Path dynamic = tmp.resolve("dynamic.vhdx");
    try (VhdxDisk d = format.create(dynamic, new CreateSpec(8 * mib, "dynamic", mib))) {
      d.write(100, ByteBuffer.wrap(data));
    }
    Path fixed = tmp.resolve("fixed.vhdx");
    try (VhdxDisk d = format.create(fixed, new CreateSpec(2 * mib, "fixed", mib))) {
      d.write(512, ByteBuffer.wrap(data));
    }
    Path child = tmp.resolve("child.avhdx");
    try (VhdxDisk p = format.open(dynamic, OpenOptions.readOnly());
        VhdxDisk c = format.createChild(p, child)) {
      c.write(4 * mib + 1, ByteBuffer.wrap(data));
    }
    Path dirty = tmp.resolve("dirty.vhdx");
    try (VhdxDisk d = format.create(dirty, new CreateSpec(8 * mib, "dynamic", mib))) {
      d.write(0, ByteBuffer.wrap(data));
    }
    byte[] dirtyBytes;
    try (VhdxDisk d = format.open(dirty, OpenOptions.readWrite())) {
      WriteSteps.setListener(step -> {
        if (step.equals("log-flush")) {
          throw new IllegalStateException("stop");
        }
      });
      try {
        d.write(2 * mib + 5, ByteBuffer.wrap(data));
      } catch (IllegalStateException expected) {
        // the log entry is written and flushed, not applied
      }
      WriteSteps.setListener(null);
      dirtyBytes = Files.readAllBytes(dirty);
    }
    write(out, "dynamic", VhdxFormatFuzzTest.encode(Files.readAllBytes(dynamic), 0));
    write(out, "dynamic-rw", VhdxFormatFuzzTest.encode(Files.readAllBytes(dynamic), 3));
    write(out, "fixed", VhdxFormatFuzzTest.encode(Files.readAllBytes(fixed), 1));
    write(out, "differencing", VhdxFormatFuzzTest.encode(Files.readAllBytes(child), 1));
    write(out, "dirty-log", VhdxFormatFuzzTest.encode(dirtyBytes, 1));
    write(out, "dirty-log-rw", VhdxFormatFuzzTest.encode(dirtyBytes, 3));
  }

  private static void write(Path dir, String name, byte[] bytes) throws Exception {
    Files.write(dir.resolve(name), bytes);
    System.out.println(name + ": " + bytes.length + " bytes");
  }
}
