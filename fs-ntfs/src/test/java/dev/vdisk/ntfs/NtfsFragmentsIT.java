package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.util.ForwardingBlockDevice;
import dev.vdisk.ntfs.internal.AttributeStream;
import dev.vdisk.ntfs.internal.DataRuns;
import dev.vdisk.ntfs.internal.NtfsFile;
import dev.vdisk.ntfs.internal.NtfsVolume;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Real Windows volumes known only by the sectors go-ntfs kept of them ({@code
 * ../shared/corpus/go-ntfs/tests}: 1 KiB pieces named by their disk offset, with go-ntfs's
 * {@code runs.golden} and sleuthkit's {@code istat.txt}): a $MFT so fragmented that its runs span
 * an extension entry through $ATTRIBUTE_LIST, a file whose initialised size is smaller than its
 * size, and a USN journal whose runs lie in two extension entries. The pieces are placed on a
 * sparse device of the volume's size (everything else reads as zeros) and opened MFT-only.
 */
class NtfsFragmentsIT {
  private static final Pattern RUN = Pattern.compile(
      "^\\d+\\s+1 MappedReader: FileOffset (\\d+) -> DiskOffset (\\d+) \\(Length (\\d+),"
          + " (Sparse )?\\s*Cluster (\\d+)\\)");

  /** A device of the boot sector's size holding only the pieces; everything else is zero. */
  static BlockDevice pieces(Path dir) throws IOException {
    TreeMap<Long, byte[]> map = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().matches("0x[0-9a-f]+\\.bin"))
          .toList()) {
        String name = p.getFileName().toString();
        byte[] data = Files.readAllBytes(p);
        if (data.length > 0) {
          map.put(Long.parseLong(name.substring(2, name.length() - 4), 16), data);
        }
      }
    }
    ByteBuffer boot = ByteBuffer.wrap(map.get(0L)).order(ByteOrder.LITTLE_ENDIAN);
    long size = (boot.getLong(0x28) + 1) * (boot.getShort(0x0b) & 0xffff);
    MemoryBlockDevice empty = new MemoryBlockDevice(new byte[512], false, dir.toString(), 512);
    return new ForwardingBlockDevice(empty) {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void read(long offset, ByteBuffer dst) {
        int start = dst.position();
        int n = dst.remaining();
        for (int i = 0; i < n; i++) {
          dst.put(start + i, (byte) 0);
        }
        for (var e : map.subMap(Math.max(0, offset - 4096), offset + n).entrySet()) {
          long from = Math.max(offset, e.getKey());
          long to = Math.min(offset + n, e.getKey() + e.getValue().length);
          for (long at = from; at < to; at++) {
            dst.put(start + (int) (at - offset), e.getValue()[(int) (at - e.getKey())]);
          }
        }
        dst.position(start + n);
      }

      @Override
      public String description() {
        return dir.toString();
      }
    };
  }

  static List<DataRuns.Run> golden(Path runsGolden) throws IOException {
    List<DataRuns.Run> runs = new ArrayList<>();
    for (String line : Files.readAllLines(runsGolden)) {
      Matcher m = RUN.matcher(line);
      if (m.find()) {
        runs.add(new DataRuns.Run(Long.parseLong(m.group(1)),
            m.group(4) != null ? -1 : Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
      }
    }
    return runs;
  }

  /** The size go-ntfs gives the whole stream (its level-0 reader). */
  static long goldenSize(Path runsGolden) throws IOException {
    Pattern whole = Pattern.compile("^0\\s+0 MappedReader: FileOffset 0 -> DiskOffset 0 \\(Length"
        + " (\\d+),\\s+Cluster 1\\)");
    for (String line : Files.readAllLines(runsGolden)) {
      Matcher m = whole.matcher(line);
      if (m.find()) {
        return Long.parseLong(m.group(1));
      }
    }
    throw new AssertionError("no whole-stream line in " + runsGolden);
  }

  private static Path dir(String name) {
    return ProjectPaths.corpus().resolve("go-ntfs/tests").resolve(name);
  }

  @Test
  void mftWhoseRunsContinueInAnExtensionEntry() throws IOException {
    Path dir = dir("highly_fragmented_mft");
    try (NtfsVolume v = NtfsVolume.openMftOnly(pieces(dir))) {
      List<DataRuns.Run> expected = golden(dir.resolve("fixtures/runs.golden"));
      assertThat(expected).hasSizeGreaterThan(100);
      assertThat(v.mftRuns()).containsExactlyElementsOf(expected);
      // istat: $DATA size 7203717120, entries of 1 KiB
      assertThat(v.recordCount())
          .isEqualTo(goldenSize(dir.resolve("fixtures/runs.golden")) / 1024);
      NtfsFile mft = v.file(0);
      assertThat(mft.attributes().stream().filter(a -> a.ownerRecord() == 15)).isNotEmpty();
    }
  }

  @Test
  void fileWithASmallInitialisedSize() throws IOException {
    Path dir = dir("large_file_small_init");
    try (NtfsVolume v = NtfsVolume.openMftOnly(pieces(dir))) {
      AttributeStream data = v.stream(v.file(46), NtfsVolume.DATA, "");
      assertThat(data.size()).isEqualTo(1048576); // istat: size 1048576, init_size 4096
      assertThat(data.runs()).containsExactlyElementsOf(
          golden(dir.resolve("fixtures/runs.golden")).stream()
              .filter(r -> !r.isSparse()).toList());
      byte[] all = data.readAll(1 << 20);
      ByteBuffer cluster = ByteBuffer.allocate(4096);
      pieces(dir).read(data.runs().get(0).lcn() * 4096, cluster);
      assertThat(java.util.Arrays.copyOf(all, 4096)).isEqualTo(cluster.array());
      assertThat(java.util.Arrays.copyOfRange(all, 4096, all.length))
          .containsOnly((byte) 0);
    }
  }

  @Test
  void usnJournalWithExtentsInTwoExtensionEntries() throws IOException {
    Path dir = dir("usn_with_two_vcns");
    try (NtfsVolume v = NtfsVolume.openMftOnly(pieces(dir))) {
      NtfsFile usn = v.file(68310);
      AttributeStream j = v.stream(usn, NtfsVolume.DATA, "$J");
      // go-ntfs reading these bytes (istat.txt, taken from the live volume at another moment,
      // says 6352128616: the journal grew)
      assertThat(j.size()).isEqualTo(goldenSize(dir.resolve("fixtures/runs.golden")));
      assertThat(j.runs()).containsExactlyElementsOf(golden(dir.resolve("fixtures/runs.golden")));
      assertThat(v.stream(usn, NtfsVolume.DATA, "$Max").size()).isEqualTo(32);
    }
  }
}
