package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.vmdk.internal.Extent;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/** Helpers shared by the streamOptimized tests. */
final class StreamTesting {
  private StreamTesting() {}

  /** Opens a streamOptimized file through its header, as VmdkDisk does. */
  static StreamOptimizedExtent open(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      ByteBuffer raw = ByteBuffer.allocate(512);
      channel.read(raw, 0);
      raw.flip();
      SparseExtentHeader header = SparseExtentHeader.parse(file, raw);
      return StreamOptimizedExtent.open(file, channel, header);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Creates a new writer on {@code file}. */
  static StreamOptimizedWriter create(Path file, long capacity, long grainBytes)
      throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    return StreamOptimizedWriter.create(file, channel, capacity, grainBytes,
        descriptor(file, capacity));
  }

  /** The embedded descriptor of a streamOptimized file, as the VMDK driver writes it. */
  static String descriptor(Path file, long capacity) {
    return "# Disk DescriptorFile\n"
        + "version=1\n"
        + "CID=12345678\n"
        + "parentCID=ffffffff\n"
        + "createType=\"streamOptimized\"\n"
        + "\n"
        + "# Extent description\n"
        + "RW " + (capacity / 512) + " SPARSE \"" + file.getFileName() + "\"\n"
        + "\n"
        + "# The Disk Data Base\n"
        + "#DDB\n"
        + "\n"
        + "ddb.virtualHWVersion = \"4\"\n"
        + "ddb.adapterType = \"lsilogic\"\n"
        + "ddb.geometry.cylinders = \"" + Math.max(1, capacity / 512 / (255 * 63)) + "\"\n"
        + "ddb.geometry.heads = \"255\"\n"
        + "ddb.geometry.sectors = \"63\"\n";
  }

  /** Asserts that the extent reads exactly the bytes of {@code raw} (1 MiB pieces: whole grains). */
  static void assertSameContent(Extent extent, Path raw) throws IOException {
    assertSameContent(extent, raw, 1 << 20);
  }

  /** As {@link #assertSameContent(Extent, Path)}, in pieces of {@code piece} bytes. */
  static void assertSameContent(Extent extent, Path raw, int piece) throws IOException {
    assertThat(extent.size()).isEqualTo(Files.size(raw));
    try (FileChannel in = FileChannel.open(raw)) {
      ByteBuffer ours = ByteBuffer.allocate(piece);
      ByteBuffer theirs = ByteBuffer.allocate(piece);
      for (long pos = 0; pos < extent.size(); ) {
        int n = (int) Math.min(ours.capacity(), extent.size() - pos);
        ours.clear().limit(n);
        theirs.clear().limit(n);
        extent.read(pos, ours);
        while (theirs.hasRemaining()) {
          if (in.read(theirs, pos + theirs.position()) < 0) {
            break;
          }
        }
        if (!Arrays.equals(ours.array(), 0, n, theirs.array(), 0, n)) {
          int i = Arrays.mismatch(ours.array(), 0, n, theirs.array(), 0, n);
          throw new AssertionError("content differs at byte " + (pos + i) + " of " + raw);
        }
        pos += n;
      }
    }
  }

  /** Decompresses (bzip2/gzip) or copies a corpus file into {@code dir}. */
  static Path corpus(String relative, Path dir) throws IOException, InterruptedException {
    return CorpusFiles.extract(relative, dir);
  }

  /**
   * Writes a raw file of mixed content: random runs, zero grains, compressible text and runs
   * that end inside a grain.
   */
  static void mixedRaw(Path raw, long size, long seed) throws IOException {
    Random random = new Random(seed);
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      out.truncate(0);
      byte[] chunk = new byte[256 * 1024];
      byte[] text = "The quick brown fox jumps over the lazy dog 0123456789\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (long pos = 0; pos < size; pos += chunk.length) {
        int n = (int) Math.min(chunk.length, size - pos);
        int kind = random.nextInt(4);
        if (kind == 0) {
          continue; // hole
        }
        if (kind == 1) {
          random.nextBytes(chunk);
        } else if (kind == 2) {
          for (int i = 0; i < n; i++) {
            chunk[i] = text[(i + (int) pos) % text.length];
          }
        } else {
          Arrays.fill(chunk, (byte) 0);
          int runs = 1 + random.nextInt(8);
          for (int r = 0; r < runs; r++) {
            int at = random.nextInt(n);
            int len = Math.min(n - at, 1 + random.nextInt(5000));
            for (int i = 0; i < len; i++) {
              chunk[at + i] = (byte) random.nextInt(4);
            }
          }
        }
        out.write(ByteBuffer.wrap(chunk, 0, n), pos);
      }
      out.truncate(size);
      if (out.size() < size) {
        out.write(ByteBuffer.allocate(1), size - 1);
      }
    }
  }
}
