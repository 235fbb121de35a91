package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Oracle test of {@link WofReader} with all four WOF algorithms: one file (about 2 MiB of this
 * machine's executables and text) is cut into chunks and compressed by wimlib's own compressors
 * ({@code make-wim-codec-vectors.sh}, libwim) with the chunk size of each algorithm, the chunks are
 * laid out as a {@code WofCompressedData} stream (incompressible chunks stored raw), and the reader
 * must return the file, whole and at random ranges.
 */
class WofReaderIT {
  private static final Logger LOG = LoggerFactory.getLogger(WofReaderIT.class);

  @TempDir Path dir;

  @Test
  void allAlgorithmsOverWimlibChunks() throws Exception {
    Oracles.require("gcc", "gcc");
    if (!Files.exists(Path.of("/usr/include/wimlib.h"))) {
      String message = "wimlib.h missing; install the Debian package libwim-dev";
      if (Oracles.isCi()) {
        Assertions.fail("CI=true but oracle missing: " + message);
      }
      Assumptions.abort(message);
    }
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.list(Path.of("/usr/bin"))) {
      for (Path p : files.sorted().toList()) {
        if (input.size() > (2 << 20)) {
          break;
        }
        if (Files.isRegularFile(p) && !Files.isSymbolicLink(p) && Files.isReadable(p)
            && Files.size(p) < (512 << 10)) {
          input.writeBytes(Files.readAllBytes(p));
          // zeros between files: runs a WOF writer would compress to almost nothing
          input.writeBytes(new byte[12345]);
        }
      }
    }
    Path inputFile = dir.resolve("input.bin");
    Files.write(inputFile, input.toByteArray());
    Path out = dir.resolve("vectors");
    Oracles.runOk("sh", ProjectPaths.script("make-wim-codec-vectors.sh").toString(),
        out.toString(), inputFile.toString());

    for (WofAlgorithm algorithm : WofAlgorithm.values()) {
      String name = (algorithm == WofAlgorithm.LZX ? "lzx-" : "xpress-")
          + algorithm.chunkSize() + ".vec";
      CodecVectors v = CodecVectors.read(out.resolve(name));
      WofStreams.Built b = WofStreams.build(v.records(), 4);
      assertThat(b.uncompressed()).isEqualTo(input.toByteArray());
      assertThat(b.compressedChunks()).as("%s compressed chunks", algorithm).isGreaterThan(20);
      WofReader reader = new WofReader(WofStreams.source(b.stream()), b.uncompressed().length,
          algorithm);
      ByteBuffer all = ByteBuffer.allocate(b.uncompressed().length);
      long t0 = System.nanoTime();
      int n = reader.read(0, all);
      long nanos = System.nanoTime() - t0;
      assertThat(n).isEqualTo(b.uncompressed().length);
      assertThat(all.array()).as("%s whole file", algorithm).isEqualTo(b.uncompressed());
      LOG.info("{}: {} bytes in {} chunks ({} stored raw), stream {} bytes, read in {} ms",
          algorithm, n, b.rawChunks() + b.compressedChunks(), b.rawChunks(), b.stream().length,
          nanos / 1_000_000);

      // a fresh reader (empty cache) at random ranges, and the same with an 8-byte table
      WofStreams.Built b8 = WofStreams.build(v.records(), 8);
      long seed = new Random().nextLong();
      LOG.info("{} random reads, seed {}", algorithm, seed);
      Random random = new Random(seed);
      WofReader fresh = new WofReader(WofStreams.source(b.stream()), n, algorithm);
      for (int i = 0; i < 200; i++) {
        int pos = random.nextInt(n);
        ByteBuffer dst = ByteBuffer.allocate(random.nextInt(2 * algorithm.chunkSize() + 10));
        int got = fresh.read(pos, dst);
        assertThat(Arrays.copyOf(dst.array(), got)).as("seed %d at %d", seed, pos)
            .isEqualTo(Arrays.copyOfRange(b.uncompressed(), pos, pos + got));
      }
      assertThat(b8.stream().length - b.stream().length)
          .isEqualTo((b.rawChunks() + b.compressedChunks() - 1) * 4);
    }
  }
}
