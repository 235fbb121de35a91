package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files compressed by the Windows Overlay Filter (CompactOS) in all four algorithms, on a volume
 * whose chunks wimlib's compressors made and whose reparse points and streams ntfs-3g wrote
 * ({@code testdata/scripts/make-ntfs-wof.sh}): each must read back as the original file, which
 * the volume also holds uncompressed (read through an ntfs-3g mount as the oracle).
 */
class NtfsWofIT {
  @TempDir static Path dir;
  static Path image;
  static Path plain;
  static final List<String> FILES = List.of("bash", "ls", "text.txt", "random.bin", "one-byte",
      "empty");

  @BeforeAll
  static void build() throws Exception {
    Oracles.requireRoot("filling an NTFS volume through ntfs-3g");
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("setfattr", "attr");
    Oracles.require("gcc", "gcc");
    Oracles.requireFile(Path.of("/usr/include/wimlib.h"), "libwim-dev");
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.copy(Path.of("/usr/bin/bash"), src.resolve("bash"));
    Files.copy(Path.of("/usr/bin/ls"), src.resolve("ls"));
    StringBuilder text = new StringBuilder();
    Random r = new Random(7);
    for (int i = 0; i < 40000; i++) {
      text.append("line ").append(r.nextInt(1000)).append(i % 7 == 0 ? "\n" : " ");
    }
    Files.writeString(src.resolve("text.txt"), text);
    byte[] random = new byte[100_000];
    r.nextBytes(random);
    Files.write(src.resolve("random.bin"), random);
    Files.write(src.resolve("one-byte"), new byte[] {42});
    Files.write(src.resolve("empty"), new byte[0]);
    image = dir.resolve("wof.ntfs");
    String[] command = new String[3 + FILES.size()];
    command[0] = "bash";
    command[1] = ProjectPaths.script("make-ntfs-wof.sh").toString();
    command[2] = image.toString();
    for (int i = 0; i < FILES.size(); i++) {
      command[3 + i] = src.resolve(FILES.get(i)).toString();
    }
    Oracles.runOk(command);
    plain = src;
  }

  @ParameterizedTest
  @ValueSource(strings = {"XPRESS4K", "XPRESS8K", "XPRESS16K", "LZX"})
  void readsAsTheOriginal(String algorithm) throws Exception {
    Path mnt = Files.createDirectories(dir.resolve("mnt-" + algorithm));
    Oracles.runOk("ntfs-3g", "-o", "ro", image.toString(), mnt.toString());
    try (VdiskFileSystem fs = VdiskFileSystems.open(image)) {
      for (String name : FILES) {
        byte[] expected = Files.readAllBytes(mnt.resolve("plain").resolve(name));
        assertThat(expected).isEqualTo(Files.readAllBytes(plain.resolve(name)));
        Path p = fs.getPath("/wof", algorithm, name);
        assertThat(Files.size(p)).as(name).isEqualTo(expected.length);
        assertThat(Files.readAllBytes(p)).as(name).isEqualTo(expected);
        assertThat(Files.readAttributes(p, "ntfs:reparseTag").get("reparseTag"))
            .isEqualTo(0x80000017);
        // the compressed data is the file's own, not a user stream
        assertThat(Files.readAttributes(p, "user:*")).isEmpty();
      }
      // random access across chunk boundaries
      byte[] bash = Files.readAllBytes(plain.resolve("bash"));
      Random r = new Random(11);
      try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/wof", algorithm, "bash"))) {
        for (int i = 0; i < 200; i++) {
          int at = r.nextInt(bash.length);
          ByteBuffer b = ByteBuffer.allocate(1 + r.nextInt(70000));
          ch.position(at);
          int n = ch.read(b);
          assertThat(n).isEqualTo(Math.min(b.capacity(), bash.length - at));
          assertThat(java.util.Arrays.copyOf(b.array(), n))
              .isEqualTo(java.util.Arrays.copyOfRange(bash, at, at + n));
        }
      }
    } finally {
      Oracles.run("umount", mnt.toString());
    }
  }

  @Test
  void statShowsTheReparseTagAndTheStream() throws IOException {
    try (VdiskFileSystem fs = VdiskFileSystems.open(image)) {
      Path p = fs.getPath("/wof/LZX/text.txt:WofCompressedData");
      assertThat(Files.size(p)).isPositive().isLessThan(Files.size(plain.resolve("text.txt")));
      assertThat(Files.readAttributes(fs.getPath("/wof/LZX/text.txt"), "ntfs:streams")
          .get("streams")).isEqualTo(List.of("WofCompressedData"));
    }
  }
}
