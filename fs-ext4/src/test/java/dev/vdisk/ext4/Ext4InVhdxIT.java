package dev.vdisk.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.FileSystemDrivers;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.NoFileSystemException;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.core.partition.Partition;
import dev.vdisk.core.partition.PartitionTable;
import dev.vdisk.testdata.Oracles;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ext4 file systems in GPT partitions of a disk converted to VHDX by {@code qemu-img}: found by
 * {@code --partition} and by default (the partition holding {@code /etc/os-release}), identified
 * without mounting as blkid does, and read as the kernel reads them through a loop mount at the
 * partition's offset in the raw disk.
 */
class Ext4InVhdxIT {
  @TempDir Path work;

  @Test
  void findsAndReadsExt4InAGptPartitionOfAVhdx() throws Exception {
    Oracles.require("sgdisk", "gdisk");
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.require("blkid", "util-linux");
    Oracles.requireRoot("loop mounts");
    Path data = work.resolve("data");
    Path root = work.resolve("root");
    Files.createDirectories(data.resolve("docs"));
    Files.writeString(data.resolve("docs/readme.txt"), "data partition\n");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/os-release"), "NAME=\"Test OS\"\nID=testos\n");
    Files.writeString(root.resolve("etc/hostname"), "vdisk-test\n");

    Path raw = work.resolve("disk.raw");
    Oracles.runOk("truncate", "-s", "96M", raw.toString());
    Oracles.runOk("sgdisk", "--new=1:2048:+16M", "--typecode=1:ef00",
        "--new=2:0:+32M", "--typecode=2:8300", "--change-name=2:data",
        "--new=3:0:0", "--typecode=3:8300", "--change-name=3:root", raw.toString());
    long[] starts = new long[4];
    long[] sizes = new long[4];
    for (int i = 1; i <= 3; i++) {
      String info = Oracles.runOk("sgdisk", "-i", String.valueOf(i), raw.toString());
      starts[i] = Long.parseLong(info.replaceAll("(?s).*First sector: (\\d+).*", "$1")) * 512;
      long last = Long.parseLong(info.replaceAll("(?s).*Last sector: (\\d+).*", "$1"));
      sizes[i] = (last + 1) * 512 - starts[i];
    }
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", "-L", "data", "-d", data.toString(),
        "-E", "offset=" + starts[2], raw.toString(), (sizes[2] / 1024) + "k");
    Oracles.runOk("mke2fs", "-q", "-F", "-t", "ext4", "-L", "root", "-d", root.toString(),
        "-E", "offset=" + starts[3], raw.toString(), (sizes[3] / 1024) + "k");
    Path vhdx = work.resolve("disk.vhdx");
    Oracles.runOk("qemu-img", "convert", "-f", "raw", "-O", "vhdx", raw.toString(),
        vhdx.toString());

    String kernelOsRelease;
    String blkidRoot = Oracles.runOk("blkid", "-p", "-O", String.valueOf(starts[3]),
        "-o", "export", raw.toString());
    Path mnt = work.resolve("mnt");
    Files.createDirectory(mnt);
    Oracles.runOk("mount", "-o", "loop,ro,offset=" + starts[3], raw.toString(), mnt.toString());
    try {
      kernelOsRelease = Files.readString(mnt.resolve("etc/os-release"));
    } finally {
      Oracles.run("umount", mnt.toString());
    }

    try (VdiskFileSystem fs = VdiskFileSystems.open(vhdx, OptionalInt.empty())) {
      assertThat(fs.partition()).hasValue(3);
      assertThat(Files.readString(fs.getPath("/etc/os-release"))).isEqualTo(kernelOsRelease);
      assertThat(fs.identity().label()).isEqualTo("root");
      assertThat(blkidRoot).contains("UUID=" + fs.identity().uuid())
          .contains("TYPE=" + fs.identity().type());
    }
    try (VdiskFileSystem fs = VdiskFileSystems.open(vhdx, OptionalInt.of(2))) {
      assertThat(Files.readString(fs.getPath("/docs/readme.txt"))).isEqualTo("data partition\n");
    }
    try (FileSystem fs = FileSystems.newFileSystem(vhdx, Map.of("partition", 2))) {
      assertThat(Files.exists(fs.getPath("/docs/readme.txt"))).isTrue();
    }
    // The README example, as written there.
    try (FileSystem fs = FileSystems.newFileSystem(vhdx, Map.of())) {
      assertThat(Files.readString(fs.getPath("/etc/os-release"))).isEqualTo(kernelOsRelease);
      assertThat(Files.readString(fs.getPath("/etc/hostname"))).isEqualTo("vdisk-test\n");
    }
    assertThatThrownBy(() -> VdiskFileSystems.open(vhdx, OptionalInt.of(1)))
        .isInstanceOf(NoFileSystemException.class);
    try (VirtualDisk disk = VirtualDisks.open(vhdx)) {
      PartitionTable table = PartitionTable.read(disk);
      for (Partition p : table.partitions()) {
        Optional<FileSystemIdentity> id = FileSystemDrivers.identify(p);
        if (p.index() == 1) {
          assertThat(id).isEmpty();
        } else {
          String blkid = Oracles.runOk("blkid", "-p", "-O", String.valueOf(starts[p.index()]),
              "-o", "export", raw.toString());
          assertThat(blkid).contains("LABEL=" + id.get().label())
              .contains("UUID=" + id.get().uuid()).contains("TYPE=ext4");
        }
      }
    }
  }
}
