package dev.vdisk.registry;

import static dev.vdisk.registry.LogFixtures.bins;
import static dev.vdisk.registry.LogFixtures.bytes;
import static dev.vdisk.registry.LogFixtures.entry;
import static dev.vdisk.registry.LogFixtures.le;
import static dev.vdisk.registry.LogFixtures.newLog;
import static dev.vdisk.registry.LogFixtures.withSequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.HiveLogs;
import dev.vdisk.registry.internal.HiveLogs.NamedLog;
import dev.vdisk.registry.internal.LogEntry;
import dev.vdisk.registry.internal.LogFile;
import dev.vdisk.registry.internal.Marvin32;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay rules of {@link HiveLogs} on crafted primaries and logs. */
class HiveLogsTest {
  @TempDir Path dir;

  byte[] h0;
  byte[] h1;
  byte[] h2;
  byte[] h3;

  @BeforeEach
  void states() {
    Random random = new Random(8);
    h0 = withSequence(LogFixtures.hive(), 5, 5);
    h1 = LogFixtures.mutate(h0, random, false);
    h2 = LogFixtures.mutate(h1, random, true);
    h3 = LogFixtures.mutate(h2, random, false);
  }

  private HiveLogs.Recovery recover(byte[] primary, byte[]... logs) throws IOException {
    List<NamedLog> named = new java.util.ArrayList<>();
    for (int i = 0; i < logs.length; i++) {
      named.add(new NamedLog("log" + (i + 1), ByteBuffer.wrap(logs[i])));
    }
    return HiveLogs.recover(ByteBuffer.wrap(primary), "primary", named);
  }

  private byte[] dirtyPrimary() {
    return withSequence(h0, 6, 5);
  }

  @Test
  void marvin32MatchesAnEntryWindowsWrote() {
    // the hash of an empty input and a known chain are fixed by the algorithm: build an entry
    // and check that parsing recomputes both hashes (corpus entries are checked in HiveLogsIT)
    ByteBuffer e = entry(h0, h1, 5);
    assertThat(Marvin32.hash(e, 0, 32, Marvin32.REGISTRY_SEED)).isEqualTo(e.getLong(32));
    assertThat(Marvin32.hash(ByteBuffer.wrap(new byte[3]), 0, 3, 1))
        .isNotEqualTo(Marvin32.hash(ByteBuffer.wrap(new byte[4]), 0, 4, 1));
  }

  @Test
  void dirtyHiveReplaysEveryEntryInSequence() throws IOException {
    byte[] log = newLog(h0, 5, entry(h0, h1, 5), entry(h1, h2, 6), entry(h2, h3, 7));
    HiveLogs.Recovery r = recover(dirtyPrimary(), log);
    assertThat(r.applied()).isEqualTo(3);
    assertThat(r.firstSequence()).isEqualTo(5);
    assertThat(r.lastSequence()).isEqualTo(7);
    byte[] got = bytes(r.hive());
    assertThat(bins(got)).isEqualTo(bins(h3));
    BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(got), "recovered");
    assertThat(bb.clean()).isTrue();
    assertThat(bb.primarySequence()).isEqualTo(7);
    assertThat(bb.hiveBinsDataSize()).isEqualTo(le(h3).getInt(40)).isGreaterThan(8192);
  }

  @Test
  void cleanHiveIgnoresItsLogs() throws IOException {
    byte[] log = newLog(h0, 5, entry(h0, h1, 5));
    HiveLogs.Recovery r = recover(h0, log);
    assertThat(r.dirty()).isFalse();
    assertThat(r.applied()).isZero();
    assertThat(bytes(r.hive())).isEqualTo(h0);
  }

  @Test
  void badHash1StopsReplayAtThatEntry() throws IOException {
    byte[] log = newLog(h0, 5, entry(h0, h1, 5), entry(h1, h2, 6), entry(h2, h3, 7));
    int second = 512 + le(log).getInt(512 + 4);
    log[second + LogEntry.HEADER + 8 * 2 + 100] ^= 0x40; // inside the second entry's pages
    LogFile.Entries e = LogFile.of(ByteBuffer.wrap(log), "log").entries();
    assertThat(e.entries()).hasSize(1);
    assertThat(e.stoppedBy()).hasMessageContaining("Hash-1");
    HiveLogs.Recovery r = recover(dirtyPrimary(), log);
    assertThat(r.applied()).isEqualTo(1);
    assertThat(r.lastSequence()).isEqualTo(5);
    assertThat(bytes(r.hive())).hasSize(h1.length);
    assertThat(bins(bytes(r.hive()))).isEqualTo(bins(h1));
  }

  @Test
  void badHash2StopsReplayAtThatEntry() throws IOException {
    byte[] log = newLog(h0, 5, entry(h0, h1, 5), entry(h1, h2, 6));
    int second = 512 + le(log).getInt(512 + 4);
    log[second + 8] ^= 1; // the flags, covered by Hash-2 only
    LogFile.Entries e = LogFile.of(ByteBuffer.wrap(log), "log").entries();
    assertThat(e.stoppedBy()).hasMessageContaining("Hash-2");
    assertThat(recover(dirtyPrimary(), log).applied()).isEqualTo(1);
  }

  @Test
  void aGapInTheSequenceStopsReplay() throws IOException {
    byte[] log = newLog(h0, 5, entry(h0, h1, 5), entry(h1, h2, 7));
    HiveLogs.Recovery r = recover(dirtyPrimary(), log);
    assertThat(r.applied()).isEqualTo(1);
    assertThat(bins(bytes(r.hive()))).isEqualTo(bins(h1));
  }

  @Test
  void olderEntriesAreSkippedAndTheSecondLogContinuesTheFirst() throws IOException {
    byte[] log2 = newLog(h0, 6, entry(h1, h2, 6), entry(h2, h3, 7));
    byte[] log1 = newLog(h0, 3, entry(h0, h0, 3), entry(h0, h0, 4), entry(h0, h1, 5));
    // given in the "wrong" order: the logs are ordered by their sequence numbers
    HiveLogs.Recovery r = recover(dirtyPrimary(), log2, log1);
    assertThat(r.applied()).isEqualTo(3);
    assertThat(r.logsUsed()).containsExactly("log2", "log1");
    assertThat(bins(bytes(r.hive()))).isEqualTo(bins(h3));
  }

  @Test
  void badChecksumWithoutLogIsCorrupt() throws IOException {
    byte[] bad = h0.clone();
    bad[100] ^= 1;
    Path file = dir.resolve("BAD");
    Files.write(file, bad);
    assertThatThrownBy(() -> HiveLogs.readRecovered(file))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("checksum")
        .hasMessageContaining("no transaction log")
        .satisfies(e -> assertThat(((CorruptStructureException) e).offset()).isEqualTo(508));
    assertThatThrownBy(() -> Hive.open(file)).isInstanceOf(CorruptStructureException.class);
    // a log without an applicable entry does not help
    byte[] damaged = newLog(h0, 9, entry(h0, h1, 9));
    damaged[600] ^= 1;
    Files.write(dir.resolve("bad.LOG1"), damaged);
    Files.write(dir.resolve("BAD.log2"), new byte[100]);
    assertThatThrownBy(() -> HiveLogs.readRecovered(file))
        .isInstanceOf(CorruptStructureException.class)
        .hasMessageContaining("no usable transaction log");
  }

  @Test
  void badBaseBlockIsRecoveredFromTheLog() throws IOException {
    byte[] bad = dirtyPrimary();
    bad[200] ^= 1; // checksum now wrong
    byte[] log = newLog(h0, 5, entry(h0, h1, 5), entry(h1, h2, 6));
    HiveLogs.Recovery r = recover(bad, log);
    assertThat(r.baseBlockFromLog()).isTrue();
    assertThat(r.applied()).isEqualTo(2);
    byte[] got = bytes(r.hive());
    BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(got), "recovered");
    assertThat(bb.fileType()).isZero();
    assertThat(bb.clean()).isTrue();
    assertThat(bins(got)).isEqualTo(bins(h2));
  }

  @Test
  void oldFormatLogReplaysItsDirtyVector() throws IOException {
    byte[] target = withSequence(h2, 6, 6);
    byte[] log = LogFixtures.oldLog(h0, target);
    byte[] primary = withSequence(h0, 6, 5);
    HiveLogs.Recovery r = recover(primary, log);
    assertThat(r.format()).isEqualTo("old");
    assertThat(r.applied()).isEqualTo(LogFixtures.dirty(h0, target).cardinality());
    assertThat(bins(bytes(r.hive()))).isEqualTo(bins(target));
    assertThat(BaseBlock.parse(r.hive().duplicate(), "r").clean()).isTrue();
    // a log from another write (other last-written time) does not apply
    byte[] other = log.clone();
    le(other).putLong(12, 12345L);
    LogFixtures.rechecksum(other);
    assertThat(recover(primary, other).applied()).isZero();
  }

  @Test
  void logsAreFoundBesideThePrimaryWhateverTheirCase() throws IOException {
    Path primary = dir.resolve("NtUser.dat");
    Files.write(primary, dirtyPrimary());
    Files.write(dir.resolve("ntuser.DAT.log1"), newLog(h0, 5, entry(h0, h1, 5)));
    Files.write(dir.resolve("NTUSER.DAT.Log2"), newLog(h0, 6, entry(h1, h2, 6)));
    Files.write(dir.resolve("NTUSER.DAT.LOG3"), new byte[1]);
    Files.write(dir.resolve("other.LOG1"), new byte[1]);
    assertThat(HiveLogs.findLogs(primary)).containsExactly(dir.resolve("ntuser.DAT.log1"),
        dir.resolve("NTUSER.DAT.Log2"));
    assertThat(bins(bytes(HiveLogs.readRecovered(primary)))).isEqualTo(bins(h2));
    try (Hive h = Hive.open(primary)) {
      assertThat(h.root().name()).isEqualTo("ROOT");
    }
    // the channel form, logs in any order
    try (SeekableByteChannel p = Files.newByteChannel(primary);
        SeekableByteChannel l2 = Files.newByteChannel(dir.resolve("NTUSER.DAT.Log2"));
        SeekableByteChannel l1 = Files.newByteChannel(dir.resolve("ntuser.DAT.log1"))) {
      assertThat(bins(bytes(HiveLogs.readRecovered(p, "p", List.of(l2, l1))))).isEqualTo(bins(h2));
    }
  }

  /** Another file system provider (the JDK's zip file system): logs are found by listing. */
  @Test
  void logsAreFoundOnAnyFileSystemProvider() throws IOException {
    Path zip = dir.resolve("hives.zip");
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(zip,
        java.util.Map.of("create", "true"))) {
      Path config = Files.createDirectories(fs.getPath("/Windows/System32/config"));
      Files.write(config.resolve("SYSTEM"), dirtyPrimary());
      Files.write(config.resolve("system.log1"), newLog(h0, 5, entry(h0, h1, 5)));
      Files.write(config.resolve("SYSTEM.LOG2"), newLog(h0, 6, entry(h1, h2, 6)));
    }
    try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(zip)) {
      Path primary = fs.getPath("/Windows/System32/config/SYSTEM");
      assertThat(HiveLogs.findLogs(primary)).hasSize(2);
      HiveLogs.Recovery r = HiveLogs.recover(primary);
      assertThat(r.applied()).isEqualTo(2);
      assertThat(bins(bytes(r.hive()))).isEqualTo(bins(h2));
      try (Hive h = Hive.open(primary)) {
        assertThat(h.root().name()).isEqualTo("ROOT");
      }
    }
  }

  @Test
  void anEntryClaimingAHugeHiveIsNotApplied() throws IOException {
    ByteBuffer e = LogEntry.build(0, 5, 1 << 30, List.of());
    byte[] log = newLog(h0, 5, e);
    HiveLogs.Recovery r = recover(dirtyPrimary(), log);
    assertThat(r.applied()).isZero();
    assertThat(r.hive().limit()).isEqualTo(h0.length);
  }
}
