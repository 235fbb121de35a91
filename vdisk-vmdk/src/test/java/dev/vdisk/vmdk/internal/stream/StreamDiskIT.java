package dev.vdisk.vmdk.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.testdata.Oracles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VMware-written streamOptimized files of the corpus opened through {@link
 * VirtualDisks#open}: the disk reads what {@code qemu-img convert -O raw} reads; the truncated
 * ovftool export is refused by both.
 */
class StreamDiskIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"mdx1/ovf/000001/1mb.vmdk",
      "mdx1/ovf/00_000_essential_none_00_00/64KiB.vmdk"})
  void vmwareFilesReadAsQemu(String name) throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Path vmdk = StreamTesting.corpus(name, dir);
    Path raw = dir.resolve("q.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
        raw.toString());
    byte[] expected = Files.readAllBytes(raw);
    try (VirtualDisk disk = VirtualDisks.open(vmdk)) {
      assertThat(disk.info().variant()).isEqualTo("streamOptimized");
      ByteBuffer all = ByteBuffer.allocate((int) disk.size());
      disk.read(0, all);
      assertThat(all.array()).isEqualTo(expected);
    }
  }

  @Test
  void truncatedExportIsRefusedLikeQemu() throws Exception {
    Oracles.require("qemu-img", "qemu-utils");
    Path vmdk = StreamTesting.corpus(
        "govmomi/vapi/library/testdata/ttylinux-pc_i486-16.1-disk1.vmdk", dir);
    assertThat(Oracles.run("qemu-img", "info", vmdk.toString()).stderr())
        .contains("Invalid footer");
    assertThatThrownBy(() -> VirtualDisks.open(vmdk).close())
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("footer");
  }
}
