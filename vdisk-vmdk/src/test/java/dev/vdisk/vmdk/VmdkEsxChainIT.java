package dev.vdisk.vmdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.vmdk.internal.esx.CowdHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ESXi snapshot chain as a datastore holds it: a "vmfs" base (descriptor and flat extent) and
 * a vmfsSparse (COWD) delta whose descriptor names the base through parentFileNameHint and
 * parentCID. Opened through {@link VirtualDisks#open}, it must read as qemu-img reads it.
 *
 * <p>The descriptors put a comment line right before the extents, as VMware does: qemu 7.2 reads
 * an extent line that follows an empty line twice (its disk becomes twice as large).
 */
class VmdkEsxChainIT {
  private static final int SECTORS = 8192;
  private static final int GRAIN = 16;

  @TempDir Path dir;

  @Test
  void readsVmfsSparseDeltaOverVmfsBase() throws Exception {
    Random random = new Random(12);
    byte[] base = new byte[SECTORS * 512];
    random.nextBytes(base);
    Files.write(dir.resolve("esx-flat.vmdk"), base);
    Files.writeString(dir.resolve("esx.vmdk"), "# Disk DescriptorFile\nversion=1\n"
        + "CID=0badcafe\nparentCID=ffffffff\ncreateType=\"vmfs\"\n\n# Extent description\n"
        + "RW " + SECTORS + " VMFS \"esx-flat.vmdk\"\n\nddb.adapterType = \"lsilogic\"\n");
    // the COWD delta: header (4 sectors), directory (1 sector), one table (32 sectors), grains
    long gdSector = CowdHeader.SIZE / 512;
    long gtSector = gdSector + 1;
    long first = gtSector + CowdHeader.GT_ENTRIES * 4 / 512;
    int[] grains = {0, 3, 100, 511};
    Path delta = dir.resolve("esx-000001-delta.vmdk");
    try (FileChannel c = FileChannel.open(delta, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      long free = first + (long) grains.length * GRAIN;
      ByteBuffer h = ByteBuffer.allocate(CowdHeader.SIZE);
      new CowdHeader(1, 3, SECTORS, GRAIN, gdSector, 1, free, "", 0).writeTo(h);
      c.write(h.flip(), 0);
      c.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) gtSector),
          gdSector * 512);
      for (int i = 0; i < grains.length; i++) {
        long sector = first + (long) i * GRAIN;
        c.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) sector),
            gtSector * 512 + grains[i] * 4L);
        byte[] data = new byte[GRAIN * 512];
        random.nextBytes(data);
        c.write(ByteBuffer.wrap(data), sector * 512);
      }
    }
    Path child = dir.resolve("esx-000001.vmdk");
    Files.writeString(child, "# Disk DescriptorFile\nversion=1\nCID=12345678\n"
        + "parentCID=0badcafe\ncreateType=\"vmfsSparse\"\nparentFileNameHint=\"esx.vmdk\"\n\n"
        + "# Extent description\n"
        + "RW " + SECTORS + " VMFSSPARSE \"esx-000001-delta.vmdk\"\n\n"
        + "ddb.adapterType = \"lsilogic\"\n");
    String expected = VmdkTesting.sha256(VmdkTesting.qemuRaw(child, dir));
    try (VirtualDisk disk = VirtualDisks.open(child)) {
      assertThat(disk.info().variant()).isEqualTo("vmfsSparse");
      assertThat(disk.info().chain()).hasSize(2);
      assertThat(VmdkTesting.sha256(disk)).isEqualTo(expected);
    }
    try (VirtualDisk disk = VirtualDisks.open(child, OpenOptions.readWrite())) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> disk.write(0, ByteBuffer.allocate(512)))
          .isInstanceOf(UnsafeToWriteException.class);
    }
    assertThat(VmdkTesting.sha256(VmdkTesting.qemuRaw(child,
        Files.createDirectories(dir.resolve("after"))))).isEqualTo(expected);
  }
}
