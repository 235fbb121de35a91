package dev.vdisk.ntfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.ntfs.internal.AttributeHeader;
import dev.vdisk.ntfs.internal.BootSector;
import dev.vdisk.ntfs.internal.DataRuns;
import dev.vdisk.ntfs.internal.HibernationFile;
import dev.vdisk.ntfs.internal.LogFileState;
import dev.vdisk.ntfs.internal.MftRecord;
import dev.vdisk.ntfs.internal.VolumeInformation;
import dev.vdisk.testdata.CorpusFiles;
import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Oracle test of {@link VolumeInformation}, {@link LogFileState} and {@link HibernationFile}:
 * volumes in planted states (flags patched into $VOLUME_INFORMATION and its $MFTMirr copy,
 * restart pages of a Windows-made $LogFile patched unclean or to version 2.0, a {@code
 * hiberfil.sys} with each header) read here and by {@code ntfsinfo -f -m} (version and flags;
 * without {@code -f} it refuses dirty volumes) and by ntfs-3g, whose read-write mount says
 * "unclean file system", "Metadata kept in Windows cache" or "Windows is hibernated" (and falls
 * back to read-only) exactly when the parsers say so.
 */
class NtfsVolumeStateIT {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {0x0000, 0x0001, 0x0002, 0x0080, 0x8000, 0xc03f})
  void volumeFlags(int flags) throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.require("ntfsinfo", "ntfs-3g");
    Path image = NtfsMetaTools.mkntfs(dir, "flags.img", 16);
    patchVolumeFlags(image, flags);
    byte[] value = NtfsMetaTools.icat(image, 3, VolumeInformation.TYPE, null);
    VolumeInformation vi = VolumeInformation.parse(ByteBuffer.wrap(value), image.toString(), 0);
    String info = Oracles.run("ntfsinfo", "-f", "-m", image.toString()).stdout();
    assertThat(field(info, "Volume Version")).isEqualTo(vi.version());
    assertThat(field(info, "Volume Flags")).startsWith(String.format("0x%04x", vi.flags()));
    assertThat(field(info, "Volume Flags").contains("DIRTY")).isEqualTo(vi.dirty());
    assertThat(vi.flags()).isEqualTo(flags);
    Oracles.Result plain = Oracles.run("ntfsinfo", "-m", image.toString());
    assertThat(plain.stdout() + plain.stderr())
        .as("ntfsinfo without -f refuses exactly the dirty volumes")
        .matches(s -> s.contains("Volume is scheduled for check") == vi.dirty());
    assertThat(vi.flagNames()).isNotNull();
  }

  @Test
  void corpusVolumeInformation() throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.require("ntfsinfo", "ntfs-3g");
    for (String file : List.of("donald/testdata/test.ntfs.dd.gz",
        "colinfinck-ntfs/testdata/testfs1")) {
      Path image = CorpusFiles.extract(file, Files.createTempDirectory(dir, "c"));
      VolumeInformation vi = VolumeInformation.parse(
          ByteBuffer.wrap(NtfsMetaTools.icat(image, 3, VolumeInformation.TYPE, null)),
          image.toString(), 0);
      String info = Oracles.run("ntfsinfo", "-f", "-m", image.toString()).stdout();
      assertThat(field(info, "Volume Version")).isEqualTo(vi.version());
      assertThat(field(info, "Volume Flags")).startsWith(String.format("0x%04x", vi.flags()));
      String fsstat = Oracles.runOk("fsstat", image.toString());
      assertThat(fsstat).contains(vi.minorVersion() == 1 ? "Windows XP"
          : vi.minorVersion() == 0 ? "Windows 2000" : "Windows Server 2003");
    }
  }

  /** A state planted into the Windows-made $LogFile of the corpus volume. */
  @ParameterizedTest
  @ValueSource(strings = {"as-is", "unclean", "no-client-in-use", "v2.0", "v2.0-unclean",
      "chkd", "second-page-only", "no-restart-page"})
  void logFile(String state) throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = CorpusFiles.extract("donald/testdata/test.ntfs.dd.gz", dir);
    long log = logFileOffset(image);
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      for (int page : new int[] {0, 4096}) {
        long p = log + page;
        switch (state) {
          case "unclean" -> putShort(ch, p + 0x3e, 0);
          case "no-client-in-use" -> {
            putShort(ch, p + 0x3e, 0);
            putShort(ch, p + 0x3c, 0xffff);
          }
          case "v2.0" -> {
            putShort(ch, p + 0x1a, 0);
            putShort(ch, p + 0x1c, 2);
          }
          case "v2.0-unclean" -> {
            putShort(ch, p + 0x1a, 0);
            putShort(ch, p + 0x1c, 2);
            putShort(ch, p + 0x3e, 0);
          }
          case "chkd" -> ch.write(ByteBuffer.wrap("CHKD".getBytes()), p);
          case "second-page-only" -> {
            if (page == 0) {
              ch.write(ByteBuffer.wrap("XXXX".getBytes()), p);
            }
          }
          case "no-restart-page" -> ch.write(ByteBuffer.wrap("XXXX".getBytes()), p);
          default -> { }
        }
      }
    }
    byte[] head = Arrays.copyOf(NtfsMetaTools.icat(image, 2, 128, null), 65536);
    if (state.equals("no-restart-page")) {
      assertThatThrownBy(() -> LogFileState.parse(ByteBuffer.wrap(head), image.toString(), log))
          .isInstanceOf(CorruptStructureException.class);
      assertThat(mountMessages(image)).contains("Did not find any restart pages");
      return;
    }
    LogFileState s = LogFileState.parse(ByteBuffer.wrap(head), image.toString(), log);
    assertThat(s.empty()).isFalse();
    LogFileState.RestartPage page = s.page().orElseThrow();
    assertThat(page.clientName()).contains("NTFS");
    assertThat(page.offset()).isEqualTo(state.equals("second-page-only") ? 4096 : 0);
    String out = mountMessages(image);
    assertThat(out.contains("unclean file system")).as(out).isEqualTo(!s.clean());
    assertThat(out.contains("Metadata kept in Windows cache")).as(out)
        .isEqualTo(s.ntfs3gRefusesMount());
  }

  @Test
  void emptyLogFile() throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = NtfsMetaTools.mkntfs(dir, "log.img", 16);
    LogFileState s = LogFileState.parse(
        ByteBuffer.wrap(Arrays.copyOf(NtfsMetaTools.icat(image, 2, 128, null), 65536)),
        image.toString(), 0);
    assertThat(s.empty()).isTrue();
    assertThat(s.clean()).isTrue();
    String out = mountMessages(image);
    assertThat(out).doesNotContain("unclean").doesNotContain("refused");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hibr", "HIBR", "wake", "WAKE", "rstr", "RSTR", "zeroes", "other",
      "short-hibr", "empty", "none"})
  void hibernationFile(String kind) throws Exception {
    NtfsMetaTools.requireTools();
    Oracles.requireRoot("mounting with ntfs-3g");
    Path image = NtfsMetaTools.mkntfs(dir, "hib.img", 16);
    byte[] content = switch (kind) {
      case "zeroes" -> new byte[8192];
      case "other" -> filled("abcd", 8192, (byte) 1);
      case "short-hibr" -> filled("hibr", 100, (byte) 0);
      case "empty" -> new byte[0];
      default -> filled(kind, 8192, (byte) 0);
    };
    if (!kind.equals("none")) {
      try (NtfsMetaTools.Mount m = new NtfsMetaTools.Mount(image, dir.resolve("mnt"), "")) {
        Files.write(m.dir.resolve("hiberfil.sys"), content);
      }
    }
    String out = mountMessages(image);
    boolean refused = out.contains("Windows is hibernated")
        || out.contains("Hibernated non-system partition");
    if (kind.equals("none")) {
      assertThat(refused).as(out).isFalse();
      return;
    }
    long inode = Long.parseLong(Oracles.runOk("ifind", "-n", "/hiberfil.sys", image.toString())
        .trim());
    byte[] data = NtfsMetaTools.icat(image, inode, 128, null);
    HibernationFile h = HibernationFile.parse(
        ByteBuffer.wrap(data, 0, Math.min(data.length, HibernationFile.HEADER_SIZE)),
        data.length);
    assertThat(refused).as("%s: %s", out, h).isEqualTo(h.ntfs3gRefusesMount());
    assertThat(out.contains("Windows is hibernated"))
        .isEqualTo(h.state() == HibernationFile.State.HIBERNATED);
  }

  private static byte[] filled(String signature, int size, byte fill) {
    byte[] b = new byte[size];
    Arrays.fill(b, fill);
    System.arraycopy(signature.getBytes(), 0, b, 0, Math.min(4, size));
    return b;
  }

  /** What ntfs-3g says when mounting a copy read-write (it may reset the log of the copy). */
  private String mountMessages(Path image) throws IOException {
    Path copy = dir.resolve("copy-" + image.getFileName());
    Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
    Path mnt = Files.createDirectories(dir.resolve("probe"));
    Oracles.Result r = Oracles.run("ntfs-3g", copy.toString(), mnt.toString());
    Oracles.runOk("umount", mnt.toString());
    Files.delete(copy);
    return r.stdout() + r.stderr();
  }

  private static String field(String ntfsinfo, String name) {
    Matcher m = Pattern.compile("^\\s*" + Pattern.quote(name) + ": (.*)$", Pattern.MULTILINE)
        .matcher(ntfsinfo);
    assertThat(m.find()).as(name + " in " + ntfsinfo).isTrue();
    return m.group(1).trim();
  }

  private static void putShort(FileChannel ch, long at, int v) throws IOException {
    ch.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) v), at);
  }

  /** Patches the flags of $VOLUME_INFORMATION in entry 3 of $MFT and of $MFTMirr. */
  private static void patchVolumeFlags(Path image, int flags) throws Exception {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      BootSector boot = BootSector.parse(read(ch, 0, 512), image.toString(), 0);
      int size = boot.mftRecordSize();
      for (long cluster : new long[] {boot.mftCluster(), boot.mftMirrCluster()}) {
        long at = cluster * boot.clusterSize() + 3L * size;
        MftRecord r = MftRecord.parse(read(ch, at, size), image.toString(), at);
        AttributeHeader a = r.attributes().stream()
            .filter(h -> h.type() == VolumeInformation.TYPE).findFirst().orElseThrow();
        int pos = a.recordOffset() + a.valueOffset() + 10;
        assertThat(pos % 512).as("not under a fixup").isLessThan(510);
        putShort(ch, at + pos, flags);
      }
    }
  }

  /** The byte offset of $LogFile's first cluster (its first run). */
  private static long logFileOffset(Path image) throws Exception {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      BootSector boot = BootSector.parse(read(ch, 0, 512), image.toString(), 0);
      int size = boot.mftRecordSize();
      long at = boot.mftCluster() * boot.clusterSize() + 2L * size;
      MftRecord r = MftRecord.parse(read(ch, at, size), image.toString(), at);
      AttributeHeader data = r.attributes().stream().filter(h -> h.type() == 0x80)
          .findFirst().orElseThrow();
      List<DataRuns.Run> runs = r.dataRuns(data, boot.clusterCount(), image.toString(), at);
      assertThat(runs.get(0).length() * boot.clusterSize()).isGreaterThanOrEqualTo(8192);
      return runs.get(0).lcn() * boot.clusterSize();
    }
  }

  private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
      // fill
    }
    return b.flip();
  }
}
