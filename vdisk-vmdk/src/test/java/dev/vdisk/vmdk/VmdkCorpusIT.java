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
  })
  void readsAsQemuDoes(String relative, String createType) throws Exception {
    Path image = VmdkTesting.corpus(relative, dir);
    String expected = VmdkTesting.sha256(VmdkTesting.qemuRaw(image, dir));
    try (VirtualDisk disk = VirtualDisks.open(image)) {
      assertThat(disk.format().name()).isEqualTo("vmdk");
      assertThat(disk.info().variant()).isEqualTo(createType);
      assertThat(VmdkTesting.sha256(disk)).isEqualTo(expected);
    }
    assertThat(new VmdkFormat().check(image).isClean()).isTrue();
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
