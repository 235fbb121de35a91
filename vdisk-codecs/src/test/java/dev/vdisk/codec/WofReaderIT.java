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
    requireWimlib();
    byte[] original = executables(2 << 20);
    Path inputFile = dir.resolve("input.bin");
    Files.write(inputFile, original);
    Path out = dir.resolve("vectors");
    Oracles.runOk("sh", ProjectPaths.script("make-wim-codec-vectors.sh").toString(),
        out.toString(), inputFile.toString());

    for (WofAlgorithm algorithm : WofAlgorithm.values()) {
      CodecVectors v = CodecVectors.read(out.resolve(vectorFile(algorithm)));
      WofStreams.Built b = WofStreams.build(v.records(), 4);
      assertThat(b.uncompressed()).isEqualTo(original);
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

  /**
   * WOF-compressed files as Windows lays them out, made on an NTFS volume through ntfs-3g (the
   * {@code WofCompressedData} stream, a sparse unnamed stream of the uncompressed size, and the WOF
   * reparse point: tag 0x80000017, WOF_EXTERNAL_INFO version 1 provider 2, then
   * FILE_PROVIDER_EXTERNAL_INFO version 1 and the algorithm), each chunk compressed by wimlib. libyal's
   * libfsntfs ({@code pyfsntfs}, an independent WOF reader) reads each file; the stream it returns
   * is read here with {@link WofReader}; both must give the original bytes.
   */
  @Test
  void wofFilesOnNtfsReadByLibfsntfs() throws Exception {
    requireWimlib();
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("setfattr", "attr");
    Oracles.requirePythonModule("pyfsntfs", "python3-libfsntfs");
    Oracles.requireRoot("mounting with ntfs-3g");
    byte[] original = executables(1 << 20);
    Path inputFile = dir.resolve("input.bin");
    Files.write(inputFile, original);
    Path out = dir.resolve("vectors");
    Oracles.Result made = Oracles.run(null,
        java.util.Map.of("WIM_VECTOR_CONFIGS", "xpress:4096 xpress:8192 xpress:16384 lzx:32768"),
        "sh", ProjectPaths.script("make-wim-codec-vectors.sh").toString(), out.toString(),
        inputFile.toString());
    if (made.exitCode() != 0) {
      Assertions.fail(made.describe());
    }

    Path image = dir.resolve("wof.img");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(image,
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(64L << 20);
      ch.write(ByteBuffer.wrap(new byte[1]), (64L << 20) - 1);
    }
    Oracles.runOk("mkntfs", "-F", "-f", "-Q", "-c", "4096", image.toString());
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Oracles.runOk("ntfs-3g", "-o", "streams_interface=windows", image.toString(), mnt.toString());
    try {
      for (WofAlgorithm algorithm : WofAlgorithm.values()) {
        CodecVectors v = CodecVectors.read(out.resolve(vectorFile(algorithm)));
        WofStreams.Built b = WofStreams.build(v.records(), 4);
        assertThat(b.uncompressed()).isEqualTo(original);
        assertThat(b.rawChunks()).as("%s chunks stored raw", algorithm).isPositive();
        Path file = mnt.resolve("wof-" + algorithm);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
          f.setLength(original.length); // sparse: WOF keeps the data in the named stream
        }
        Files.write(mnt.resolve("wof-" + algorithm + ":WofCompressedData"), b.stream());
        String reparse = "0x17000080" + "1000" + "0000" + "01000000" + "02000000" + "01000000"
            + String.format("%02x000000", algorithm.code());
        Oracles.runOk("setfattr", "-n", "system.ntfs_reparse_data", "-v", reparse,
            file.toString());
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }

    Path read = Files.createDirectories(dir.resolve("read"));
    // each file is read chunk by chunk; a chunk libfsntfs cannot decode is reported (and left
    // out) so that the test can tell a libfsntfs limitation from a layout error
    String script = String.join("\n",
        "import pyfsntfs, sys",
        "v = pyfsntfs.volume()",
        "v.open(sys.argv[1])",
        "for arg in sys.argv[3:]:",
        "    name, chunk = arg.split(':')",
        "    chunk = int(chunk)",
        "    f = v.get_file_entry_by_path('\\\\' + name)",
        "    size = f.get_size()",
        "    with open(sys.argv[2] + '/' + name + '.plain', 'wb') as out:",
        "        for i in range((size + chunk - 1) // chunk):",
        "            f.seek(i * chunk)",
        "            try:",
        "                out.write(f.read(min(chunk, size - i * chunk)))",
        "            except OSError as e:",
        "                print(name, i, str(e).split('. ')[0], file=sys.stderr)",
        "                out.write(bytes(min(chunk, size - i * chunk)))",
        "    s = f.get_alternate_data_stream_by_name('WofCompressedData')",
        "    open(sys.argv[2] + '/' + name + '.wof', 'wb').write(s.read())");
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
        "/usr/bin/python3", "-c", script, image.toString(), read.toString()));
    for (WofAlgorithm algorithm : WofAlgorithm.values()) {
      command.add("wof-" + algorithm + ":" + algorithm.chunkSize());
    }
    Oracles.Result libfsntfs = Oracles.run(command.toArray(String[]::new));
    if (libfsntfs.exitCode() != 0) {
      Assertions.fail(libfsntfs.describe());
    }
    assertThat(libfsntfs.stderr()).as("chunks libfsntfs could not read").isEmpty();
    for (WofAlgorithm algorithm : WofAlgorithm.values()) {
      byte[] plain = Files.readAllBytes(read.resolve("wof-" + algorithm + ".plain"));
      byte[] stream = Files.readAllBytes(read.resolve("wof-" + algorithm + ".wof"));
      assertThat(plain).hasSameSizeAs(original);
      int deviations = algorithm == WofAlgorithm.LZX
          ? libfwntE8Deviations(plain, original, algorithm.chunkSize()) : 0;
      int mismatch = deviations > 0 ? -1 : Arrays.mismatch(plain, original);
      assertThat(mismatch).as("first byte libfsntfs reads wrong in the %s file (chunk %d)",
          algorithm, mismatch / algorithm.chunkSize()).isEqualTo(-1);
      WofReader reader = new WofReader(WofStreams.source(stream), plain.length, algorithm);
      ByteBuffer all = ByteBuffer.allocate(plain.length);
      assertThat(reader.read(0, all)).isEqualTo(plain.length);
      assertThat(all.array()).as("WofReader on the %s stream", algorithm).isEqualTo(original);
      LOG.info("{}: libfsntfs and WofReader agree on {} bytes ({}-byte stream; {} bytes where"
          + " libfwnt translates an E8 in a chunk's last 10 bytes)", algorithm, plain.length,
          stream.length, deviations);
    }
  }

  /**
   * Counts the bytes where libfsntfs's LZX decoder (libfwnt 20200921) differs from the input, and
   * fails unless each is explained by its one known deviation: it undoes the E8 translation also
   * for an 0xE8 byte among the last 10 bytes of a chunk, which wimlib, libmspack and this decoder
   * leave as they are (the compressor did not translate them either).
   */
  private static int libfwntE8Deviations(byte[] libfsntfs, byte[] original, int chunkSize) {
    int deviations = 0;
    for (int i = 0; i < original.length; i++) {
      if (libfsntfs[i] == original[i]) {
        continue;
      }
      int chunkStart = i / chunkSize * chunkSize;
      int chunkEnd = Math.min(chunkStart + chunkSize, original.length);
      boolean explained = false;
      for (int p = Math.max(chunkEnd - 10, i - 4); p < i; p++) {
        explained |= original[p] == (byte) 0xE8;
      }
      assertThat(explained).as("libfsntfs differs at %d (chunk %d) without a trailing E8", i,
          i / chunkSize).isTrue();
      deviations++;
    }
    return deviations;
  }

  private static String vectorFile(WofAlgorithm algorithm) {
    return (algorithm == WofAlgorithm.LZX ? "lzx-" : "xpress-") + algorithm.chunkSize() + ".vec";
  }

  private static void requireWimlib() {
    Oracles.require("gcc", "gcc");
    Oracles.requireFile(Path.of("/usr/include/wimlib.h"), "libwim-dev");
  }

  /** About {@code limit} bytes of this machine's executables, with runs of zeros between. */
  private static byte[] executables(int limit) throws java.io.IOException {
    ByteArrayOutputStream input = new ByteArrayOutputStream();
    // coreutils' programs only, so that the input does not change when other packages are
    // installed (libfsntfs 20200921 cannot read some XPRESS 4K streams that wimlib and this
    // reader read, and which ones depends on the data)
    Oracles.Result owned = Oracles.run("dpkg-query", "-L", "coreutils");
    if (owned.exitCode() != 0) {
      Assertions.fail(owned.describe());
    }
    try (Stream<Path> files = owned.stdout().lines().filter(l -> l.startsWith("/usr/bin/"))
        .map(Path::of)) {
      for (Path p : files.sorted().toList()) {
        if (input.size() > limit) {
          break;
        }
        if (Files.isRegularFile(p) && !Files.isSymbolicLink(p) && Files.isReadable(p)
            && Files.size(p) < (512 << 10)) {
          input.writeBytes(Files.readAllBytes(p));
          // zeros between files: runs a WOF writer would compress to almost nothing
          input.writeBytes(new byte[12345]);
          if (input.size() < 300_000) {
            // random bytes: chunks no compressor shrinks, stored raw. They fill whole 32 KiB
            // chunks: libfsntfs 20200921 fails on some LZX chunks that mix code and random bytes
            // ("unable to build lengths Huffman tree"), which wimlib and this decoder read.
            input.writeBytes(new byte[(32768 - input.size() % 32768) % 32768]);
            byte[] noise = new byte[65536];
            new Random(input.size()).nextBytes(noise);
            input.writeBytes(noise);
          }
        }
      }
    }
    return input.toByteArray();
  }
}
