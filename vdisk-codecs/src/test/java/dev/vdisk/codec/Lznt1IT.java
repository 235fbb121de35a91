package dev.vdisk.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Oracle test of {@link Lznt1}: ntfs-3g (mounted with {@code -o compression}) compresses files
 * written into a directory marked compressed; sleuthkit's {@code istat} lists each file's clusters
 * (0 for the sparse clusters that follow a compressed unit's data), the compression units are cut
 * out of the image and decoded here, and compared with the bytes written. Files mix compressed
 * units (text), units stored raw (random bytes: all 16 clusters used), all-zero units (sparse) and
 * a sparse tail.
 */
class Lznt1IT {
  private static final Logger LOG = LoggerFactory.getLogger(Lznt1IT.class);
  private static final String[] WORDS = {"the", "of", "and", "volume", "cluster", "compression",
      "Windows", "registry", "System32", "driver", "update", "package", "servicing", "\n", ". ",
      "C:\\Windows\\WinSxS\\amd64_microsoft-windows-", "<assemblyIdentity name=\"", "0x1F"};

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {512, 1024, 2048, 4096})
  void ntfs3gCompressedFiles(int clusterSize) throws Exception {
    Oracles.require("mkntfs", "ntfs-3g");
    Oracles.require("ntfs-3g", "ntfs-3g");
    Oracles.require("istat", "sleuthkit");
    Oracles.require("setfattr", "attr");
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = dir.resolve("ntfs.img");
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.truncate(64L << 20);
      ch.write(ByteBuffer.wrap(new byte[1]), (64L << 20) - 1);
    }
    Oracles.runOk("mkntfs", "-F", "-f", "-Q", "-c", Integer.toString(clusterSize),
        image.toString());
    int unit = 16 * clusterSize;
    Random random = new Random(clusterSize);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("text.txt", text(random, 5 * unit + 1234));
    byte[] noise = new byte[2 * unit + 77];
    random.nextBytes(noise);
    files.put("random.bin", noise);
    byte[] mixed = new byte[6 * unit];
    System.arraycopy(text(random, unit), 0, mixed, 0, unit);
    byte[] r = new byte[unit];
    random.nextBytes(r);
    System.arraycopy(r, 0, mixed, unit, unit);
    // unit 2 stays zeros; unit 3 half text half zeros; unit 4 repetitive; unit 5 zeros (tail)
    System.arraycopy(text(random, unit / 2), 0, mixed, 3 * unit, unit / 2);
    for (int i = 4 * unit; i < 5 * unit; i++) {
      mixed[i] = (byte) "abcabcabd".charAt(i % 9);
    }
    files.put("mixed.bin", mixed);
    files.put("short.txt", text(random, 3000));

    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Map<String, Long> inodes = new LinkedHashMap<>();
    Oracles.runOk("ntfs-3g", "-o", "compression", image.toString(), mnt.toString());
    try {
      Path c = Files.createDirectories(mnt.resolve("c"));
      Oracles.runOk("setfattr", "-n", "system.ntfs_attrib_be", "-v", "0x00000810", c.toString());
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Files.write(c.resolve(f.getKey()), f.getValue());
      }
      // a sparse tail: three units of data, then the file grows by four units of nothing
      try (FileChannel ch = FileChannel.open(c.resolve("mixed.bin"), StandardOpenOption.WRITE)) {
        ch.truncate(mixed.length);
      }
      for (String name : files.keySet()) {
        inodes.put(name, (Long) Files.getAttribute(c.resolve(name), "unix:ino"));
      }
    } finally {
      Oracles.runOk("umount", mnt.toString());
    }

    int[] counts = new int[3];
    try (FileChannel img = FileChannel.open(image, StandardOpenOption.READ)) {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        String inode = Long.toString(inodes.get(f.getKey()));
        String istat = Oracles.runOk("istat", image.toString(), inode);
        assertThat(istat).as("istat of %s", f.getKey()).contains("Compressed");
        // sleuthkit's own LZNT1 decoder agrees with what was written
        assertThat(Oracles.run("icat", image.toString(), inode).out())
            .as("icat of %s", f.getKey()).isEqualTo(f.getValue());
        checkUnits(img, dataClusters(istat), clusterSize, f.getValue(), f.getKey(), counts);
      }
    }
    int compressed = counts[0];
    int raw = counts[1];
    int sparse = counts[2];
    LOG.info("{}-byte clusters: {} compressed units decoded, {} raw, {} sparse", clusterSize,
        compressed, raw, sparse);
    assertThat(compressed).as("compressed units").isGreaterThanOrEqualTo(8);
    assertThat(raw).as("units stored raw").isGreaterThanOrEqualTo(3);
    assertThat(sparse).as("sparse units").isGreaterThanOrEqualTo(1);
  }

  /**
   * A file Windows compressed: {@code ones.bin} of the corpus volume {@code donald/test.ntfs.dd}
   * (2,949,120 bytes of "ONES"), compared with sleuthkit's {@code icat}, which decodes LZNT1 with
   * its own implementation.
   */
  @Test
  void windowsCompressedFile() throws Exception {
    Oracles.require("istat", "sleuthkit");
    Oracles.require("icat", "sleuthkit");
    Path image = CorpusFiles.extract("donald/testdata/test.ntfs.dd.gz", dir);
    String istat = Oracles.runOk("istat", image.toString(), "38");
    assertThat(istat).contains("Name: ones.bin").contains("Compressed");
    byte[] icat = Oracles.run("icat", image.toString(), "38").out();
    assertThat(icat).hasSize(2_949_120);
    for (int i = 0; i < icat.length; i++) {
      if (icat[i] != "ONES".charAt(i % 4)) {
        throw new AssertionError("icat byte " + i);
      }
    }
    int[] counts = new int[3];
    try (FileChannel img = FileChannel.open(image, StandardOpenOption.READ)) {
      ByteBuffer boot = ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      img.read(boot, 0);
      int clusterSize = (boot.getShort(0x0B) & 0xFFFF) * (boot.get(0x0D) & 0xFF);
      checkUnits(img, dataClusters(istat), clusterSize, icat, "ones.bin", counts);
    }
    LOG.info("Windows ones.bin: {} compressed units decoded, {} raw, {} sparse", counts[0],
        counts[1], counts[2]);
    assertThat(counts[0]).as("compressed units").isGreaterThan(100);
  }

  /**
   * Decodes the compression units of one file from the clusters istat lists and compares them
   * with {@code original}; counts compressed, raw and sparse units into {@code counts}.
   */
  static void checkUnits(FileChannel img, List<Long> clusters, int clusterSize, byte[] original,
      String name, int[] counts) throws IOException {
    int unit = 16 * clusterSize;
    int units = (original.length + unit - 1) / unit;
    assertThat(clusters.size()).as("%s clusters", name)
        .isEqualTo((original.length + clusterSize - 1) / clusterSize);
    for (int u = 0; u < units; u++) {
      int from = u * 16;
      List<Long> slice = clusters.subList(from, Math.min(from + 16, clusters.size()));
      int unitLen = Math.min(unit, original.length - u * unit);
      byte[] expected = Arrays.copyOfRange(original, u * unit, u * unit + unitLen);
      List<Long> real = slice.stream().filter(l -> l != 0).toList();
      String what = name + " unit " + u + " (" + clusterSize + "-byte clusters)";
      if (real.isEmpty()) {
        assertThat(expected).as(what + ": sparse means zeros").containsOnly((byte) 0);
        counts[2]++;
        continue;
      }
      byte[] stored = new byte[real.size() * clusterSize];
      for (int i = 0; i < real.size(); i++) {
        img.read(ByteBuffer.wrap(stored, i * clusterSize, clusterSize),
            real.get(i) * clusterSize);
      }
      // A full unit with all 16 clusters is stored raw. istat prints no clusters past the end
      // of the file, so for a shorter last unit that fills its clusters the chunk header
      // tells: a compressed chunk's header has bit 15 and the signature 3 in bits 12-14.
      int header = (stored[0] & 0xFF) | (stored[1] & 0xFF) << 8;
      boolean looksCompressed = (header & 0xF000) == 0xB000;
      if (real.size() == slice.size()
          && real.size() == (unitLen + clusterSize - 1) / clusterSize
          && (unitLen == unit || !looksCompressed)) {
        assertThat(Arrays.copyOf(stored, unitLen)).as(what + " stored raw").isEqualTo(expected);
        counts[1]++;
        continue;
      }
      byte[] out = new byte[unit];
      int produced = Lznt1.decompress(stored, 0, stored.length, out, 0, unit);
      assertThat(produced).as(what + " bytes produced").isBetween(1, unit);
      assertThat(Arrays.copyOf(out, unitLen)).as(what).isEqualTo(expected);
      // decoding into exactly the bytes the file still needs gives the same prefix
      byte[] shortOut = new byte[unitLen];
      int n = Lznt1.decompress(stored, 0, stored.length, shortOut, 0, unitLen);
      assertThat(n).isLessThanOrEqualTo(unitLen);
      assertThat(shortOut).as(what + " into a short buffer").isEqualTo(expected);
      counts[0]++;
    }
  }

  /** The cluster list istat prints after the unnamed $DATA attribute's line (0: sparse). */
  static List<Long> dataClusters(String istat) throws IOException {
    List<Long> clusters = new ArrayList<>();
    boolean inData = false;
    for (String line : istat.split("\n")) {
      if (line.startsWith("Type: ")) {
        inData = line.startsWith("Type: $DATA") && line.contains("Name: N/A");
        continue;
      }
      if (!inData) {
        continue;
      }
      String trimmed = line.trim();
      if (trimmed.isEmpty()) {
        inData = false;
        continue;
      }
      for (String n : trimmed.split("\\s+")) {
        clusters.add(Long.parseLong(n));
      }
    }
    if (clusters.isEmpty()) {
      throw new IOException("no $DATA cluster list in istat output:\n" + istat);
    }
    return clusters;
  }

  private static byte[] text(Random random, int n) {
    StringBuilder sb = new StringBuilder(n + 64);
    while (sb.length() < n) {
      sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    return Arrays.copyOf(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), n);
  }
}
