package dev.vdisk.cli;

import static dev.vdisk.cli.TestImages.vdisk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The changing file commands on ext4 images that {@code mke2fs -d} made, checked with {@code
 * e2fsck -fn} (the image is clean: exit 0) and {@code debugfs} (what it reads back).
 *
 */
class WriteCommandsIT {
  static Path mke2fs;
  static Path e2fsck;
  static Path debugfs;

  @TempDir Path dir;

  @BeforeAll
  static void tools() {
    mke2fs = Oracles.require("mke2fs", "e2fsprogs");
    e2fsck = Oracles.require("e2fsck", "e2fsprogs");
    debugfs = Oracles.require("debugfs", "e2fsprogs");
  }

  /** A small source tree: a file, a subdirectory, a link. */
  private Path seedTree() throws Exception {
    Path src = Files.createDirectories(dir.resolve("seed"));
    Files.writeString(src.resolve("readme.txt"), "seeded by mke2fs\n");
    Files.createDirectories(src.resolve("etc"));
    Files.writeString(src.resolve("etc/hostname"), "old-host\n");
    Files.createSymbolicLink(src.resolve("link"), Path.of("readme.txt"));
    return src;
  }

  private Path ext4(String name, String options) throws Exception {
    Path image = dir.resolve(name);
    List<String> command = new ArrayList<>(List.of(mke2fs.toString(), "-q", "-F"));
    command.addAll(List.of(options.trim().split("\\s+")));
    command.addAll(List.of("-d", seedTree().toString(), image.toString(), "64M"));
    Oracles.runOk(command.toArray(new String[0]));
    return image;
  }

  private static void clean(Path image) {
    Oracles.Result r = Oracles.run(e2fsck.toString(), "-fn", image.toString());
    assertThat(r.exitCode()).as("e2fsck -fn %s:%n%s%s", image, r.stdout(), r.stderr())
        .isZero();
  }

  /** {@code debugfs -R 'stat PATH'}. */
  private static String stat(Path image, String path) {
    return Oracles.runOk(debugfs.toString(), "-R", "stat " + path, image.toString());
  }

  private static String field(String stat, String regex) {
    Matcher m = Pattern.compile(regex).matcher(stat);
    assertThat(m.find()).as("%s in%n%s", regex, stat).isTrue();
    return m.group(1);
  }

  private static int mode(String stat) {
    return Integer.parseInt(field(stat, "Mode:\\s+(\\d+)"), 8);
  }

  private static String owner(String stat) {
    return field(stat, "User:\\s+(\\d+)") + ":" + field(stat, "Group:\\s+(\\d+)");
  }

  private static long mtime(String stat) {
    return Long.decode(field(stat, "mtime: (0x[0-9a-f]+)"));
  }

  private static String type(String stat) {
    return field(stat, "Type: (\\S+)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
    "ext4; -t ext4",
    "ext4 with 1 KiB blocks; -t ext4 -b 1024",
    "ext4 without metadata_csum; -t ext4 -O ^metadata_csum",
    "ext3; -t ext3",
  })
  void mkdirTouchChmodChownLeaveTheImageClean(String name, String options) throws Exception {
    Path image = ext4("w.img", options);
    String img = image.toString();
    vdisk("mkdir", img, "/srv");
    vdisk("mkdir", "-P", "-m", "750", img, "/opt/app/bin");
    vdisk("touch", "-d", "2021-03-04T05:06:07Z", img, "/opt/app/bin/tool", "/readme.txt");
    vdisk("chmod", img, "4755", "/opt/app/bin/tool");
    vdisk("chown", "-R", img, "33:44", "/opt");
    vdisk("chmod", "-R", img, "700", "/srv");
    clean(image);

    String tool = stat(image, "/opt/app/bin/tool");
    assertThat(type(tool)).isEqualTo("regular");
    assertThat(mode(tool)).isEqualTo(04755);
    assertThat(owner(tool)).isEqualTo("33:44");
    assertThat(mtime(tool)).isEqualTo(1614834367L);
    assertThat(field(tool, "Size: (\\d+)")).isEqualTo("0");
    String bin = stat(image, "/opt/app/bin");
    assertThat(type(bin)).isEqualTo("directory");
    assertThat(mode(bin)).isEqualTo(0750);
    assertThat(owner(bin)).isEqualTo("33:44");
    assertThat(mode(stat(image, "/opt"))).isEqualTo(0755);
    assertThat(mode(stat(image, "/srv"))).isEqualTo(0700);
    assertThat(mtime(stat(image, "/readme.txt"))).isEqualTo(1614834367L);
    // vdisk reads back what it wrote
    CliRunner ls = CliRunner.run("ls", "-l", img, "/opt/app/bin");
    assertThat(ls.out()).contains("-rwsr-xr-x").contains("33").contains("tool");
  }

  @Test
  void snapshotWritesIntoAChildAndLeavesTheParentsBytes() throws Exception {
    Path raw = ext4("base.img", "-t ext4");
    Path parent = dir.resolve("parent.vhdx");
    vdisk("convert", "--no-progress", raw.toString(), parent.toString(), "--format", "vhdx");
    String before = TestImages.sha256(parent, Files.size(parent));
    Path child = dir.resolve("child.vhdx");
    vdisk("mkdir", "--snapshot", child.toString(), parent.toString(), "/from-snapshot");
    vdisk("touch", child.toString(), "/from-snapshot/file");

    assertThat(TestImages.sha256(parent, Files.size(parent))).isEqualTo(before);
    assertThat(CliRunner.run("ls", child.toString(), "/from-snapshot").out()).isEqualTo("file\n");
    assertThat(CliRunner.run("ls", parent.toString(), "/from-snapshot").exitCode())
        .isEqualTo(ExitCode.BAD_INPUT);
    // the child's file system is clean and debugfs sees the change
    Path flat = dir.resolve("child-flat.img");
    vdisk("convert", "--no-progress", child.toString(), flat.toString(), "--format", "raw");
    clean(flat);
    assertThat(type(stat(flat, "/from-snapshot"))).isEqualTo("directory");
    clean(raw); // the original raw image was only read
  }

  @Test
  void putCopiesATreeThatDebugfsReadsBack() throws Exception {
    Path image = ext4("put.img", "-t ext4");
    Path src = Files.createDirectories(dir.resolve("put-src"));
    Files.createDirectories(src.resolve("sub/deeper"));
    Files.writeString(src.resolve("sub/deeper/leaf.txt"), "leaf\n");
    byte[] big = new byte[3 << 20];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 7 + i / 4096);
    }
    Files.write(src.resolve("big.bin"), big);
    Files.createLink(src.resolve("big-again"), src.resolve("big.bin"));
    Files.createSymbolicLink(src.resolve("short"), Path.of("big.bin"));
    Files.createSymbolicLink(src.resolve("long"), Path.of("/" + "x".repeat(100) + "/target"));
    Files.setAttribute(src.resolve("big.bin"), "unix:mode", 04750);
    try (Stream<Path> all = Files.walk(src)) {
      for (Path p : all.toList()) {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setTimes(FileTime.fromMillis(1_600_000_000_000L), null, null);
      }
    }
    vdisk("put", "--owner", "1000:1000", image.toString(), src.toString(), "/");
    vdisk("put", image.toString(), Files.writeString(dir.resolve("h"), "new-host\n").toString(),
        "/etc/hostname");
    clean(image);

    Path out = Files.createDirectories(dir.resolve("rdump"));
    Oracles.runOk(debugfs.toString(), "-R", "rdump /put-src " + out, image.toString());
    Path back = out.resolve("put-src");
    assertThat(Files.readAllBytes(back.resolve("big.bin"))).isEqualTo(big);
    assertThat(Files.readString(back.resolve("sub/deeper/leaf.txt"))).isEqualTo("leaf\n");
    assertThat(Files.readSymbolicLink(back.resolve("long")))
        .isEqualTo(Files.readSymbolicLink(src.resolve("long")));
    String bigStat = stat(image, "/put-src/big.bin");
    assertThat(mode(bigStat)).isEqualTo(04750);
    assertThat(owner(bigStat)).isEqualTo("1000:1000");
    assertThat(field(bigStat, "Links: (\\d+)")).isEqualTo("2");
    assertThat(mtime(bigStat)).isEqualTo(1_600_000_000L);
    assertThat(type(stat(image, "/put-src/short"))).isEqualTo("symlink");
    assertThat(mtime(stat(image, "/put-src/sub"))).isEqualTo(1_600_000_000L);
    String hostname = Oracles.runOk(debugfs.toString(), "-R", "cat /etc/hostname",
        image.toString());
    assertThat(hostname).isEqualTo("new-host\n");
  }

  @Test
  void rmMvLnLeaveTheImageClean() throws Exception {
    Path image = ext4("rm.img", "-t ext4");
    String img = image.toString();
    vdisk("mv", img, "/etc/hostname", "/etc/hostname.old");
    vdisk("ln", "-s", img, "hostname.old", "/etc/hostname");
    vdisk("ln", img, "/readme.txt", "/etc/readme-hard");
    vdisk("rm", img, "/link");
    vdisk("mkdir", "-P", img, "/tmp/a/b");
    vdisk("touch", img, "/tmp/a/b/c");
    vdisk("rm", "-r", img, "/tmp");
    vdisk("mv", img, "/etc", "/etc2");
    clean(image);

    String ls = Oracles.runOk(debugfs.toString(), "-R", "ls -l /etc2", img);
    assertThat(ls).contains("hostname.old").contains("hostname").contains("readme-hard");
    assertThat(type(stat(image, "/etc2/hostname"))).isEqualTo("symlink");
    assertThat(field(stat(image, "/readme.txt"), "Links: (\\d+)")).isEqualTo("2");
    String root = Oracles.runOk(debugfs.toString(), "-R", "ls /", img);
    assertThat(root).doesNotContain("tmp").doesNotContain("link").doesNotContain(" etc ");
    assertThat(Oracles.runOk(debugfs.toString(), "-R", "cat /etc2/hostname.old", img)
        .getBytes(StandardCharsets.UTF_8)).isEqualTo("old-host\n".getBytes(StandardCharsets.UTF_8));
  }
}
