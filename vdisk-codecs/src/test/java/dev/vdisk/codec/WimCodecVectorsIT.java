package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Oracle test of {@link XpressHuffman} and {@link Lzx}: {@code make-wim-codec-vectors.sh} compiles a
 * small C program against libwim (wimlib's own XPRESS and LZX compressors) and compresses fresh
 * inputs at test time (its synthetic set, and a few MiB of the machine's executables and text),
 * chunk by chunk at three compression levels; every chunk must decode to the input.
 */
class WimCodecVectorsIT {
  private static final Logger LOG = LoggerFactory.getLogger(WimCodecVectorsIT.class);

  @TempDir Path dir;

  @Test
  void syntheticInputs() throws Exception {
    checkAll(generate(List.of(), DEFAULT_CONFIGS), 6);
  }

  @Test
  void executablesAndText() throws Exception {
    List<Path> inputs = new ArrayList<>();
    long total = 0;
    try (Stream<Path> files = Files.list(Path.of("/usr/bin"))) {
      for (Path p : files.sorted().toList()) {
        if (Files.isRegularFile(p) && !Files.isSymbolicLink(p) && Files.size(p) > 0
            && Files.size(p) < (1 << 20) && Files.isReadable(p)) {
          inputs.add(p);
          total += Files.size(p);
          if (total > (3 << 20)) {
            break;
          }
        }
      }
    }
    Path licenses = Path.of("/usr/share/common-licenses");
    if (Files.isDirectory(licenses)) {
      try (Stream<Path> files = Files.list(licenses)) {
        files.filter(Files::isRegularFile).sorted().limit(4).forEach(inputs::add);
      }
    }
    assertThat(total).as("input bytes").isGreaterThan(1 << 20);
    // and the larger LZX windows a WIM may use (chunk sizes up to 2 MiB: 34 to 50 offset slots)
    checkAll(generate(inputs, DEFAULT_CONFIGS + " lzx:131072 lzx:1048576 lzx:2097152"), 9);
  }

  private static final String DEFAULT_CONFIGS =
      "xpress:4096 xpress:8192 xpress:16384 xpress:65536 lzx:32768 lzx:65536";

  private Path generate(List<Path> inputs, String configs) {
    Oracles.require("gcc", "gcc");
    Oracles.requireFile(Path.of("/usr/include/wimlib.h"), "libwim-dev");
    Path out = dir.resolve("vectors");
    List<String> command = new ArrayList<>();
    command.add("sh");
    command.add(ProjectPaths.script("make-wim-codec-vectors.sh").toString());
    command.add(out.toString());
    inputs.forEach(p -> command.add(p.toString()));
    Oracles.Result r = Oracles.run(null, java.util.Map.of("WIM_VECTOR_CONFIGS", configs),
        command.toArray(String[]::new));
    if (r.exitCode() != 0) {
      Assertions.fail(r.describe());
    }
    return out;
  }

  private static void checkAll(Path out, int expectedFiles) throws IOException {
    int files = 0;
    try (Stream<Path> vecs = Files.list(out)) {
      for (Path file : vecs.sorted().toList()) {
        CodecVectors v = CodecVectors.read(file);
        long bytes = 0;
        long nanos = 0;
        int chunks = 0;
        for (CodecVectors.Record r : v.records()) {
          if (r.compressed().length == 0) {
            assertThat(r.raw().length).as("wimlib declines only small inputs").isLessThan(100);
            continue;
          }
          byte[] decoded = new byte[r.raw().length];
          long t0 = System.nanoTime();
          v.decode(r, decoded, 0);
          nanos += System.nanoTime() - t0;
          assertThat(decoded).as("%s chunk %d (%d bytes, level %d)", file.getFileName(), chunks,
              r.raw().length, r.level()).isEqualTo(r.raw());
          bytes += r.raw().length;
          chunks++;
        }
        assertThat(chunks).as("compressed chunks in %s", file.getFileName()).isGreaterThan(5);
        LOG.info("{}: {} chunks, {} bytes decoded in {} ms ({} MB/s, cold JIT)",
            file.getFileName(), chunks, bytes, nanos / 1_000_000,
            nanos == 0 ? "-" : String.format("%.0f", bytes * 1e3 / nanos));
        files++;
      }
    }
    assertThat(files).as("vector files").isEqualTo(expectedFiles);
  }
}
