package dev.vdisk.vhd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiskGeometryTest {

  /** Geometries found in real images whose writers follow the specification's algorithm. */
  @ParameterizedTest(name = "{0} bytes -> {1}")
  @CsvSource({
    // Windows 10 (dfvfs fat-differential.vhd): 4 MiB
    "4194304, 120/4/17",
    // qemu (dfvfs ext2.vhd): 4212736 bytes
    "4212736, 121/4/17",
    // Hyper-V 2012 R2 (qemu's hyperv2012r2-dynamic.vhd): 127 GiB
    "136365211648, 65278/16/255",
    // libvhdi test data (file_footer.1, Virtual PC): 512 MiB
    "536870912, 1040/16/63",
    // the maximum, and beyond it
    "136899993600, 65535/16/255",
    "2190433320960, 65535/16/255",
    "0, 0/4/17",
  })
  void specificationAlgorithm(long bytes, String expected) {
    assertThat(DiskGeometry.fromTotalSectors(bytes / 512).toString()).isEqualTo(expected);
  }

  @Test
  void branchesOfTheAlgorithm() {
    // heads grow past 16 with 17 sectors per track: switch to 31
    assertThat(DiskGeometry.fromTotalSectors(17L * 16 * 1024 + 17)).hasToString("561/16/31");
    // 31 sectors per track not enough: 63
    assertThat(DiskGeometry.fromTotalSectors(31L * 16 * 1024)).hasToString("503/16/63");
    // exactly the 255 threshold
    assertThat(DiskGeometry.fromTotalSectors(65535L * 16 * 63)).hasToString("16191/16/255");
  }

  @Test
  void fieldRoundTrip() {
    DiskGeometry g = new DiskGeometry(65278, 16, 255);
    assertThat(g.toField()).isEqualTo(0xFEFE10FF);
    assertThat(DiskGeometry.parse(g.toField())).isEqualTo(g);
    assertThat(g.sizeInBytes()).isEqualTo(136363130880L);
  }

  @Test
  void rejectsOutOfRange() {
    assertThatThrownBy(() -> new DiskGeometry(70000, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DiskGeometry.fromTotalSectors(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverDescribesMoreThanTheSize() {
    for (long sectors = 1; sectors < 5_000_000; sectors = sectors * 3 + 7) {
      DiskGeometry g = DiskGeometry.fromTotalSectors(sectors);
      assertThat(g.sizeInBytes()).isLessThanOrEqualTo(sectors * 512);
    }
  }
}
