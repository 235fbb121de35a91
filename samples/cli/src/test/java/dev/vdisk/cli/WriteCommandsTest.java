package dev.vdisk.cli;

import static dev.vdisk.cli.TestImages.vdisk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The changing file commands ({@code put}, {@code mkdir}, {@code rm}, {@code mv}, {@code ln},
 * {@code chmod}, {@code chown}, {@code touch}) through {@link Main}, on images holding the test
 * driver {@link TreeFileSystemDriver}, whose tree persists in the image between commands.
 */
class WriteCommandsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final FileTime T1 = FileTime.from(Instant.parse("2020-01-02T03:04:05.678Z"));

  @TempDir Path dir;
  private Path image;

  @BeforeEach
  void makeImage() throws IOException {
    image = TreeFileSystemDriver.createImage(dir.resolve("tree.img"), 8 << 20);
  }

  private static CliRunner fails(int code, String... args) {
    CliRunner r = CliRunner.run(args);
    assertThat(r.exitCode()).as("vdisk %s: %s", String.join(" ", args), r.err()).isEqualTo(code);
    assertThat(r.err()).startsWith("vdisk").doesNotContain("Exception").hasLineCount(
        r.err().contains("Try '") ? 2 : 1);
    return r;
  }

  private VdiskFileSystem read(Path img) throws IOException {
    return VdiskFileSystems.open(img, OptionalInt.empty());
  }

  private Path sourceTree() throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.createDirectories(src.resolve("sub/deeper"));
    Files.writeString(src.resolve("sub/deeper/leaf.txt"), "leaf\n");
    Files.writeString(src.resolve("tool"), "#!/bin/sh\n");
    Files.setAttribute(src.resolve("tool"), "unix:mode", 04755);
    Files.createLink(src.resolve("tool-again"), src.resolve("tool"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("sub/deeper/leaf.txt"));
    Files.setAttribute(src.resolve("sub"), "unix:mode", 0750);
    for (String p : new String[] {"sub/deeper/leaf.txt", "sub/deeper", "sub", "tool", "link"}) {
      Files.getFileAttributeView(src.resolve(p), BasicFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS).setTimes(T1, T1, null);
    }
    return src;
  }

  @Test
  void putCopiesATreeKeepingModesTimesLinksAndOwners() throws Exception {
    Path src = sourceTree();
    vdisk("mkdir", image.toString(), "/opt");
    CliRunner put = CliRunner.run("put", "--json", image.toString(), src.toString(), "/opt");
    assertThat(put.exitCode()).as(put.err()).isZero();
    JsonNode summary = MAPPER.readTree(put.out());
    assertThat(summary.get("files").asLong()).isEqualTo(2);
    assertThat(summary.get("hardlinks").asLong()).isEqualTo(1);
    assertThat(summary.get("symlinks").asLong()).isEqualTo(1);
    assertThat(summary.get("directories").asLong()).isEqualTo(3);
    int uid = (Integer) Files.getAttribute(src.resolve("tool"), "unix:uid");
    try (VdiskFileSystem fs = read(image)) {
      Path out = fs.getPath("/opt/src"); // DEST was an existing directory: SRC goes inside
      assertThat(Files.readString(out.resolve("sub/deeper/leaf.txt"))).isEqualTo("leaf\n");
      assertThat(Files.getAttribute(out.resolve("tool"), "unix:mode")).isEqualTo(0104755);
      assertThat(Files.getAttribute(out.resolve("sub"), "unix:mode")).isEqualTo(040750);
      assertThat(Files.isSameFile(out.resolve("tool"), out.resolve("tool-again"))).isTrue();
      assertThat(Files.readSymbolicLink(out.resolve("link")).toString())
          .isEqualTo("sub/deeper/leaf.txt");
      assertThat(Files.getLastModifiedTime(out.resolve("sub"))).isEqualTo(T1);
      assertThat(Files.getLastModifiedTime(out.resolve("link"), LinkOption.NOFOLLOW_LINKS))
          .isEqualTo(T1);
      assertThat(Files.getAttribute(out.resolve("tool"), "unix:uid")).isEqualTo(uid);
    }
    vdisk("put", "--owner", "33:44", image.toString(), src.toString(), "/www");
    try (VdiskFileSystem fs = read(image)) {
      Path out = fs.getPath("/www");
      for (String p : new String[] {"", "sub/deeper/leaf.txt", "tool", "link"}) {
        Map<String, Object> unix = Files.readAttributes(out.resolve(p), "unix:uid,gid",
            LinkOption.NOFOLLOW_LINKS);
        assertThat(unix).as(p).containsEntry("uid", 33).containsEntry("gid", 44);
      }
      assertThat(Files.getAttribute(out.resolve("tool"), "unix:mode")).isEqualTo(0104755);
      assertThat(Files.getLastModifiedTime(out.resolve("sub"))).isEqualTo(T1);
    }
  }

  @Test
  void putOverwritesAFileInPlaceAndMergesDirectories() throws Exception {
    Path one = Files.writeString(dir.resolve("hostname"), "old\n");
    vdisk("mkdir", image.toString(), "/etc");
    vdisk("put", image.toString(), one.toString(), "/etc/hostname");
    vdisk("ln", image.toString(), "/etc/hostname", "/etc/hostname.link");
    Files.writeString(one, "new-name\n");
    CliRunner r = CliRunner.run("put", image.toString(), one.toString(), "/etc/hostname");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("copied 1 files");
    Path etc = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(etc.resolve("motd"), "hi\n");
    vdisk("put", image.toString(), etc.toString(), "/"); // /etc exists: merged
    try (VdiskFileSystem fs = read(image)) {
      assertThat(Files.readString(fs.getPath("/etc/hostname"))).isEqualTo("new-name\n");
      assertThat(Files.readString(fs.getPath("/etc/hostname.link"))).isEqualTo("new-name\n");
      assertThat(Files.readString(fs.getPath("/etc/motd"))).isEqualTo("hi\n");
    }
    fails(ExitCode.BAD_INPUT, "put", image.toString(), dir.resolve("missing").toString(), "/x");
    fails(ExitCode.BAD_INPUT, "put", image.toString(), one.toString(), "/no/such/dir/f");
  }

  @Test
  void mkdirRmAndTheirErrors() throws Exception {
    vdisk("mkdir", image.toString(), "/a", "/b");
    vdisk("mkdir", "--parents", image.toString(), "/a/x/y/z");
    vdisk("mkdir", "-P", "-m", "700", image.toString(), "/a/x", "/c/d");
    CliRunner exists = fails(ExitCode.BAD_INPUT, "mkdir", image.toString(), "/a");
    assertThat(exists.err()).contains("/a: file exists");
    fails(ExitCode.BAD_INPUT, "mkdir", image.toString(), "/q/r");
    try (VdiskFileSystem fs = read(image)) {
      assertThat(Files.isDirectory(fs.getPath("/a/x/y/z"))).isTrue();
      assertThat(Files.getAttribute(fs.getPath("/c/d"), "unix:mode")).isEqualTo(040700);
      assertThat(Files.getAttribute(fs.getPath("/c"), "unix:mode")).isEqualTo(040755);
    }
    vdisk("touch", image.toString(), "/a/x/y/z/file");
    CliRunner notRecursive = fails(ExitCode.BAD_INPUT, "rm", image.toString(), "/a");
    assertThat(notRecursive.err()).contains("is a directory");
    fails(ExitCode.BAD_INPUT, "rm", image.toString(), "/missing");
    vdisk("rm", "-rf", image.toString(), "/missing", "/b");
    vdisk("rm", "-r", image.toString(), "/a");
    fails(ExitCode.BAD_INPUT, "rm", "-r", image.toString(), "/");
    try (VdiskFileSystem fs = read(image)) {
      assertThat(Files.exists(fs.getPath("/a"))).isFalse();
      assertThat(Files.exists(fs.getPath("/b"))).isFalse();
      assertThat(Files.isDirectory(fs.getPath("/c/d"))).isTrue();
    }
  }

  @Test
  void mvAndLn() throws Exception {
    vdisk("mkdir", "-P", image.toString(), "/d/e");
    vdisk("touch", image.toString(), "/f");
    vdisk("mv", image.toString(), "/f", "/g");
    vdisk("mv", image.toString(), "/g", "/d"); // into the directory
    vdisk("ln", "-s", image.toString(), "../g", "/d/e/sym");
    vdisk("ln", image.toString(), "/d/g", "/hard");
    CliRunner itself = fails(ExitCode.BAD_INPUT, "mv", image.toString(), "/d", "/d/e");
    assertThat(itself.err()).contains("into itself");
    fails(ExitCode.BAD_INPUT, "ln", image.toString(), "/d", "/dir-link");
    fails(ExitCode.BAD_INPUT, "ln", "-s", image.toString(), "x", "/hard");
    vdisk("ln", "-sf", image.toString(), "d/g", "/hard");
    try (VdiskFileSystem fs = read(image)) {
      assertThat(Files.exists(fs.getPath("/f"))).isFalse();
      assertThat(Files.isRegularFile(fs.getPath("/d/g"))).isTrue();
      assertThat(Files.readSymbolicLink(fs.getPath("/d/e/sym")).toString()).isEqualTo("../g");
      assertThat(Files.isSameFile(fs.getPath("/d/e/sym"), fs.getPath("/d/g"))).isTrue();
      assertThat(Files.readSymbolicLink(fs.getPath("/hard")).toString()).isEqualTo("d/g");
      assertThat(Files.getAttribute(fs.getPath("/d/g"), "unix:nlink")).isEqualTo(1);
    }
  }

  @Test
  void chmodChownTouch() throws Exception {
    vdisk("mkdir", "-P", image.toString(), "/d/e");
    vdisk("touch", image.toString(), "/d/e/f", "/d/g");
    vdisk("ln", "-s", image.toString(), "g", "/d/link");
    vdisk("chmod", image.toString(), "4755", "/d/g");
    vdisk("chmod", "-R", image.toString(), "0700", "/d/e");
    vdisk("chown", image.toString(), "1000:100", "/d/g");
    vdisk("chown", "-R", image.toString(), "5:6", "/d/e");
    vdisk("chown", image.toString(), ":9", "/d/e/f");
    vdisk("touch", "-d", "2020-01-02T03:04:05.678Z", image.toString(), "/d/g", "/new");
    fails(ExitCode.USAGE, "chmod", image.toString(), "u+x", "/d/g");
    fails(ExitCode.USAGE, "chown", image.toString(), "root:root", "/d/g");
    fails(ExitCode.USAGE, "touch", "-d", "yesterday", image.toString(), "/d/g");
    fails(ExitCode.BAD_INPUT, "chmod", image.toString(), "644", "/missing");
    try (VdiskFileSystem fs = read(image)) {
      assertThat(Files.getAttribute(fs.getPath("/d/g"), "unix:mode")).isEqualTo(0104755);
      assertThat(Files.getAttribute(fs.getPath("/d/e"), "unix:mode")).isEqualTo(040700);
      assertThat(Files.getAttribute(fs.getPath("/d/e/f"), "unix:mode")).isEqualTo(0100700);
      assertThat(Files.readAttributes(fs.getPath("/d/g"), "unix:uid,gid"))
          .containsEntry("uid", 1000).containsEntry("gid", 100);
      assertThat(Files.readAttributes(fs.getPath("/d/e/f"), "unix:uid,gid"))
          .containsEntry("uid", 5).containsEntry("gid", 9);
      assertThat(Files.getLastModifiedTime(fs.getPath("/d/g"))).isEqualTo(T1);
      assertThat(Files.getAttribute(fs.getPath("/d/g"), "lastAccessTime")).isEqualTo(T1);
      assertThat(Files.getLastModifiedTime(fs.getPath("/new"))).isEqualTo(T1);
      assertThat(Files.size(fs.getPath("/new"))).isZero();
      assertThat(Files.getAttribute(fs.getPath("/new"), "unix:mode")).isEqualTo(0100644);
    }
  }

  @Test
  void snapshotLeavesTheParentUnchanged() throws Exception {
    vdisk("mkdir", image.toString(), "/etc");
    Path parent = dir.resolve("parent.vhdx");
    vdisk("convert", "--no-progress", image.toString(), parent.toString(), "--format", "vhdx");
    String before = TestImages.sha256(parent, Files.size(parent));
    Path child = dir.resolve("child.vhdx");
    Path file = Files.writeString(dir.resolve("motd"), "from the snapshot\n");
    vdisk("put", "--snapshot", child.toString(), parent.toString(), file.toString(),
        "/etc/motd");
    assertThat(TestImages.sha256(parent, Files.size(parent))).isEqualTo(before);
    CliRunner cat = CliRunner.run("cat", child.toString(), "/etc/motd");
    assertThat(cat.exitCode()).as(cat.err()).isZero();
    assertThat(cat.out()).isEqualTo("from the snapshot\n");
    fails(ExitCode.BAD_INPUT, "cat", parent.toString(), "/etc/motd");
    CliRunner info = CliRunner.run("info", "--json", child.toString());
    assertThat(MAPPER.readTree(info.out()).get("chain").size()).isEqualTo(2);
    // an existing child is refused, and left alone
    byte[] childBytes = Files.readAllBytes(child);
    fails(ExitCode.REFUSED, "touch", "--snapshot", child.toString(), parent.toString(), "/x");
    assertThat(Files.readAllBytes(child)).isEqualTo(childBytes);
    // a failed change removes the child it made
    Path failed = dir.resolve("failed.vhdx");
    fails(ExitCode.BAD_INPUT, "mkdir", "--snapshot", failed.toString(), parent.toString(),
        "/etc");
    assertThat(failed).doesNotExist();
    assertThat(TestImages.sha256(parent, Files.size(parent))).isEqualTo(before);
  }

  @Test
  void putShowsProgressWhenAsked() throws Exception {
    Path big = Files.write(dir.resolve("big.bin"), new byte[2 << 20]);
    CliRunner r = CliRunner.run("put", "--progress", image.toString(), big.toString(), "/big");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("copying").contains("100%");
    assertThat(r.out()).isEqualTo("copied 1 files, 0 directories, 0 symbolic links, "
        + "0 hard links, " + Sizes.describe(2 << 20) + "\n");
    try (VdiskFileSystem fs = read(image)) {
      assertThat(Files.size(fs.getPath("/big"))).isEqualTo(2 << 20);
    }
  }

  @Test
  void refusalsExitThree() {
    assertThat(Main.exitCode(new ReadOnlyFileSystemException())).isEqualTo(ExitCode.REFUSED);
    assertThat(Main.exitCode(new dev.vdisk.core.UnsafeToWriteException(null,
        dev.vdisk.core.UnsafeToWriteException.Reason.READ_ONLY, "x")))
        .isEqualTo(ExitCode.REFUSED);
  }

  @Test
  void helpDocumentsTheCommands() {
    CliRunner help = CliRunner.run("--help");
    for (String c : new String[] {"put", "mkdir", "rm", "mv", "ln", "chmod", "chown", "touch"}) {
      assertThat(help.out()).contains(c);
      CliRunner own = CliRunner.run(c, "--help");
      assertThat(own.exitCode()).as(c).isZero();
      assertThat(own.out()).as(c).contains("IMAGE").contains("--partition")
          .contains("--snapshot");
    }
    assertThat(CliRunner.run("mkdir", "--help").out()).contains("--parents")
        .contains("'-p' is --partition");
  }
}
