package dev.vdisk.ntfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataRunsTest {
  static final byte[] RUNS = {0x11, 0x04, 0x10, 0x01, 0x02, 0x11, 0x02, (byte) 0xf8, 0x00};

  private static List<DataRuns.Run> decode(byte[] runs, long first, long last, long clusters)
      throws CorruptStructureException {
    return DataRuns.decode(ByteBuffer.wrap(runs), first, last, clusters, "img", 100);
  }

  @Test
  void decodesRelativeSignedAndSparseRuns() throws Exception {
    assertThat(decode(RUNS, 0, 7, 1000)).containsExactly(
        new DataRuns.Run(0, 16, 4), new DataRuns.Run(4, -1, 2), new DataRuns.Run(6, 8, 2));
    assertThat(decode(RUNS, 0, 7, 1000).get(1).isSparse()).isTrue();
  }

  @Test
  void wideFieldsAndExtentStartingLater() throws Exception {
    byte[] runs = {0x32, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00};
    assertThat(decode(runs, 10, 10 + 255, 1L << 20))
        .containsExactly(new DataRuns.Run(10, 65536, 256));
  }

  @Test
  void emptyRunlist() throws Exception {
    assertThat(decode(new byte[] {0}, 0, -1, 10)).isEmpty();
  }

  @Test
  void rejectsCorruptRunlists() {
    rejects(new byte[] {0x11, 0x04}, 0, 3, 100, "cut off", 100);
    rejects(new byte[] {0x11, 0x04, 0x10}, 0, 3, 100, "no terminating 0 byte", 103);
    rejects(new byte[] {0x10, 0x00}, 0, 3, 100, "length field of 0 bytes", 100);
    rejects(new byte[] {0x19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 3, 100, "length field of 9", 100);
    rejects(new byte[] {(byte) 0x91, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 100,
        "offset field of 9", 100);
    rejects(new byte[] {0x11, 0x00, 0x01, 0}, 0, 3, 100, "run length 0", 100);
    rejects(new byte[] {0x18, -1, -1, -1, -1, -1, -1, -1, -1, 0x00}, 0, 3, 100,
        "run length 18446744073709551615", 100);
    rejects(new byte[] {0x11, 0x04, (byte) 0xff, 0x00}, 0, 3, 100, "at LCN -1", 100);
    rejects(new byte[] {0x11, 0x04, 0x62, 0x00}, 0, 3, 100, "at LCN 98", 100);
    rejects(new byte[] {0x11, 0x05, 0x01, 0x00}, 0, 3, 100, "past the last VCN 3", 100);
    rejects(new byte[] {0x11, 0x02, 0x01, 0x00}, 0, 3, 100, "cover VCN 0..1, not 0..3", 103);
    rejects(RUNS, 0, 7, 17, "outside the 17 clusters", 100);
  }

  private static void rejects(
      byte[] runs, long first, long last, long clusters, String message, long offset) {
    assertThatThrownBy(() -> decode(runs, first, last, clusters))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("img: offset " + offset + " ")
        .hasMessageContaining("data runs")
        .hasMessageContaining(message);
  }
}
