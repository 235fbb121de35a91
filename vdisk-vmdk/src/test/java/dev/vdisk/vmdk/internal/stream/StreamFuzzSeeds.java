package dev.vdisk.vmdk.internal.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Writes the {@link StreamOptimizedWriter}-made seeds of {@link StreamFuzzTest} (not a test): run
 * its main method with the seed directory ({@code
 * src/test/resources/dev/vdisk/vmdk/internal/stream/StreamFuzzTestInputs/image}). The qemu-img
 * seed comes from {@code testdata/scripts/make-vmdk-stream-fuzz-seeds.sh}.
 */
public final class StreamFuzzSeeds {
  private StreamFuzzSeeds() {}

  /**
   * Writes the seeds.
   *
   * @param args the output directory
   * @throws IOException on failure
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    Files.createDirectories(out);
    Random random = new Random(99);
    byte[] data = new byte[64 * 1024 + 512];
    for (int i = 0; i < 4096; i++) {
      data[i] = (byte) random.nextInt(256);
    }
    for (int i = 3 * 4096; i < 4 * 4096; i++) {
      data[i] = (byte) ('a' + i % 26);
    }
    data[data.length - 3] = 9;
    write(out.resolve("ours-4k-grains"), data, 4096);
    write(out.resolve("ours-empty"), new byte[16 * 4096], 4096);
    Path noFooter = out.resolve("ours-no-footer");
    write(noFooter, data, 4096);
    try (FileChannel ch = FileChannel.open(noFooter, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {'X', 'X', 'X', 'X'}), ch.size() - 1024);
    }
    Path cut = out.resolve("ours-truncated");
    write(cut, data, 4096);
    try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 700);
    }
  }

  private static void write(Path file, byte[] data, int grain) throws IOException {
    Files.deleteIfExists(file);
    Path tmp = Files.createTempFile("seed", ".vmdk");
    Files.delete(tmp);
    try (StreamOptimizedWriter writer = StreamTesting.create(tmp, data.length, grain)) {
      writer.write(0, ByteBuffer.wrap(data));
    }
    Files.move(tmp, file);
  }
}
