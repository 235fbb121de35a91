package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.ntfs.internal.AttributeHeader;
import dev.vdisk.ntfs.internal.BootSector;
import dev.vdisk.ntfs.internal.DataRuns;
import dev.vdisk.ntfs.internal.MftRecord;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Oracle test of the structure layer: volumes made by {@code mkntfs} and filled through an {@code
 * ntfs-3g} mount, and the third-party images of the shared corpus, parsed here and compared with
 * {@code ntfsinfo -m} (volume and $MFT facts), {@code blkid} (serial number) and {@code ntfsinfo
 * -i N -v} (every in-use base MFT entry: header, attributes, runlists).
 */
class NtfsStructuresIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {512, 4096, 65536, 2097152})
  void mkntfsVolumes(int clusterSize) throws Exception {
    requireTools();
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = dir.resolve("ntfs-" + clusterSize + ".img");
    long size = clusterSize >= 65536 ? 1L << 30 : 64L << 20;
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.truncate(size);
      ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
    }
    Oracles.runOk("mkntfs", "-F", "-Q", "-c", Integer.toString(clusterSize), image.toString());
    fill(image, clusterSize <= 4096 ? clusterSize : 0);
    Volume v = checkVolume(image);
    assertThat(v.boot.clusterSize()).isEqualTo(clusterSize);
    if (clusterSize <= 4096) {
      assertThat(v.maxRuns).as("a fragmented file").isGreaterThan(10);
    }
    assertThat(v.sparseRuns).as("sparse runs").isGreaterThan(0);
  }

  @Test
  void corpusWindowsVolume() throws Exception {
    requireTools();
    Path image = CorpusFiles.extract("donald/testdata/test.ntfs.dd.gz", dir);
    Volume v = checkVolume(image);
    assertThat(v.boot.clusterSize()).isEqualTo(1024);
    assertThat(v.compressed).as("ones.bin is compressed").isGreaterThan(0);
  }

  @Test
  void corpusMkntfsVolume() throws Exception {
    requireTools();
    Path image = ProjectPaths.corpus().resolve("colinfinck-ntfs/testdata/testfs1");
    if (!Files.exists(image)) {
      image = CorpusFiles.extract("colinfinck-ntfs/testdata/testfs1", dir);
    }
    Volume v = checkVolume(image);
    assertThat(v.sparseRuns).as("sparse-file").isGreaterThan(0);
  }

  private static void requireTools() {
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfsinfo", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("blkid", "util-linux");
  }

  /**
   * Writes small, resident, sparse and (when {@code fragmentCluster > 0}) fragmented files through
   * an ntfs-3g mount: the fragmented file is written into the two-cluster holes left by deleting
   * every other file of a full volume.
   */
  private void fill(Path image, int fragmentCluster) throws IOException {
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Oracles.runOk("ntfs-3g", image.toString(), mnt.toString());
    try {
      Files.writeString(mnt.resolve("small.txt"), "hello ntfs\n");
      Path sub = Files.createDirectories(mnt.resolve("dir"));
      for (int i = 0; i < 50; i++) {
        Files.writeString(sub.resolve("file-" + i + ".txt"), "entry " + i + "\n");
      }
      Random random = new Random(7);
      byte[] chunk = new byte[4096];
      Path a = mnt.resolve("fragmented-a.bin");
      Path b = mnt.resolve("fragmented-b.bin");
      for (int i = 0; i < 40; i++) {
        random.nextBytes(chunk);
        Files.write(a, chunk, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.write(b, chunk, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      try (FileChannel ch = FileChannel.open(mnt.resolve("sparse.bin"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap("middle".getBytes()), 5_000_000);
        ch.truncate(40_000_000);
      }
      if (fragmentCluster > 0) {
        Path holes = Files.createDirectories(mnt.resolve("holes"));
        byte[] two = new byte[2 * fragmentCluster];
        for (int i = 0; i < 200; i++) {
          random.nextBytes(two);
          Files.write(holes.resolve("h" + i), two);
        }
        byte[] mib = new byte[1 << 20];
        try (FileChannel filler = FileChannel.open(mnt.resolve("filler.bin"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          for (int i = 0; i < 256; i++) {
            filler.write(ByteBuffer.wrap(mib));
          }
        } catch (IOException full) {
          // the volume is full: that is the point
        }
        for (int i = 0; i < 200; i += 2) {
          Files.delete(holes.resolve("h" + i));
        }
        byte[] fragmented = new byte[120 * fragmentCluster];
        random.nextBytes(fragmented);
        Files.write(mnt.resolve("fragmented.bin"), fragmented);
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }
  }

  /** What a volume check saw. */
  private record Volume(BootSector boot, int maxRuns, int sparseRuns, int compressed) {}

  private Volume checkVolume(Path image) throws Exception {
    String name = image.toString();
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      BootSector boot = BootSector.parse(read(ch, 0, 512), name, 0);
      Map<String, String> m = fields(Oracles.runOk("ntfsinfo", "-m", name), "^\\t");
      assertThat(boot.bytesPerSector()).hasToString(m.get("Sector Size"));
      assertThat(boot.clusterSize()).hasToString(m.get("Cluster Size"));
      assertThat(boot.indexRecordSize()).hasToString(m.get("Index Block Size"));
      assertThat(boot.clusterCount()).hasToString(m.get("Volume Size in Clusters"));
      assertThat(boot.mftRecordSize()).hasToString(m.get("MFT Record Size"));
      assertThat(boot.mftCluster()).hasToString(m.get("LCN of Data Attribute for FILE_MFT"));
      assertThat(boot.mftMirrCluster())
          .hasToString(m.get("LCN of Data Attribute for File_MFTMirr"));
      // fsstat (sleuthkit) rejects clusters above 64 KiB; blkid reads the serial of any
      String serial = Oracles.runOk("blkid", "-p", "-o", "value", "-s", "UUID", name).trim();
      assertThat(String.format("%016X", boot.serialNumber())).isEqualTo(serial);
      if (boot.backupOffset() + 512 <= ch.size()) {
        BootSector backup =
            BootSector.parse(read(ch, boot.backupOffset(), 512), name, boot.backupOffset());
        assertThat(backup).isEqualTo(boot);
      }

      int recordSize = boot.mftRecordSize();
      long mftOffset = boot.mftCluster() * boot.clusterSize();
      MftRecord mft0 = MftRecord.parse(read(ch, mftOffset, recordSize), name, mftOffset);
      AttributeHeader mftData = mft0.attributes().stream()
          .filter(a -> a.type() == 0x80 && a.name().isEmpty()).findFirst().orElseThrow();
      List<DataRuns.Run> mftRuns =
          mft0.dataRuns(mftData, boot.clusterCount(), name, mftOffset);
      long records = mftData.dataSize() / recordSize;
      int mirrCount = Integer.parseInt(m.get("FILE_MFTMirr Size"));
      long mirrOffset = boot.mftMirrCluster() * boot.clusterSize();
      for (int i = 0; i < mirrCount; i++) {
        assertThat(read(ch, mirrOffset + (long) i * recordSize, recordSize))
            .as("$MFTMirr entry %d", i)
            .isEqualTo(readRecord(ch, mftRuns, boot, i));
      }

      int compared = 0;
      int maxRuns = 0;
      int sparseRuns = 0;
      int compressed = 0;
      for (long n = 0; n < records; n++) {
        ByteBuffer raw = readRecord(ch, mftRuns, boot, n);
        if (raw.getInt(0) != 0x454c4946) { // "FILE": never-used entries are zeros or "BAAD"
          continue;
        }
        MftRecord r = MftRecord.parse(raw, name, -1);
        for (AttributeHeader a : r.attributes()) {
          if (a.nonResident()) {
            List<DataRuns.Run> runs = r.dataRuns(a, boot.clusterCount(), name, -1);
            maxRuns = Math.max(maxRuns, runs.size());
            sparseRuns += (int) runs.stream().filter(DataRuns.Run::isSparse).count();
            compressed += a.isCompressed() ? 1 : 0;
          }
        }
        if (r.isInUse() && r.baseRecordReference() == 0) {
          compareWithNtfsinfo(name, n, r, boot);
          compared++;
        }
      }
      assertThat(compared).as("entries compared").isGreaterThanOrEqualTo(16);
      org.slf4j.LoggerFactory.getLogger(NtfsStructuresIT.class).info(
          "{}: {} MFT entries compared with ntfsinfo, largest runlist {} runs, {} sparse runs",
          name, compared, maxRuns, sparseRuns);
      return new Volume(boot, maxRuns, sparseRuns, compressed);
    }
  }

  private static final Pattern ATTRIBUTE = Pattern.compile(
      "^Dumping attribute \\S+ \\(0x([0-9a-f]+)\\) from mft record (\\d+) ", Pattern.MULTILINE);
  private static final Pattern RUN = Pattern.compile(
      "^\\t\\t\\t0x([0-9a-f]+)\\t\\t(<HOLE>|0x[0-9a-f]+)\\t\\t0x([0-9a-f]+)$", Pattern.MULTILINE);

  private static void compareWithNtfsinfo(String name, long n, MftRecord r, BootSector boot)
      throws Exception {
    String out = Oracles.runOk("ntfsinfo", "-i", Long.toString(n), "-v", name);
    String what = "MFT entry " + n + " of " + name;
    Matcher am = ATTRIBUTE.matcher(out);
    List<Integer> starts = new ArrayList<>();
    while (am.find()) {
      starts.add(am.start());
    }
    starts.add(out.length());
    Map<String, String> h = fields(out.substring(0, starts.get(0)), "^");
    assertThat(r.sequence()).as(what).hasToString(number(h.get("MFT Record Seq. Numb.")));
    assertThat(r.linkCount()).as(what).hasToString(number(h.get("Number of Hard Links")));
    assertThat(r.firstAttributeOffset()).as(what).hasToString(number(h.get("Attribute Offset")));
    assertThat(r.usedSize()).as(what).hasToString(number(h.get("Bytes Used")));
    assertThat(r.allocatedSize()).as(what).hasToString(number(h.get("Bytes Allocated")));
    String flags = h.get("MFT Record Flags");
    assertThat(r.isInUse()).as(what).isEqualTo(flags.contains("IN_USE"));
    assertThat(r.isDirectory()).as(what).isEqualTo(flags.contains("DIRECTORY"));

    List<AttributeHeader> own = new ArrayList<>();
    List<String> blocks = new ArrayList<>();
    for (int i = 0; i + 1 < starts.size(); i++) {
      String block = out.substring(starts.get(i), starts.get(i + 1));
      Matcher bm = ATTRIBUTE.matcher(block);
      assertThat(bm.find()).isTrue();
      if (Long.parseLong(bm.group(2)) == n) {
        blocks.add(block);
      }
    }
    own.addAll(r.attributes());
    assertThat(own).as(what + ": attribute count").hasSize(blocks.size());
    for (int i = 0; i < own.size(); i++) {
      AttributeHeader a = own.get(i);
      String block = blocks.get(i);
      Matcher bm = ATTRIBUTE.matcher(block);
      assertThat(bm.find()).isTrue();
      String at = what + ", attribute " + i;
      assertThat(Integer.toHexString(a.type())).as(at).isEqualTo(bm.group(1));
      Map<String, String> f = fields(block, "^\\t");
      assertThat(a.length()).as(at).hasToString(number(f.get("Attribute length")));
      assertThat(a.nonResident()).as(at).isEqualTo("No".equals(f.get("Resident")));
      assertThat(a.name().length()).as(at).hasToString(number(f.get("Name length")));
      if (f.containsKey("Attribute name")) {
        assertThat("'" + a.name() + "'").as(at).isEqualTo(f.get("Attribute name"));
      }
      assertThat(String.format("0x%04x", a.flags())).as(at).isEqualTo(f.get("Attribute flags"));
      assertThat(a.id()).as(at).hasToString(number(f.get("Attribute instance")));
      if (!a.nonResident()) {
        assertThat(a.valueLength()).as(at).hasToString(number(f.get("Data size")));
        assertThat(a.valueOffset()).as(at).hasToString(number(f.get("Data offset")));
        continue;
      }
      assertThat(a.firstVcn()).as(at).hasToString(number(f.get("Lowest VCN")));
      assertThat(a.lastVcn()).as(at).hasToString(number(f.get("Highest VCN")));
      assertThat(a.dataRunsOffset()).as(at).hasToString(number(f.get("Mapping pairs offset")));
      assertThat(a.compressionUnit()).as(at).hasToString(number(f.get("Compression unit")));
      assertThat(a.dataSize()).as(at).hasToString(number(f.get("Data size")));
      assertThat(a.allocatedSize()).as(at).hasToString(number(f.get("Allocated size")));
      assertThat(a.initializedSize()).as(at).hasToString(number(f.get("Initialized size")));
      List<String> expected = new ArrayList<>();
      Matcher rm = RUN.matcher(block);
      while (rm.find()) {
        long lcn = rm.group(2).equals("<HOLE>") ? -1 : Long.parseLong(rm.group(2).substring(2), 16);
        expected.add(Long.parseLong(rm.group(1), 16) + "/" + lcn + "/"
            + Long.parseLong(rm.group(3), 16));
      }
      List<String> actual = new ArrayList<>();
      for (DataRuns.Run run : r.dataRuns(a, boot.clusterCount(), name, -1)) {
        actual.add(run.vcn() + "/" + run.lcn() + "/" + run.length());
      }
      assertThat(actual).as(at + ": runlist").isEqualTo(expected);
    }
  }

  /** The fields {@code Key:<tabs> value} (or {@code Key<tabs> value}) of ntfsinfo's output. */
  private static Map<String, String> fields(String text, String indent) {
    Map<String, String> map = new HashMap<>();
    Matcher m = Pattern.compile(indent + "([A-Za-z_][A-Za-z_ .()]*?)(?::[\\t ]+|\\t+)(.*?)\\s*$",
        Pattern.MULTILINE).matcher(text);
    while (m.find()) {
      map.putIfAbsent(m.group(1).trim(), m.group(2).trim());
    }
    return map;
  }

  /** The decimal number at the start of a field such as {@code 408 (0x198) bytes}. */
  private static String number(String value) {
    assertThat(value).isNotNull();
    return value.split("[ (]")[0];
  }

  private static ByteBuffer readRecord(
      FileChannel ch, List<DataRuns.Run> runs, BootSector boot, long n) throws IOException {
    int size = boot.mftRecordSize();
    ByteBuffer out = ByteBuffer.allocate(size);
    long pos = n * size;
    int cluster = boot.clusterSize();
    while (out.hasRemaining()) {
      long vcn = pos / cluster;
      DataRuns.Run run = runs.stream()
          .filter(r -> r.vcn() <= vcn && vcn < r.vcn() + r.length()).findFirst().orElseThrow();
      int inCluster = (int) (pos % cluster);
      int take = Math.min(out.remaining(), cluster - inCluster);
      ByteBuffer part = read(ch, (run.lcn() + vcn - run.vcn()) * cluster + inCluster, take);
      out.put(part);
      pos += take;
    }
    return out.flip().order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, offset + b.position()) < 0) {
        throw new IOException("short read at " + offset);
      }
    }
    return b.flip();
  }
}
