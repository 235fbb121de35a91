package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class FixupsTest {
  private static ByteBuffer record(int size) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, "INDX".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putShort(4, (short) 0x28);
    b.putShort(6, (short) (size / 512 + 1));
    for (int i = 1; i <= size / 512; i++) {
      b.putShort(i * 512 - 2, (short) (0x1000 + i));
    }
    NtfsBytes.protect(b, (short) 7);
    return b;
  }

  @Test
  void restoresTheProtectedBytes() throws Exception {
    ByteBuffer b = record(4096);
    assertThat(b.getShort(510)).isEqualTo((short) 7);
    Fixups.apply(b, "t", 0, "index record");
    for (int i = 1; i <= 8; i++) {
      assertThat(b.getShort(i * 512 - 2)).isEqualTo((short) (0x1000 + i));
    }
  }

  @Test
  void tornWrite() {
    ByteBuffer b = record(4096);
    b.putShort(3 * 512 - 2, (short) 6);
    assertThatThrownBy(() -> Fixups.apply(b, "img", 4096, "index record"))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("img: offset 4096")
        .hasMessageContaining("index record")
        .hasMessageContaining("torn write: sector 2 ends with 0x0006")
        .hasMessageContaining("0x0007");
  }

  @Test
  void countDoesNotMatchSize() {
    ByteBuffer b = record(1024);
    b.putShort(6, (short) 4);
    rejects(b, "count 4");
    ByteBuffer odd = ByteBuffer.allocate(1000);
    rejects(odd, "record size 1000");
    rejects(ByteBuffer.allocate(6), "outside");
  }

  @Test
  void arrayOutsideTheRecord() {
    ByteBuffer b = record(1024);
    b.order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 1020);
    rejects(b, "offset 1020");
    ByteBuffer c = record(1024);
    c.order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 0x29);
    rejects(c, "offset 41");
    ByteBuffer d = record(1024);
    d.order(ByteOrder.LITTLE_ENDIAN).putShort(4, (short) 2);
    rejects(d, "offset 2");
  }

  private static void rejects(ByteBuffer b, String message) {
    assertThatThrownBy(() -> Fixups.apply(b, "img", 0, "MFT entry"))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("MFT entry")
        .hasMessageContaining(message);
  }
}
