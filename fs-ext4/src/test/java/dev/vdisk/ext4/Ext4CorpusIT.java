package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The e2fsprogs test images in the shared corpus. Every one opens without a crash: it reads
 * completely or fails with a typed {@link VdiskException}. The images whose journal needs
 * recovery are compared with the kernel reading a copy that {@code e2fsck -fy} recovered: same
 * tree, same contents; and the image file itself is unchanged.
 */
class Ext4CorpusIT {
  @TempDir Path work;

  static Stream<String> images() throws IOException {
    Path tests = ProjectPaths.corpus().resolve("e2fsprogs/tests");
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(tests)) {
      dirs.sorted().forEach(d -> {
        if (Files.exists(d.resolve("image.gz")) || Files.exists(d.resolve("image.bz2"))) {
          names.add(d.getFileName().toString());
        }
      });
    }
    assertThat(names).hasSizeGreaterThanOrEqualTo(20);
    return names.stream();
  }

  Path unpack(String name) throws IOException {
    Path dir = ProjectPaths.corpus().resolve("e2fsprogs/tests").resolve(name);
    Path out = work.resolve(name + ".img");
    if (Files.exists(dir.resolve("image.gz"))) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("image.gz")))) {
        Files.copy(in, out);
      }
    } else {
      Oracles.require("bzip2", "bzip2");
      Oracles.runOk("sh", "-c", "bzip2 -dc '" + dir.resolve("image.bz2") + "' > '" + out + "'");
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void opensWithoutCrashing(String name) throws Exception {
    Path image = unpack(name);
    String before = sha256(image);
    Map<String, String> tree = null;
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.of(0))) {
      tree = readAll(fs.getPath("/"));
      assertThat(tree).containsKey("/");
    } catch (VdiskException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
    assertThat(sha256(image)).isEqualTo(before);
    // Where e2fsck finds the image clean and the kernel mounts it, the reads must be the kernel's.
    Oracles.require("e2fsck", "e2fsprogs");
    if (!Oracles.isCi() && !"root".equals(System.getProperty("user.name"))) {
      return;
    }
    Oracles.requireRoot("loop mounts");
    if (Oracles.run("e2fsck", "-fn", image.toString()).exitCode() != 0
        || Oracles.runOk("dumpe2fs", "-h", image.toString()).contains("needs_recovery")) {
      return; // damaged, or a journal to replay (compared after recovery in the test below)
    }
    assertThat(tree).as("e2fsck finds %s clean, so it must read", name).isNotNull();
    Path mnt = work.resolve(name + "-mnt");
    Files.createDirectory(mnt);
    if (Oracles.run("mount", "-o", "loop,ro,noload", image.toString(), mnt.toString())
        .exitCode() != 0) {
      return;
    }
    Map<String, String> kernel;
    try {
      kernel = readAll(mnt);
    } catch (java.nio.file.FileSystemException unsupportedHere) {
      return; // this kernel cannot read it (f_verity: no fs-verity support built in)
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    assertThat(tree).containsExactlyInAnyOrderEntriesOf(kernel);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"j_recover_csum3_64bit", "j_corrupt_commit_csum", "f_journal",
      "f_clear_orphan_file"})
  void replaysTheJournalAsTheKernelSeesItAfterRecovery(String name) throws Exception {
    Oracles.require("e2fsck", "e2fsprogs");
    Oracles.requireRoot("loop mounts");
    Path image = unpack(name);
    String before = sha256(image);
    Map<String, String> ours;
    try (VdiskFileSystem fs = VdiskFileSystems.open(image, OptionalInt.of(0))) {
      ours = readAll(fs.getPath("/"));
    }
    assertThat(sha256(image)).as("the image is unchanged").isEqualTo(before);

    Path recovered = work.resolve(name + "-recovered.img");
    Files.copy(image, recovered, StandardCopyOption.REPLACE_EXISTING);
    Oracles.run("e2fsck", "-fy", recovered.toString());
    Path mnt = work.resolve(name + "-mnt");
    Files.createDirectory(mnt);
    Oracles.runOk("mount", "-o", "loop,ro,noload", recovered.toString(), mnt.toString());
    Map<String, String> kernel;
    try {
      kernel = readAll(mnt);
    } finally {
      Oracles.run("umount", mnt.toString());
    }
    kernel.keySet().removeIf(k -> k.startsWith("/lost+found/"));
    ours.keySet().removeIf(k -> k.startsWith("/lost+found/"));
    kernel.remove("/lost+found");
    ours.remove("/lost+found");
    if (name.equals("f_journal")) {
      // This old ext3 keeps its journal in a visible file, /journal (inode 12); besides replaying
      // the journal, e2fsck -fy moves it to the hidden journal inode 8, which the kernel then
      // sees. That is a repair, not part of recovery.
      assertThat(ours).containsKey("/journal");
      ours.remove("/journal");
    }
    assertThat(ours).containsExactlyInAnyOrderEntriesOf(kernel);
  }

  /** Path to "type mode size sha256-or-target" for every entry under root. */
  static Map<String, String> readAll(Path root) throws IOException, NoSuchAlgorithmException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String rel = "/" + root.relativize(p).toString();
        if (rel.equals("/")) {
          rel = "/";
        }
        Map<String, Object> a = Files.readAttributes(p, "posix:*", LinkOption.NOFOLLOW_LINKS);
        String what;
        if ((Boolean) a.get("isSymbolicLink")) {
          what = "l " + Files.readSymbolicLink(p);
        } else if ((Boolean) a.get("isDirectory")) {
          what = "d";
        } else if ((Boolean) a.get("isRegularFile")) {
          MessageDigest md = MessageDigest.getInstance("SHA-256");
          try (InputStream in = Files.newInputStream(p);
              OutputStream sink = new java.security.DigestOutputStream(
                  OutputStream.nullOutputStream(), md)) {
            in.transferTo(sink);
          }
          what = "f " + a.get("size") + " " + HexFormat.of().formatHex(md.digest());
        } else {
          what = "o";
        }
        @SuppressWarnings("unchecked")
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms =
            (java.util.Set<java.nio.file.attribute.PosixFilePermission>) a.get("permissions");
        out.put(rel, what + " " + java.nio.file.attribute.PosixFilePermissions.toString(perms)
            + " " + a.get("lastModifiedTime"));
      }
    }
    return out;
  }

  static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
