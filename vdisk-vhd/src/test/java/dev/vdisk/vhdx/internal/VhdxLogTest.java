package dev.vdisk.vhdx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.AbstractMap.SimpleEntry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The log: entries built by hand and by {@link VhdxLog#buildEntry}, and the sequence search. */
class VhdxLogTest {
  private static final int LOG = 1 << 20;
  private final UUID guid = UUID.randomUUID();

  private static byte[] sector(int fill) {
    byte[] s = new byte[4096];
    Arrays.fill(s, (byte) fill);
    s[0] = 1;
    s[4095] = 2;
    return s;
  }

  private static List<Map.Entry<Long, byte[]>> one(long offset, byte[] sector) {
    return List.of(new SimpleEntry<>(offset, sector));
  }

  @Test
  void builtEntryIsFoundAndReplaysItsSector() {
    byte[] log = new byte[LOG];
    byte[] sector = sector(0x33);
    byte[] entry = VhdxLog.buildEntry(5, 0, guid, 8 << 20, 8 << 20, one(3L << 20, sector));
    assertThat(entry.length).isEqualTo(8192);
    System.arraycopy(entry, 0, log, 0, entry.length);
    Optional<VhdxLog.Sequence> seq = VhdxLog.findActiveSequence(log, guid);
    assertThat(seq).isPresent();
    assertThat(seq.get().entries()).hasSize(1);
    VhdxLog.Write w = seq.get().head().writes().get(0);
    assertThat(w.fileOffset()).isEqualTo(3L << 20);
    assertThat(w.sector()).isEqualTo(sector);
    assertThat(seq.get().flushedFileOffset()).isEqualTo(8 << 20);
  }

  @Test
  void otherGuidsAndDamagedEntriesAreIgnored() {
    byte[] log = new byte[LOG];
    byte[] entry = VhdxLog.buildEntry(5, 0, guid, 0, 0, one(0, sector(1)));
    System.arraycopy(entry, 0, log, 0, entry.length);
    assertThat(VhdxLog.findActiveSequence(log, UUID.randomUUID())).isEmpty();
    log[5000] ^= 1;
    assertThat(VhdxLog.findActiveSequence(log, guid)).isEmpty();
  }

  @Test
  void theHighestSequenceWinsAndItsTailChainIsReplayed() {
    byte[] log = new byte[LOG];
    // Entries 7 and 8 form a sequence (8's tail is 7's offset); a stale 3 sits later.
    byte[] e7 = VhdxLog.buildEntry(7, 0, guid, 0, 0, one(0, sector(7)));
    byte[] e8 = VhdxLog.buildEntry(8, 0, guid, 0, 0, one(4096, sector(8)));
    byte[] e3 = VhdxLog.buildEntry(3, 65536, guid, 0, 0, one(8192, sector(3)));
    System.arraycopy(e7, 0, log, 0, e7.length);
    System.arraycopy(e8, 0, log, e7.length, e8.length);
    System.arraycopy(e3, 0, log, 65536, e3.length);
    VhdxLog.Sequence seq = VhdxLog.findActiveSequence(log, guid).orElseThrow();
    assertThat(seq.entries()).extracting(e -> e.header().sequenceNumber()).containsExactly(7L, 8L);
  }

  @Test
  void aBrokenChainFallsBackToTheNextHead() {
    byte[] log = new byte[LOG];
    // Entry 9 claims its tail at 0, where entry 4 is (not 8): its chain is broken.
    byte[] e4 = VhdxLog.buildEntry(4, 0, guid, 0, 0, one(0, sector(4)));
    byte[] e9 = VhdxLog.buildEntry(9, 0, guid, 0, 0, one(0, sector(9)));
    System.arraycopy(e4, 0, log, 0, e4.length);
    System.arraycopy(e9, 0, log, e4.length, e9.length);
    VhdxLog.Sequence seq = VhdxLog.findActiveSequence(log, guid).orElseThrow();
    assertThat(seq.head().header().sequenceNumber()).isEqualTo(4);
  }

  @Test
  void anEntryMayWrapAroundTheEndOfTheLog() {
    byte[] log = new byte[LOG];
    byte[] entry = VhdxLog.buildEntry(2, LOG - 4096, guid, 0, 0, one(12288, sector(5)));
    System.arraycopy(entry, 0, log, LOG - 4096, 4096);
    System.arraycopy(entry, 4096, log, 0, 4096);
    VhdxLog.Sequence seq = VhdxLog.findActiveSequence(log, guid).orElseThrow();
    assertThat(seq.head().logOffset()).isEqualTo(LOG - 4096);
    assertThat(seq.head().writes().get(0).sector()).isEqualTo(sector(5));
  }

  @Test
  void handBuiltZeroDescriptorEntry() {
    byte[] entry = new byte[4096];
    ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    new LogEntryHeader(0, 4096, 8192, 1, 1, guid, 0, 0).writeTo(b.duplicate().position(0));
    new ZeroDescriptor(3 * 4096, 1 << 20, 1).writeTo(b.duplicate().position(64));
    b.putInt(4, Checksums.crc32c(entry, 0, 4096, 4));
    byte[] log = new byte[LOG];
    System.arraycopy(entry, 0, log, 8192, 4096);
    VhdxLog.Write w = VhdxLog.findActiveSequence(log, guid).orElseThrow().head().writes().get(0);
    assertThat(w.sector()).isNull();
    assertThat(w.fileOffset()).isEqualTo(1 << 20);
    assertThat(w.zeroLength()).isEqualTo(3 * 4096);
  }

  @Test
  void dataSectorsMustCarryTheEntrySequenceNumber() {
    byte[] entry = VhdxLog.buildEntry(6, 0, guid, 0, 0, one(0, sector(1)));
    ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4096 + 4092, 5); // SequenceLow of the data sector
    b.putInt(4, Checksums.crc32c(entry, 0, entry.length, 4));
    byte[] log = new byte[LOG];
    System.arraycopy(entry, 0, log, 0, entry.length);
    assertThat(VhdxLog.findActiveSequence(log, guid)).isEmpty();
  }

  @Test
  void dataDescriptorAndSectorSplitTheSector() {
    byte[] s = sector(0x44);
    DataDescriptor d = DataDescriptor.of(s, 4096, 9);
    DataSector ds = DataSector.of(s, 9);
    assertThat(ds.sector(d)).isEqualTo(s);
    ByteBuffer b = ByteBuffer.allocate(4096);
    ds.writeTo(b);
    assertThat(DataSector.parse(b).orElseThrow().sequenceNumber()).isEqualTo(9);
  }
}
