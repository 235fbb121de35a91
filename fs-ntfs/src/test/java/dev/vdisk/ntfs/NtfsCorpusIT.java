package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vdisk.core.VdiskException;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.core.raw.RawDisk;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real, mostly Windows-made NTFS images of the shared corpus: every allocated file and named
 * stream that sleuthkit's {@code fls -r -p -u} lists is read through vdisk's NIO API ({@code
 * path} and {@code path:stream}) and compared byte for byte with {@code icat} of the same inode
 * and attribute; plus the corpus README's expected values. A file vdisk cannot read must fail
 * with a {@link VdiskException} whose message gives the reason: those are printed, never skipped
 * silently. NTFS metadata files (MFT entries below 24 and {@code $Extend}) are compared when vdisk
 * shows them and counted otherwise.
 */
class NtfsCorpusIT {
  @TempDir Path dir;

  @Test
  void donaldWindowsVolume() throws Exception {
    requireTools();
    Path image = CorpusFiles.extract("donald/testdata/test.ntfs.dd.gz", dir);
    try (FileSystem fs = VdiskFileSystems.open(image)) {
      Report r = compareWithIcat(image, 0, fs);
      compareNames(image, 0, fs);
      assertThat(r.compared).as("files compared").isGreaterThanOrEqualTo(5);
      // the corpus README's expected values (computed there with sleuthkit)
      assertThat(NtfsTreeSnapshot.sha256(fs.getPath("/ones.bin")))
          .isEqualTo("396d2ca10e09a4a70bed0dcf580c13d5608e59c433b8592fd3d1f0ccd87244ce");
      assertThat(Files.size(fs.getPath("/ones.bin"))).isEqualTo(2949120);
      Path ads = fs.getPath("/Folder A/Folder B/Hello world text document.txt:goodbye.txt");
      assertThat(NtfsTreeSnapshot.sha256(ads))
          .isEqualTo("3ca4373a4561dc5140cdd1cd04874a8babd92a331efb6e6dab6e7b7394a28d6c");
      assertThat(Files.readString(ads)).isEqualTo("Goodbye cruel world.");
      assertThat(NtfsTreeSnapshot.userXattrs(
          fs.getPath("/Folder A/Folder B/Hello world text document.txt")))
          .containsOnlyKeys("goodbye.txt");
      assertThat(Files.exists(fs.getPath("/deleted.bin"), LinkOption.NOFOLLOW_LINKS))
          .as("the deleted entry (MFT 37) is not listed").isFalse();
    }
  }

  @Test
  void colinfinckMkntfsVolume() throws Exception {
    requireTools();
    Path image = ProjectPaths.corpus().resolve("colinfinck-ntfs/testdata/testfs1");
    if (!Files.exists(image)) {
      image = CorpusFiles.extract("colinfinck-ntfs/testdata/testfs1", dir);
    }
    try (FileSystem fs = VdiskFileSystems.open(image)) {
      Report r = compareWithIcat(image, 0, fs);
      compareNames(image, 0, fs);
      assertThat(r.compared).as("files compared").isGreaterThanOrEqualTo(4);
      byte[] sparse = Files.readAllBytes(fs.getPath("/sparse-file"));
      assertThat(sparse).hasSize(500005);
      assertThat(new String(sparse, 0, 5, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("12345");
      assertThat(new String(sparse, 500000, 5, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("11111");
      List<String> subdirs = new ArrayList<>();
      try (var s = Files.newDirectoryStream(fs.getPath("/many_subdirs"))) {
        s.forEach(p -> subdirs.add(p.getFileName().toString()));
      }
      assertThat(subdirs).hasSize(512).contains("1", "256", "512");
    }
  }

  /** GPT with ext4, exFAT, FAT32 and NTFS (partition 4) in a VMDK (osv-scalibr). */
  @Test
  void scalibrNtfsInGptInVmdk() throws Exception {
    requireTools();
    Oracles.require("qemu-img", "qemu-utils");
    Oracles.require("sfdisk", "fdisk");
    Path vmdk = ProjectPaths.corpus().resolve(
        "osv-scalibr/extractor/filesystem/embeddedfs/vmdk/testdata/valid-ext-exfat-fat32-ntfs.vmdk");
    if (!Files.exists(vmdk)) {
      vmdk = CorpusFiles.extract(
          "osv-scalibr/extractor/filesystem/embeddedfs/vmdk/testdata/"
              + "valid-ext-exfat-fat32-ntfs.vmdk", dir);
    }
    Path raw = dir.resolve("scalibr.raw");
    Oracles.runOk("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(),
        raw.toString());
    String json = Oracles.runOk("sfdisk", "-J", raw.toString());
    Matcher m = Pattern.compile("\"node\":\\s*\"[^\"]*4\",\\s*\"start\":\\s*(\\d+)").matcher(json);
    assertThat(m.find()).as("sfdisk sees partition 4: %s", json).isTrue();
    long start = Long.parseLong(m.group(1));
    try (FileSystem fs = VdiskFileSystems.open(vmdk, OptionalInt.of(4));
        FileSystem byDefault = VdiskFileSystems.open(vmdk)) {
      Report r = compareWithIcat(raw, start, fs);
      compareNames(raw, start, fs);
      assertThat(r.compared).as("files compared").isGreaterThanOrEqualTo(1);
      assertThat(NtfsTreeSnapshot.sha256(byDefault.getPath("/private-key4.pem")))
          .as("the default partition is the only NTFS one")
          .isEqualTo(NtfsTreeSnapshot.sha256(fs.getPath("/private-key4.pem")));
    }
  }

  /** Velocidex go-ntfs: a file whose three named streams carry the same attribute ids. */
  @Test
  void goNtfsAdsWithSameIds() throws Exception {
    requireTools();
    Path image = CorpusFiles.extract("go-ntfs/tests/ads_with_same_ids/charlie.dd.bz2", dir);
    // A VHD footer claiming 64 KiB more than the file holds (go-ntfs cut the image short): if
    // vdisk's VHD driver refuses that footer it must say why; the volume is then read as the raw
    // bytes sleuthkit reads.
    try (FileSystem asVhd = VdiskFileSystems.open(image)) {
      compareWithIcat(image, 0, asVhd);
    } catch (VdiskException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      System.out.println("charlie.dd is not opened as a VHD: " + refused);
    }
    try (RawDisk raw = RawDisk.open(image, false);
        FileSystem fs = VdiskFileSystems.open(raw)) {
      Report r = compareWithIcat(image, 0, fs);
      compareNames(image, 0, fs);
      assertThat(r.compared).as("files compared").isGreaterThanOrEqualTo(4);
      assertThat(NtfsTreeSnapshot.userXattrs(fs.getPath("/Nine.txt")))
          .containsOnlyKeys("111", "222", "333");
    }
  }

  private static void requireTools() {
    Oracles.require("fls", "sleuthkit");
    Oracles.require("icat", "sleuthkit");
  }

  /** What one image's comparison did. */
  private static final class Report {
    int compared;
    int hiddenMetadata;
    final List<String> refused = new ArrayList<>();
  }

  /**
   * Compares every allocated file and stream fls lists (at sector offset {@code sectorOffset} of
   * {@code oracleImage}) with vdisk's bytes.
   */
  private static Report compareWithIcat(Path oracleImage, long sectorOffset, FileSystem fs)
      throws IOException {
    Map<String, String> listed = flsEntries(oracleImage, sectorOffset);
    assertThat(listed).as("fls lists the volume").isNotEmpty();
    Report report = new Report();
    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, String> e : listed.entrySet()) {
      String path = e.getKey();
      String inode = e.getValue();
      boolean metadata = Long.parseLong(inode.substring(0, inode.indexOf('-'))) < 24
          || path.startsWith("/$Extend/");
      Path p = fs.getPath(path);
      if (metadata) {
        String base = path.contains(":") ? path.substring(0, path.indexOf(':')) : path;
        if (!Files.exists(fs.getPath(base), LinkOption.NOFOLLOW_LINKS)) {
          report.hiddenMetadata++;
          continue;
        }
      }
      String vdisk;
      try {
        vdisk = NtfsTreeSnapshot.sizedSha256(p);
      } catch (VdiskException ex) {
        soft.assertThat(ex.getMessage()).as("the reason %s cannot be read", path).isNotBlank();
        report.refused.add(path + " (" + inode + "): " + ex.getClass().getSimpleName() + ": "
            + ex.getMessage());
        continue;
      } catch (NoSuchFileException ex) {
        soft.fail("%s (%s, listed by fls) is missing in vdisk: %s", path, inode, ex);
        continue;
      } catch (IOException | RuntimeException ex) {
        soft.fail("%s (%s): not a typed vdisk error: %s", path, inode, ex);
        continue;
      }
      List<String> cmd = new ArrayList<>(List.of("icat"));
      if (path.equals("/$BadClus:$Bad")) {
        // sleuthkit prints nothing for this all-sparse stream (its initialised size is 0); ntfscat
        // prints its data size of zeros
        cmd = new ArrayList<>(List.of("ntfscat", "-a", "0x80", "-n", "$Bad"));
        if (sectorOffset > 0) {
          report.compared += compareBadClus(oracleImage, sectorOffset, vdisk, soft);
          continue;
        }
        cmd.addAll(List.of(oracleImage.toString(), "$BadClus"));
        Oracles.Result cat = Oracles.run(cmd.toArray(String[]::new));
        soft.assertThat(cat.exitCode()).as(cat.describe()).isZero();
        soft.assertThat(vdisk).as("%s against ntfscat", path)
            .isEqualTo(cat.out().length + ":" + NtfsTreeSnapshot.sha256(cat.out()));
        report.compared++;
        continue;
      }
      if (sectorOffset > 0) {
        cmd.addAll(List.of("-o", Long.toString(sectorOffset)));
      }
      cmd.addAll(List.of(oracleImage.toString(), inode));
      Oracles.Result icat = Oracles.run(cmd.toArray(String[]::new));
      soft.assertThat(icat.exitCode()).as(icat.describe()).isZero();
      soft.assertThat(vdisk).as("%s (%s) against icat", path, inode)
          .isEqualTo(icat.out().length + ":" + NtfsTreeSnapshot.sha256(icat.out()));
      report.compared++;
    }
    System.out.printf("%s: %d files and streams equal icat, %d metadata files not shown, "
        + "%d refused with a reason%s%n", oracleImage.getFileName(), report.compared,
        report.hiddenMetadata, report.refused.size(),
        report.refused.isEmpty() ? "" : ":\n  " + String.join("\n  ", report.refused));
    soft.assertAll();
    return report;
  }

  /** The metadata files in the root (MFT entries 0 to 11). */
  private static final java.util.Set<String> METAFILES = java.util.Set.of("$MFT", "$MFTMirr",
      "$LogFile", "$Volume", "$AttrDef", "$Bitmap", "$Boot", "$BadClus", "$Secure", "$UpCase",
      "$Extend");

  /**
   * The names vdisk's walk finds equal the allocated names fls lists (one per file and
   * directory, without the DOS 8.3 duplicates), metadata files aside.
   */
  private static void compareNames(Path oracleImage, long sectorOffset, FileSystem fs)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("fls", "-r", "-p", "-u"));
    if (sectorOffset > 0) {
      cmd.addAll(List.of("-o", Long.toString(sectorOffset)));
    }
    cmd.add(oracleImage.toString());
    java.util.Set<String> want = new java.util.TreeSet<>();
    Pattern line = Pattern.compile("^([-a-zA-Z])/([-a-zA-Z]) ([0-9]+)-[0-9]+-[0-9]+:\t(.*)$");
    for (String l : Oracles.runOk(cmd.toArray(String[]::new)).split("\n")) {
      Matcher m = line.matcher(l);
      if (m.matches() && !m.group(4).contains(":") && !isMetadata("/" + m.group(4))) {
        want.add("/" + m.group(4));
      }
    }
    java.util.Set<String> got = new java.util.TreeSet<>();
    try (var walk = Files.walk(fs.getPath("/"))) {
      walk.map(Path::toString).filter(p -> !p.equals("/") && !isMetadata(p)).forEach(got::add);
    }
    assertThat(got).as("%s: the names vdisk lists against fls", oracleImage.getFileName())
        .isEqualTo(want);
  }

  private static boolean isMetadata(String path) {
    String first = path.substring(1).split("/", 2)[0];
    return METAFILES.contains(first);
  }

  /** $BadClus:$Bad of a volume inside a disk: ntfscat of the partition cut out with dd. */
  private static int compareBadClus(Path disk, long sectorOffset, String vdisk,
      SoftAssertions soft) throws IOException {
    Path part = Files.createTempFile(disk.getParent(), "partition", ".img");
    try {
      String fsstat = Oracles.runOk("fsstat", "-o", Long.toString(sectorOffset), disk.toString());
      Matcher m = Pattern.compile("Total Sector Range: 0 - (\\d+)").matcher(fsstat);
      assertThat(m.find()).as(fsstat).isTrue();
      long sectors = Long.parseLong(m.group(1)) + 1;
      Oracles.runOk("dd", "if=" + disk, "of=" + part, "bs=512", "skip=" + sectorOffset,
          "count=" + sectors, "conv=sparse", "status=none");
      Oracles.Result cat = Oracles.run("ntfscat", "-a", "0x80", "-n", "$Bad", part.toString(),
          "$BadClus");
      soft.assertThat(cat.exitCode()).as(cat.describe()).isZero();
      soft.assertThat(vdisk).as("$BadClus:$Bad against ntfscat")
          .isEqualTo(cat.out().length + ":" + NtfsTreeSnapshot.sha256(cat.out()));
      return 1;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** fls -r -p -u: allocated files and streams ("r/r", "d/r"), path to inode-type-id. */
  static Map<String, String> flsEntries(Path image, long sectorOffset) {
    List<String> cmd = new ArrayList<>(List.of("fls", "-r", "-p", "-u"));
    if (sectorOffset > 0) {
      cmd.addAll(List.of("-o", Long.toString(sectorOffset)));
    }
    cmd.add(image.toString());
    Map<String, String> out = new java.util.LinkedHashMap<>();
    Pattern line = Pattern.compile("^([-a-zA-Z])/([-a-zA-Z]) ([0-9]+-[0-9]+-[0-9]+):\t(.*)$");
    for (String l : Oracles.runOk(cmd.toArray(String[]::new)).split("\n")) {
      Matcher m = line.matcher(l);
      if (!m.matches() || !m.group(2).equals("r") || !m.group(3).contains("-128-")) {
        continue; // only $DATA (type 128): fls also lists named index roots such as $Secure:$SDH
      }
      String path = m.group(4);
      if (path.contains("/.:")) {
        continue; // fls's second name for a directory's stream ("dir/.:s" beside "dir:s")
      }
      out.putIfAbsent("/" + path, m.group(3));
    }
    return out;
  }
}
