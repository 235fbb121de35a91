package dev.vdisk.registry;

import static dev.vdisk.registry.LogFixtures.bins;
import static dev.vdisk.registry.LogFixtures.bytes;
import static dev.vdisk.registry.LogFixtures.entry;
import static dev.vdisk.registry.LogFixtures.newLog;
import static dev.vdisk.registry.LogFixtures.withSequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.HiveLogs;
import dev.vdisk.registry.internal.LogEntry;
import dev.vdisk.registry.internal.LogFile;
import dev.vdisk.registry.internal.LoggedHiveStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LoggedHiveStore} without crashes: what a commit leaves, locking, log rotation. */
class LoggedHiveStoreTest {
  @TempDir Path dir;

  static void commit(LoggedHiveStore store, byte[] before, byte[] after) throws IOException {
    store.commit(ByteBuffer.wrap(after, 0, 4096).slice(), ByteBuffer.wrap(bins(after)),
        LogFixtures.dirty(before, after));
  }

  @Test
  void commitsLeaveACleanHiveAndValidNewFormatLogs() throws IOException {
    Path primary = dir.resolve("HIVE");
    byte[] state = withSequence(LogFixtures.hive(), 9, 9);
    Files.write(primary, state);
    Random random = new Random(1);
    try (LoggedHiveStore store = LoggedHiveStore.open(primary)) {
      assertThat(bytes(store.load())).isEqualTo(state);
      for (int i = 0; i < 5; i++) {
        byte[] next = LogFixtures.mutate(state, random, i % 2 == 1);
        commit(store, state, next);
        state = next;
        assertThat(bins(bytes(store.load()))).isEqualTo(bins(state));
      }
    }
    byte[] file = Files.readAllBytes(primary);
    BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(file), "HIVE");
    assertThat(bb.clean()).isTrue();
    assertThat(bb.primarySequence()).isEqualTo(14);
    assertThat(bins(file)).isEqualTo(bins(state));
    assertThat(HiveLogs.recover(primary).dirty()).isFalse();
    LogFile log1 = LogFile.of(ByteBuffer.wrap(Files.readAllBytes(dir.resolve("HIVE.LOG1"))), "1");
    assertThat(log1.baseBlockValid()).isTrue();
    assertThat(log1.fileType()).isEqualTo(LogFile.TYPE_NEW);
    assertThat(log1.primarySequence()).isEqualTo(9);
    LogFile.Entries e = log1.entries();
    assertThat(e.stoppedBy()).isNull();
    assertThat(e.entries()).extracting(LogEntry::sequence).containsExactly(9, 10, 11, 12, 13);
    assertThat(e.end()).isEqualTo(Files.size(dir.resolve("HIVE.LOG1")));
    assertThat(Files.size(dir.resolve("HIVE.LOG2"))).isEqualTo(512);
    // replaying our own log onto the first state's file gives the last state
    byte[] dirty = withSequence(LogFixtures.hive(), 10, 9);
    HiveLogs.Recovery r = HiveLogs.recover(ByteBuffer.wrap(dirty), "x",
        java.util.List.of(new HiveLogs.NamedLog("1", log1.data())));
    assertThat(r.applied()).isEqualTo(5);
    assertThat(bins(bytes(r.hive()))).isEqualTo(bins(state));
  }

  @Test
  void aLockedHiveIsRefused() throws IOException {
    Path primary = dir.resolve("HIVE");
    Files.write(primary, LogFixtures.hive());
    try (LoggedHiveStore store = LoggedHiveStore.open(primary)) {
      assertThatThrownBy(() -> LoggedHiveStore.open(primary))
          .isInstanceOf(UnsafeToWriteException.class)
          .satisfies(e -> assertThat(((UnsafeToWriteException) e).reason())
              .isEqualTo(UnsafeToWriteException.Reason.LOCKED));
      assertThat(store.name()).isEqualTo(primary.toString());
    }
    LoggedHiveStore.open(primary).close();
  }

  @Test
  void logsRotateAndStayBounded() throws IOException {
    Path primary = dir.resolve("HIVE");
    byte[] state = LogFixtures.hive();
    Files.write(primary, state);
    Random random = new Random(2);
    long maxLog = 0;
    boolean usedBoth = false;
    try (LoggedHiveStore store = LoggedHiveStore.open(primary)) {
      for (int i = 0; i < 40; i++) {
        byte[] next = LogFixtures.mutate(LogFixtures.grow(state, 65536), random, false);
        commit(store, state, next);
        state = next;
        long l1 = Files.size(store.logs().get(0));
        long l2 = Files.size(store.logs().get(1));
        maxLog = Math.max(maxLog, Math.max(l1, l2));
        usedBoth |= l1 > 512 && l2 > 512;
      }
    }
    assertThat(usedBoth).isTrue();
    assertThat(maxLog).isLessThanOrEqualTo(LoggedHiveStore.LOG_LIMIT);
    assertThat(bins(Files.readAllBytes(primary))).isEqualTo(bins(state));
    try (Hive h = Hive.open(primary)) {
      assertThat(h.root().name()).isEqualTo("ROOT");
    }
  }

  @Test
  void aDirtyHiveIsReplayedIntoTheFileAndTheLogsReset() throws IOException {
    Random random = new Random(3);
    byte[] h0 = withSequence(LogFixtures.hive(), 5, 5);
    byte[] h1 = LogFixtures.mutate(h0, random, false);
    byte[] h2 = LogFixtures.mutate(h1, random, true);
    Path primary = dir.resolve("SYSTEM");
    Files.write(primary, withSequence(h0, 6, 5));
    Files.write(dir.resolve("system.log1"), newLog(h0, 5, entry(h0, h1, 5), entry(h1, h2, 6)));
    Files.write(dir.resolve("SYSTEM.LOG"), new byte[777]);
    try (LoggedHiveStore store = LoggedHiveStore.open(primary)) {
      assertThat(bins(bytes(store.load()))).isEqualTo(bins(h2));
      assertThat(store.logs()).containsExactly(dir.resolve("system.log1"),
          dir.resolve("SYSTEM.LOG2"));
    }
    byte[] file = Files.readAllBytes(primary);
    BaseBlock bb = BaseBlock.parse(ByteBuffer.wrap(file), "SYSTEM");
    assertThat(bb.clean()).isTrue();
    assertThat(bb.primarySequence()).isEqualTo(6);
    assertThat(Arrays.copyOfRange(file, 4096, file.length)).isEqualTo(bins(h2));
    assertThat(Files.size(dir.resolve("system.log1"))).isEqualTo(512);
    assertThat(Files.size(dir.resolve("SYSTEM.LOG2"))).isEqualTo(512);
    assertThat(Files.size(dir.resolve("SYSTEM.LOG"))).isZero();
    LogFile reset = LogFile.of(ByteBuffer.wrap(Files.readAllBytes(dir.resolve("system.log1"))),
        "l");
    assertThat(reset.baseBlockValid()).isTrue();
    assertThat(reset.primarySequence()).isEqualTo(6);
  }
}
