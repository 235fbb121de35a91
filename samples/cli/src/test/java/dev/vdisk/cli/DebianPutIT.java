package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real distribution root: the ext4 image of a minimal Debian made by debootstrap and
 * {@code mke2fs -d} ({@code testdata/scripts/make-debian-ext4.sh}) takes a 5000-file tree through
 * {@code vdisk put}; afterwards {@code e2fsck -fn} finds it clean, and the kernel (a read-only loop
 * mount) sees the new tree byte for byte with its modes and symbolic links, and the Debian files
 * around it unchanged.
 */
class DebianPutIT {
  @TempDir Path work;

  @Test
  void aDebootstrappedRootTakesAFiveThousandFileTree() throws Exception {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("debootstrap and the loop mount");
    Path image = work.resolve("debian.img");
    Oracles.runOk("bash", ProjectPaths.script("make-debian-ext4.sh").toString(),
        image.toString(), "1G");
    String osRelease = Oracles.runOk("debugfs", "-R", "cat /usr/lib/os-release",
        image.toString());
    assertThat(osRelease).contains("ID=debian");

    Path src = Files.createDirectories(work.resolve("tree"));
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    System.out.println("DebianPutIT seed " + seed);
    Random rnd = new Random(seed);
    for (int i = 0; i < 5000; i++) {
      Path d = Files.createDirectories(src.resolve("pkg" + (i / 250)).resolve("sub" + (i / 50)));
      byte[] b = new byte[rnd.nextInt(20) == 0 ? 100_000 + rnd.nextInt(400_000)
          : rnd.nextInt(8000)];
      rnd.nextBytes(b);
      Path f = d.resolve("file-" + i + (i % 7 == 0 ? ".sh" : ".dat"));
      Files.write(f, b);
      if (i % 7 == 0) {
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions
            .fromString("rwxr-xr-x"));
      }
    }
    Files.createSymbolicLink(src.resolve("current"), Path.of("pkg0"));

    CliRunner put = CliRunner.run("put", "--owner", "0:0", image.toString(), src.toString(),
        "/opt/vendor");
    assertThat(put.exitCode()).as("vdisk put: %s%s", put.out(), put.err()).isZero();

    Oracles.Result fsck = Oracles.run("e2fsck", "-fn", image.toString());
    String out = new String(fsck.out(), StandardCharsets.UTF_8)
        + new String(fsck.err(), StandardCharsets.UTF_8);
    assertThat(fsck.exitCode()).as("e2fsck -fn:%n%s", out).isZero();

    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Oracles.runOk("mount", "-o", "loop,ro", image.toString(), mnt.toString());
    try {
      assertThat(tree(mnt.resolve("opt/vendor"))).isEqualTo(tree(src));
      assertThat(Files.readString(mnt.resolve("usr/lib/os-release"))).isEqualTo(osRelease);
      assertThat(Files.isExecutable(mnt.resolve("bin/sh"))).isTrue();
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  /** Relative path to type, permissions and content hash (or link target). */
  private static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, "dir");
        } else {
          out.put(rel, java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(p)) + " "
              + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
        }
      }
    }
    return out;
  }
}
