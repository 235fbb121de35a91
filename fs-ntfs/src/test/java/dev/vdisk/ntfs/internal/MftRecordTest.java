package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class MftRecordTest {
  private static final int DATA = 0x58; // offset of the $DATA attribute in NtfsBytes.mftEntry

  private static ByteBuffer entry() {
    return NtfsBytes.mftEntry(DataRunsTest.RUNS, 7);
  }

  @Test
  void parsesHeaderAttributesAndRuns() throws Exception {
    ByteBuffer raw = entry();
    MftRecord r = MftRecord.parse(raw, "img", 4096);
    assertThat(raw.getShort(510)).as("input left untouched").isEqualTo((short) 2);
    assertThat(r.sequence()).isEqualTo(5);
    assertThat(r.linkCount()).isEqualTo(1);
    assertThat(r.isInUse()).isTrue();
    assertThat(r.isDirectory()).isTrue();
    assertThat(r.firstAttributeOffset()).isEqualTo(0x38);
    assertThat(r.usedSize()).isEqualTo(DATA + 0x58 + 8);
    assertThat(r.allocatedSize()).isEqualTo(1024);
    assertThat(r.baseRecordReference()).isZero();
    assertThat(r.attributes()).hasSize(2);
    AttributeHeader si = r.attributes().get(0);
    assertThat(si.type()).isEqualTo(0x10);
    assertThat(si.nonResident()).isFalse();
    assertThat(si.name()).isEmpty();
    assertThat(r.residentValue(si).getLong(0)).isEqualTo(0x0102030405060708L);
    AttributeHeader data = r.attributes().get(1);
    assertThat(data.type()).isEqualTo(0x80);
    assertThat(data.nonResident()).isTrue();
    assertThat(data.name()).isEqualTo("ads");
    assertThat(data.isSparse()).isTrue();
    assertThat(data.isCompressed()).isFalse();
    assertThat(data.isEncrypted()).isFalse();
    assertThat(data.id()).isEqualTo(1);
    assertThat(data.firstVcn()).isZero();
    assertThat(data.lastVcn()).isEqualTo(7);
    assertThat(data.allocatedSize()).isEqualTo(8 * 4096);
    assertThat(data.dataSize()).isEqualTo(8 * 4096 - 100);
    assertThat(data.initializedSize()).isEqualTo(8 * 4096 - 200);
    assertThat(data.compressionUnit()).isZero();
    assertThat(r.dataRuns(data, 1000, "img", 4096)).containsExactly(
        new DataRuns.Run(0, 16, 4), new DataRuns.Run(4, -1, 2), new DataRuns.Run(6, 8, 2));
  }

  @Test
  void rejectsBadHeaders() {
    rejects(ByteBuffer.allocate(20), "outside the 20 bytes", "MFT entry");
    rejects(edit(b -> b.put(0, (byte) 'B')), "\"FILE\" signature", "MFT entry");
    rejects(edit(b -> b.putShort(1022, (short) 9)), "torn write", "MFT entry");
    rejects(edit(b -> b.putInt(0x1c, 4096)), "allocated size 4096", "MFT entry");
    rejects(edit(b -> b.putInt(0x18, 2000)), "used size 2000", "MFT entry");
    rejects(edit(b -> b.putInt(0x18, 16)), "used size 16", "MFT entry");
    rejects(edit(b -> b.putShort(0x14, (short) 0x3a)), "first attribute offset 58", "MFT entry");
    rejects(edit(b -> b.putShort(0x14, (short) 0x3f8)), "first attribute offset 1016",
        "MFT entry");
  }

  @Test
  void rejectsMissingEndMarker() {
    rejects(edit(b -> b.putInt(0x18, DATA + 0x58)), "outside the 176 bytes", "MFT entry");
  }

  @Test
  void rejectsBadAttributes() {
    rejects(edit(b -> b.putInt(DATA + 4, 0x54)), "length 84 is not a multiple",
        "MFT attribute");
    rejects(edit(b -> b.putInt(DATA + 4, 12)), "length 12", "MFT attribute");
    rejects(edit(b -> b.putInt(DATA + 4, 0x81)), "length 129", "MFT attribute");
    rejects(edit(b -> b.putInt(DATA + 4, -8)), "length 4294967288", "MFT attribute");
    rejects(edit(b -> b.put(DATA + 8, (byte) 2)), "non-resident flag 2", "MFT attribute");
    rejects(edit(b -> b.putInt(0x38 + 4, 0x10)), "shorter than the resident header",
        "MFT attribute");
    rejects(edit(b -> {
      b.putInt(DATA + 4, 0x38);
      b.putInt(DATA + 0x38, 0xffffffff);
      b.putInt(0x18, DATA + 0x40);
    }), "shorter than the non-resident header", "MFT attribute");
    rejects(edit(b -> b.put(DATA + 9, (byte) 200)), "name of 200 characters", "MFT attribute");
    rejects(edit(b -> b.putInt(0x38 + 0x10, 9)), "resident value of 9 bytes", "MFT attribute");
    rejects(edit(b -> b.putShort(0x38 + 0x14, (short) 0x30)), "resident value of 8 bytes at 48",
        "MFT attribute");
    rejects(edit(b -> b.putLong(DATA + 0x10, -1)), "VCN range", "MFT attribute");
    rejects(edit(b -> b.putLong(DATA + 0x18, -5)), "VCN range", "MFT attribute");
    rejects(edit(b -> b.putShort(DATA + 0x20, (short) 0x20)), "data runs offset 32",
        "MFT attribute");
    rejects(edit(b -> b.putShort(DATA + 0x20, (short) 0x60)), "data runs offset 96",
        "MFT attribute");
    rejects(edit(b -> b.putShort(DATA + 0x22, (short) 40)), "compression unit",
        "MFT attribute");
    rejects(edit(b -> b.putLong(DATA + 0x30, 1L << 40)), "sizes are inconsistent",
        "MFT attribute");
    rejects(edit(b -> b.putLong(DATA + 0x38, -1)), "sizes are inconsistent", "MFT attribute");
  }

  @Test
  void rejectsBadRunsThroughTheRecord() throws Exception {
    MftRecord r = MftRecord.parse(entry(), "img", 4096);
    AttributeHeader data = r.attributes().get(1);
    assertThatThrownBy(() -> r.dataRuns(data, 10, "img", 4096))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("img: offset " + (4096 + DATA + 0x48) + " ")
        .hasMessageContaining("outside the 10 clusters");
  }

  /** Edits a copy of the entry with the fixups undone, then protects it again. */
  private static ByteBuffer edit(Consumer<ByteBuffer> change) {
    ByteBuffer b = entry();
    try {
      Fixups.apply(b, "t", 0, "t");
    } catch (CorruptStructureException e) {
      throw new AssertionError(e);
    }
    b.order(ByteOrder.LITTLE_ENDIAN);
    change.accept(b);
    if (b.getShort(1022) == 9) { // a torn write: protect, then tear
      NtfsBytes.protect(b, (short) 2);
      b.putShort(1022, (short) 9);
      return b;
    }
    NtfsBytes.protect(b, (short) 2);
    return b;
  }

  private static void rejects(ByteBuffer b, String message, String structure) {
    assertThatThrownBy(() -> MftRecord.parse(b, "img", 4096))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("img: offset ")
        .hasMessageContaining(structure)
        .hasMessageContaining(message);
  }
}
