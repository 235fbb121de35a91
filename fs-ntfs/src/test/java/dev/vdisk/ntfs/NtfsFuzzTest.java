package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.ntfs.internal.AttributeHeader;
import dev.vdisk.ntfs.internal.BootSector;
import dev.vdisk.ntfs.internal.DataRuns;
import dev.vdisk.ntfs.internal.MftRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer targets for the NTFS structure parsers: the boot sector, an MFT entry with its fixups,
 * attribute headers and runlists, and a runlist alone. Only {@link CorruptStructureException} may
 * come out, and what parses must satisfy the bounds the parsers promise.
 *
 * <p>Seeds in {@code NtfsFuzzTestInputs/<target>} come from mkntfs and ntfs-3g ({@code
 * testdata/scripts/make-ntfs-fuzz-seeds.sh}); they run as a regression test in every build, and
 * {@code JAZZER_FUZZ=1} fuzzes.
 */
class NtfsFuzzTest {
  @FuzzTest(maxDuration = "2m")
  void bootSector(byte[] input) {
    try {
      BootSector bs = BootSector.parse(ByteBuffer.wrap(Arrays.copyOf(input, 512)), "fuzz", 0);
      assertThat(bs.clusterSize()).isBetween(256, BootSector.MAX_CLUSTER_SIZE);
      assertThat(bs.mftCluster()).isBetween(0L, bs.clusterCount() - 1);
      assertThat(bs.mftRecordSize()).isBetween(bs.bytesPerSector(), 256 * 1024);
      assertThat(bs.backupOffset()).isPositive();
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void mftRecord(byte[] input) {
    int size = input.length >= 4096 ? 4096 : 1024;
    try {
      MftRecord r = MftRecord.parse(ByteBuffer.wrap(Arrays.copyOf(input, size)), "fuzz", 0);
      assertThat(r.usedSize()).isBetween(0x30, size);
      for (AttributeHeader a : r.attributes()) {
        assertThat(a.recordOffset() + (long) a.length()).isLessThanOrEqualTo(r.usedSize());
        if (a.nonResident()) {
          List<DataRuns.Run> runs = r.dataRuns(a, 1L << 20, "fuzz", 0);
          checkRuns(runs, a.firstVcn(), a.lastVcn(), 1L << 20);
        } else {
          assertThat(r.residentValue(a).remaining()).isEqualTo(a.valueLength());
        }
      }
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  @FuzzTest(maxDuration = "2m")
  void dataRuns(byte[] input) {
    if (input.length < 16) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
    long lastVcn = b.getLong(0);
    long clusters = b.getLong(8);
    if (lastVcn < -1 || clusters <= 0) {
      return;
    }
    try {
      checkRuns(DataRuns.decode(b.position(16), 0, lastVcn, clusters, "fuzz", 0),
          0, lastVcn, clusters);
    } catch (CorruptStructureException expected) {
      // rejected with a typed error
    }
  }

  private static void checkRuns(List<DataRuns.Run> runs, long firstVcn, long lastVcn,
      long clusters) {
    long vcn = firstVcn;
    for (DataRuns.Run run : runs) {
      assertThat(run.vcn()).isEqualTo(vcn);
      assertThat(run.length()).isPositive();
      if (!run.isSparse()) {
        assertThat(run.lcn()).isBetween(0L, clusters - run.length());
      }
      vcn += run.length();
    }
    assertThat(vcn).isEqualTo(lastVcn + 1);
  }
}
