package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.Oracles;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example, run as written against an ext4 file system in the second GPT
 * partition of a VHDX that mke2fs, sgdisk and qemu-img made.
 */
class EmbeddingExampleIT {
  @TempDir Path dir;

  @Test
  void readmeExampleReadsOsReleaseThroughFileSystemsNewFileSystem() throws Exception {
    Path mke2fs = Oracles.require("mke2fs", "e2fsprogs");
    Path sgdisk = Oracles.require("sgdisk", "gdisk");
    Path qemuImg = Oracles.require("qemu-img", "qemu-utils");
    Path root = Files.createDirectories(dir.resolve("root/etc"));
    String release = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n";
    Files.writeString(root.resolve("os-release"), release);
    Files.writeString(root.resolve("shadow"), "root:*:19000:0:99999:7:::\n");
    Path raw = dir.resolve("disk.raw");
    Oracles.runOk("truncate", "-s", "80M", raw.toString());
    Oracles.runOk(sgdisk.toString(), "-n", "1:2048:+8M", "-t", "1:ef00", "-n", "2:0:0", "-t",
        "2:8300", raw.toString());
    long start = Long.parseLong(Oracles.runOk(sgdisk.toString(), "-i", "2", raw.toString())
        .replaceAll("(?s).*First sector: (\\d+).*", "$1"));
    // mke2fs writes the file system straight into partition 2 of the raw disk.
    Oracles.runOk(mke2fs.toString(), "-q", "-F", "-t", "ext4", "-E", "offset=" + start * 512,
        "-d", dir.resolve("root").toString(), raw.toString(), "60M");
    Path image = dir.resolve("disk.vhdx");
    Oracles.runOk(qemuImg.toString(), "convert", "-f", "raw", "-O", "vhdx", raw.toString(),
        image.toString());

    // The README's example, unchanged but for collecting what it prints.
    String osRelease;
    Map<String, Object> unix;
    List<Path> walked;
    try (FileSystem fs = FileSystems.newFileSystem(image, Map.of("partition", 2))) {
      osRelease = Files.readString(fs.getPath("/etc/os-release"));
      unix = Files.readAttributes(fs.getPath("/etc/shadow"), "unix:*");
      try (Stream<Path> all = Files.walk(fs.getPath("/etc"))) {
        walked = all.toList();
      }
    }
    assertThat(osRelease).isEqualTo(release);
    assertThat(unix.get("size")).isEqualTo(Files.size(root.resolve("shadow")));
    assertThat(((Number) unix.get("mode")).intValue() & 0777)
        .isEqualTo(((Number) Files.getAttribute(root.resolve("shadow"), "unix:mode")).intValue()
            & 0777);
    assertThat(walked).extracting(Path::toString)
        .containsExactlyInAnyOrder("/etc", "/etc/os-release", "/etc/shadow");
  }
}
