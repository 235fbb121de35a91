package dev.vdisk.vmdk.internal.esx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.Allocation;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.vmdk.internal.Extent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Compares an extent's allocation runs with {@code qemu-img map --output=json} of its image. */
public final class QemuMap {
  private QemuMap() {}

  private static final Pattern MAP = Pattern.compile(
      "\\{ *\"start\": *(\\d+), *\"length\": *(\\d+), *\"depth\": *\\d+,"
          + "(?: *\"present\": *(true|false),)? *\"zero\": *(true|false), *\"data\": *(true|false)");

  /**
   * Asserts that our allocation runs agree with qemu-img map, sector by sector: DATA where qemu
   * has data, ZERO where qemu has present zeros, UNALLOCATED where qemu has nothing present.
   *
   * @param extent the extent (the image's only extent)
   * @param image the image qemu-img opens
   * @return how many different states qemu reported
   * @throws IOException on failure
   */
  public static long assertSameMap(Extent extent, Path image) throws IOException {
    String json = Oracles.runOk("qemu-img", "map", "--output=json", "-f", "vmdk",
        image.toString());
    Matcher m = MAP.matcher(json);
    List<long[]> qemu = new ArrayList<>();
    while (m.find()) {
      long state = Boolean.parseBoolean(m.group(5)) ? 0
          : m.group(3) == null || Boolean.parseBoolean(m.group(3)) ? 1 : 2;
      qemu.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), state});
    }
    assertThat(qemu).as(json).isNotEmpty();
    byte[] ours = new byte[(int) (extent.size() / 512)];
    for (long pos = 0; pos < extent.size(); ) {
      Allocation run = extent.allocation(pos);
      byte s = (byte) switch (run.state()) {
        case DATA -> 0;
        case ZERO -> 1;
        case UNALLOCATED -> 2;
      };
      Arrays.fill(ours, (int) (run.offset() / 512), (int) (run.end() / 512), s);
      pos = run.end();
    }
    for (long[] run : qemu) {
      for (long sector = run[0] / 512; sector < (run[0] + run[1]) / 512; sector++) {
        byte s = ours[(int) sector];
        if (run[2] == 0) {
          assertThat(s).as("sector %d: qemu says data", sector).isEqualTo((byte) 0);
        } else if (run[2] == 1) {
          assertThat(s).as("sector %d: qemu says present zeros", sector).isEqualTo((byte) 1);
        } else {
          assertThat(s).as("sector %d: qemu says not present", sector).isEqualTo((byte) 2);
        }
      }
    }
    return qemu.stream().mapToLong(r -> r[2]).distinct().count();
  }
}
