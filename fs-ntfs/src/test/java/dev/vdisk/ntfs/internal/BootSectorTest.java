package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class BootSectorTest {
  @Test
  void parsesGeometry() throws Exception {
    BootSector bs = BootSector.parse(NtfsBytes.bootSector(), "t", 0);
    assertThat(bs.bytesPerSector()).isEqualTo(512);
    assertThat(bs.sectorsPerCluster()).isEqualTo(8);
    assertThat(bs.clusterSize()).isEqualTo(4096);
    assertThat(bs.totalSectors()).isEqualTo(131071);
    assertThat(bs.clusterCount()).isEqualTo(16383);
    assertThat(bs.mftCluster()).isEqualTo(4);
    assertThat(bs.mftMirrCluster()).isEqualTo(8191);
    assertThat(bs.mftRecordSize()).isEqualTo(1024);
    assertThat(bs.indexRecordSize()).isEqualTo(4096);
    assertThat(bs.serialNumber()).isEqualTo(0x1122334455667788L);
    assertThat(bs.backupOffset()).isEqualTo(131071L * 512);
  }

  @Test
  void decodesTheNegativeSectorsPerClusterEncoding() throws Exception {
    ByteBuffer b = NtfsBytes.bootSector();
    b.put(0x0d, (byte) 0xf4); // 2^12 sectors of 512 bytes: 2 MiB clusters
    b.putLong(0x28, 4096L * 100);
    b.putLong(0x38, 50);
    b.put(0x44, (byte) -12);
    BootSector bs = BootSector.parse(b, "t", 0);
    assertThat(bs.sectorsPerCluster()).isEqualTo(4096);
    assertThat(bs.clusterSize()).isEqualTo(2 * 1024 * 1024);
    assertThat(bs.clusterCount()).isEqualTo(100);
  }

  @Test
  void positiveClustersPerRecord() throws Exception {
    ByteBuffer b = NtfsBytes.bootSector();
    b.put(0x0d, (byte) 1);
    b.put(0x40, (byte) 2);
    b.putLong(0x38, 100);
    assertThat(BootSector.parse(b, "t", 0).mftRecordSize()).isEqualTo(1024);
  }

  @Test
  void shortBuffer() {
    rejects(ByteBuffer.allocate(100), "only 100 bytes");
  }

  @Test
  void badSignatures() {
    rejects(mutated(b -> b.put(3, (byte) 'X')), "signature");
    rejects(mutated(b -> b.put(511, (byte) 0)), "0x55 0xAA");
  }

  @Test
  void badGeometry() {
    rejects(mutated(b -> b.putShort(0x0b, (short) 500)), "bytes per sector 500");
    rejects(mutated(b -> b.putShort(0x0b, (short) 8192)), "bytes per sector 8192");
    rejects(mutated(b -> b.put(0x0d, (byte) 0)), "sectors per cluster is 0");
    rejects(mutated(b -> b.put(0x0d, (byte) 3)), "not a power of two");
    rejects(mutated(b -> {
      b.putShort(0x0b, (short) 4096);
      b.put(0x0d, (byte) 0xf4);
    }), "cluster size 16777216 exceeds 2 MiB");
    rejects(mutated(b -> b.put(0x0d, (byte) 0x81)), "too large");
    rejects(mutated(b -> b.putLong(0x28, 0)), "total sectors 0");
    rejects(mutated(b -> b.putLong(0x28, -1)), "total sectors 18446744073709551615");
  }

  @Test
  void badReferences() {
    rejects(mutated(b -> b.putLong(0x30, 16383)), "$MFT cluster 16383");
    rejects(mutated(b -> b.putLong(0x38, -5)), "$MFTMirr cluster");
    rejects(mutated(b -> b.put(0x40, (byte) 0)), "clusters per MFT entry field 0");
    rejects(mutated(b -> b.put(0x40, (byte) -40)), "clusters per MFT entry field -40");
    rejects(mutated(b -> b.put(0x40, (byte) -4)), "MFT entry size 16");
    rejects(mutated(b -> b.put(0x44, (byte) 127)), "index entry size");
    rejects(mutated(b -> {
      b.putShort(0x0b, (short) 4096);
      b.put(0x0d, (byte) 1);
      b.putLong(0x38, 100);
    }), "smaller than a sector");
  }

  private static ByteBuffer mutated(Consumer<ByteBuffer> change) {
    ByteBuffer b = NtfsBytes.bootSector();
    change.accept(b);
    return b;
  }

  private static void rejects(ByteBuffer b, String message) {
    assertThatThrownBy(() -> BootSector.parse(b, "img", 1234))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("img: offset 1234")
        .hasMessageContaining("NTFS boot sector")
        .hasMessageContaining(message);
  }
}
