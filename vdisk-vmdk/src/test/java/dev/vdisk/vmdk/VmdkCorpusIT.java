package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The third-party VMDK files in the shared corpus (see its MANIFEST.tsv): the ones qemu-img reads
 * must read identically here; the damaged ones must give a typed error.
 */
class VmdkCorpusIT {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({
    "dfvfs/test_data/ext2.vmdk, monolithicSparse",
    "dfvfs/test_data/image.vmdk, monolithicSparse",
    "go-vmdk-parser/pkg/virtualization/vmdk/testdata/vmdk-monolith.img, monolithicSparse",
    "osv-scalibr/extractor/filesystem/embeddedfs/vmdk/testdata/valid-ext-exfat-fat32-ntfs.vmdk,"
        + " monolithicSparse",
    "go-vmdk-parser/pkg/virtualization/vmdk/testdata/vmdk-streamoptimized.img, streamOptimized",
    "mdx1/ovf/000001/1mb.vmdk, streamOptimized",
    "mdx1/ovf/00_000_essential_none_00_00/64KiB.vmdk, streamOptimized",
    "qemu-sample-images/tests/qemu-iotests/sample_images/iotest-version3.vmdk.bz2,"
        + " streamOptimized",
  })
  void readsAsQemuDoes(String relative, String createType) throws Exception {
    Path image = VmdkTesting.corpus(relative, dir);
    Path qemuRaw = VmdkTesting.qemuRaw(image, dir);
    try (VirtualDisk disk = VirtualDisks.open(image)) {
      assertThat(disk.format().name()).isEqualTo("vmdk");
      assertThat(disk.info().variant()).isEqualTo(createType);
      if (disk.size() <= (1L << 30)) {
        assertThat(VmdkTesting.sha256(disk)).isEqualTo(VmdkTesting.sha256(qemuRaw));
      } else {
        // qemu's output is sparse: compare data runs, skip holes on both sides
        VmdkTesting.assertSameContent(disk, qemuRaw);
      }
    }
    assertThat(new VmdkFormat().check(image).isClean()).isTrue();
  }

  /** libvmdk's descriptor test file: parsed fully; its extent file is not in the corpus. */
  @org.junit.jupiter.api.Test
  void parsesLibvmdkDescriptorFragment() throws Exception {
    Path file = VmdkTesting.corpus("libvmdk/tests/data/descriptor_file.1", dir);
    dev.vdisk.vmdk.internal.Descriptor d = dev.vdisk.vmdk.internal.Descriptor.parse(file, 0,
        java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(file)));
    assertThat(d.createType()).isEqualTo("monolithicSparse");
    assertThat(d.cid(file)).isEqualTo(0xfffffffeL);
    assertThat(d.get("ddb.longContentID")).contains("e61f2478a1f3c8bc7c3a8f36fffffffe");
    assertThat(d.extents()).singleElement().satisfies(e -> {
      assertThat(e.sectors()).isEqualTo(16777216);
      assertThat(e.fileName()).isEqualTo("test1.vmdk");
    });
    assertThat(d.toBytes()).isEqualTo(java.nio.file.Files.readAllBytes(file));
    // qemu cannot open it either (the extent file is missing)
    assertThat(dev.vdisk.testdata.Oracles.run(VmdkTesting.qemuImg(), "info", "-f", "vmdk",
        file.toString()).exitCode()).isNotZero();
    assertThatThrownBy(() -> VirtualDisks.open(file)).isInstanceOf(VdiskException.class)
        .hasMessageContaining("test1.vmdk");
  }

  /** Files qemu-img refuses: a typed error here too, never a runtime exception. */
  @ParameterizedTest
  @CsvSource({
    "go-vmdk-parser/pkg/virtualization/vmdk/testdata/vmdk-invalid.img",
    "qemu-sample-images/tests/qemu-iotests/sample_images/afl9.vmdk.bz2",
  })
  void refusesDamagedFiles(String relative) throws Exception {
    Path image = VmdkTesting.corpus(relative, dir);
    assertThat(dev.vdisk.testdata.Oracles.run(VmdkTesting.qemuImg(), "info", "-f", "vmdk",
        image.toString()).exitCode()).isNotZero();
    assertThatThrownBy(() -> {
      try (VirtualDisk disk = new VmdkFormat().open(image, OpenOptions.readOnly())) {
        VmdkTesting.sha256(disk);
      }
    }).isInstanceOf(VdiskException.class);
  }
}
