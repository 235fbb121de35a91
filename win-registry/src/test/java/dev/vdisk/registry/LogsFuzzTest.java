package dev.vdisk.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.DirtyVector;
import dev.vdisk.registry.internal.HiveFile;
import dev.vdisk.registry.internal.HiveLogs;
import dev.vdisk.registry.internal.LogEntry;
import dev.vdisk.registry.internal.LogFile;
import dev.vdisk.registry.internal.Marvin32;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz tests of the transaction log parsers and the replay: old-format dirty vectors,
 * new-format log entries, and the recovery of a dirty hive from an arbitrary log (as it is, and
 * with every entry's hashes recomputed so that the fuzzer reaches the page references). Every
 * failure must be a typed {@link CorruptStructureException} or {@link
 * UnsupportedFeatureException}, and nothing grows beyond the primary plus the log. The seed
 * corpus (crafted logs) runs in {@code mvn verify}; the corpus logs run through the same bodies in
 * {@link #corpusLogs}.
 */
class LogsFuzzTest {
  private static final byte[] PRIMARY = LogFixtures.withSequence(LogFixtures.hive(), 6, 5);
  private static final byte[] BAD_PRIMARY = badChecksum();

  private static byte[] badChecksum() {
    byte[] b = PRIMARY.clone();
    b[300] ^= 1;
    return b;
  }

  @FuzzTest(maxDuration = "30s")
  void newFormatEntries(byte[] input) {
    LogFile f = LogFile.of(ByteBuffer.wrap(input), "fuzz");
    LogFile.Entries e = f.entries();
    assertThat(e.end()).isBetween(512, Math.max(512, input.length));
    for (LogEntry le : e.entries()) {
      assertThat(le.size() % LogEntry.ALIGNMENT).isZero();
      for (LogEntry.Page p : le.pages()) {
        assertThat((long) p.offset() + p.data().remaining()).isLessThanOrEqualTo(
            le.hiveBinsDataSize());
      }
    }
  }

  @FuzzTest(maxDuration = "30s")
  void dirtyVector(byte[] input) {
    if (input.length < 4) {
      return;
    }
    int size = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0x7ffff000;
    try {
      DirtyVector v = DirtyVector.parse(ByteBuffer.wrap(input), size, "fuzz");
      assertThat((long) v.pagesStart() + (long) v.dirty().cardinality() * 512)
          .isLessThanOrEqualTo(input.length);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "1m")
  void replay(byte[] input) {
    replayBody(input, false);
  }

  @FuzzTest(maxDuration = "1m")
  void replayRehashed(byte[] input) {
    replayBody(input, true);
  }

  static void replayBody(byte[] input, boolean rehash) {
    byte[] log = input.clone();
    if (rehash) {
      rehash(log);
    }
    for (byte[] primary : List.of(PRIMARY, BAD_PRIMARY)) {
      try {
        HiveLogs.Recovery r = HiveLogs.recover(ByteBuffer.wrap(primary), "fuzz",
            List.of(new HiveLogs.NamedLog("log", ByteBuffer.wrap(log))));
        assertThat((long) r.hive().limit()).isLessThanOrEqualTo(
            (long) primary.length + log.length + 8192);
        if (r.applied() > 0) {
          BaseBlock bb = BaseBlock.parse(r.hive().duplicate(), "recovered");
          assertThat(bb.clean()).isTrue();
          HiveFile.of(r.hive().duplicate(), "recovered");
        }
      } catch (CorruptStructureException | UnsupportedFeatureException expected) {
        // rejected with a typed error
      }
    }
  }

  /** Recomputes Hash-1 and Hash-2 of every HvLE-signed entry whose size fits. */
  static void rehash(byte[] log) {
    ByteBuffer b = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
    int at = 512;
    while (LogEntry.startsAt(b, at) && log.length - at >= LogEntry.HEADER) {
      int size = b.getInt(at + 4);
      if (size < LogEntry.HEADER || size % 512 != 0 || size > log.length - at) {
        return;
      }
      b.putLong(at + 24, Marvin32.hash(b, at + LogEntry.HEADER, size - LogEntry.HEADER,
          Marvin32.REGISTRY_SEED));
      b.putLong(at + 32, Marvin32.hash(b, at, 32, Marvin32.REGISTRY_SEED));
      at += size;
    }
  }

  static Stream<String> corpusLogs() {
    return Stream.of("python-registry/testing/reg_samples/new_log_1/SYSTEM.LOG1",
        "python-registry/testing/reg_samples/new_log_1/SYSTEM.LOG2",
        "python-registry/testing/reg_samples/new_log_2/SYSTEM.LOG1",
        "python-registry/testing/reg_samples/new_log_2/SYSTEM.LOG2",
        "dfwinreg/test_data/NTUSER.DAT.LOG");
  }

  /** The corpus logs through the fuzz bodies (they are too large to copy into the seed corpus). */
  @ParameterizedTest
  @MethodSource("corpusLogs")
  void corpusLogsThroughTheFuzzBodies(String entry) throws IOException {
    Path file = ProjectPaths.corpus().resolve(entry);
    dev.vdisk.testdata.Oracles.requireFile(file, "the shared corpus");
    byte[] log = Files.readAllBytes(file);
    newFormatEntries(log);
    assertThat(LogFile.of(ByteBuffer.wrap(log), entry).entries().entries()).isNotEmpty();
    replayBody(log, false);
    // the first 64 KiB, as a fuzzer would cut it
    replayBody(java.util.Arrays.copyOf(log, Math.min(log.length, 65536)), true);
  }
}
