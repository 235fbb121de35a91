package dev.vdisk.vmdk.internal.stream;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Manual timing of the streamOptimized reader and writer (not a test): {@code java ... StreamBench
 * read FILE.vmdk} reads the whole disk in 1 MiB pieces; {@code write RAW OUT.vmdk} converts a raw
 * file in 1 MiB pieces. Compare with {@code qemu-img convert} on the same files.
 */
public final class StreamBench {
  private StreamBench() {}

  /**
   * Runs one measurement.
   *
   * @param args {@code read VMDK} or {@code write RAW VMDK}
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    if (args[0].equals("read")) {
      long sum = 0;
      try (StreamOptimizedExtent extent = StreamTesting.open(Path.of(args[1]))) {
        for (long pos = 0; pos < extent.size(); pos += buffer.capacity()) {
          buffer.clear().limit((int) Math.min(buffer.capacity(), extent.size() - pos));
          extent.read(pos, buffer);
          sum += buffer.get(0);
        }
      }
      System.out.println("read checksum " + sum);
    } else {
      Path raw = Path.of(args[1]);
      long size = Files.size(raw);
      try (FileChannel in = FileChannel.open(raw);
          StreamOptimizedWriter writer = StreamTesting.create(Path.of(args[2]), size, 65536)) {
        for (long pos = 0; pos < size; pos += buffer.capacity()) {
          buffer.clear().limit((int) Math.min(buffer.capacity(), size - pos));
          in.read(buffer, pos);
          buffer.flip();
          writer.write(pos, buffer);
        }
      }
    }
    System.out.printf("%s: %.2f s%n", args[0], (System.nanoTime() - start) / 1e9);
  }
}
