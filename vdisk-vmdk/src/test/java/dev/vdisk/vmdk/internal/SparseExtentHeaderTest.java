package dev.vdisk.vmdk.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SparseExtentHeaderTest {
  private static final Path FILE = Path.of("x.vmdk");

  private static SparseExtentHeader sample() {
    return SparseExtentHeader.of(1, SparseExtentHeader.FLAG_VALID_NEWLINE_TEST
            | SparseExtentHeader.FLAG_REDUNDANT_GRAIN_TABLE, 204800, 128, 1, 20, 512, 21, 38, 128,
        0);
  }

  @Test
  void roundTripsAndComputesGeometry() throws Exception {
    SparseExtentHeader h = sample().withUncleanShutdown(true);
    ByteBuffer b = ByteBuffer.allocate(512);
    h.writeTo(b);
    assertThat(b.position()).isEqualTo(512);
    SparseExtentHeader back = SparseExtentHeader.parse(FILE, b.flip());
    assertThat(back).isEqualTo(h);
    assertThat(back.grainBytes()).isEqualTo(65536);
    assertThat(back.capacityBytes()).isEqualTo(100L << 20);
    assertThat(back.grainDirectoryEntries()).isEqualTo(4);
    assertThat(back.hasFlag(SparseExtentHeader.FLAG_REDUNDANT_GRAIN_TABLE)).isTrue();
    byte[] raw = h.toBytes();
    assertThat(new String(raw, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("KDMV");
    assertThat(raw[72]).isEqualTo((byte) 1);
    assertThat(new String(raw, 73, 4, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("\n \r\n");
  }

  private static ByteBuffer with(int offset, long value, int width) {
    ByteBuffer b = ByteBuffer.wrap(sample().toBytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (width) {
      case 1 -> b.put(offset, (byte) value);
      case 2 -> b.putShort(offset, (short) value);
      case 4 -> b.putInt(offset, (int) value);
      default -> b.putLong(offset, value);
    }
    return b;
  }

  @Test
  void rejectsBadFields() {
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(0, 0x12345678, 4)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("magic");
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(4, 4, 4)))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(75, '\n', 1)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("text mode");
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(20, 3, 8)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("grain size");
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(20, 0, 8)))
        .isInstanceOf(CorruptStructureException.class);
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(12, -1, 8)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("capacity");
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(44, 0, 4)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("numGTEsPerGT");
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(56, 1L << 60, 8)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("gdOffset");
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, with(77, 7, 2)))
        .isInstanceOf(UnsupportedFeatureException.class);
    assertThatThrownBy(() -> SparseExtentHeader.parse(FILE, ByteBuffer.allocate(100)))
        .isInstanceOf(CorruptStructureException.class).hasMessageContaining("100 of 512");
  }

  @Test
  void gdAtEndIsAccepted() throws Exception {
    SparseExtentHeader h = SparseExtentHeader.parse(FILE, with(56, -1, 8));
    assertThat(h.gdOffset()).isEqualTo(SparseExtentHeader.GD_AT_END);
    assertThat(h.withGdOffset(99).gdOffset()).isEqualTo(99);
  }

  @Test
  void grainTablesFlagEntriesOutsideTheFile() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0).putInt(1).putInt(128).putInt(100000);
    GrainTable t = GrainTable.parse(FILE, 0, b.flip(), 4);
    assertThat(t.firstBadEntry(65536 * 2, 65536, 128, true)).isEqualTo(3);
    assertThat(t.firstBadEntry(65536 * 2, 65536, 128, false)).isEqualTo(1);
    assertThatThrownBy(() -> GrainTable.parse(FILE, 0, ByteBuffer.allocate(8), 4))
        .isInstanceOf(CorruptStructureException.class);
    GrainDirectory gd = GrainDirectory.parse(FILE, 0, b.rewind(), 4);
    assertThat(gd.firstBadEntry(100000L * 512, 2048)).isEqualTo(3);
    ByteBuffer out = ByteBuffer.allocate(16);
    gd.writeTo(out);
    assertThat(out.array()).isEqualTo(b.array());
  }
}
