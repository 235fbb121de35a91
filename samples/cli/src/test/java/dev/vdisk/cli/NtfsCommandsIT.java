package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.NtfsImages;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.SambaSddl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk info}, {@code stat} and {@code cat} on an NTFS volume that mkntfs made and ntfs-3g
 * filled ({@link NtfsImages}), against {@code ntfsinfo -m} and {@code blkid} for the volume facts,
 * a read-only ntfs-3g mount ({@code system.ntfs_attrib_be}, {@code system.ntfs_acl} through
 * Samba's SDDL, {@code file:stream}) for the files.
 */
class NtfsCommandsIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private static Map<String, String> ntfsinfo(Path image) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Oracles.runOk("ntfsinfo", "-m", image.toString()).split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  @Test
  void infoShowsTheVolumeFactsNtfsinfoAndBlkidShow() throws Exception {
    Path image = NtfsImages.get(NtfsImages.Variant.DEFAULT);
    Oracles.require("ntfsinfo", "ntfs-3g");
    Oracles.require("blkid", "util-linux");
    CliRunner r = CliRunner.run("info", "--json", image.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode ours = MAPPER.readTree(r.out());
    Map<String, String> m = ntfsinfo(image);
    assertThat(ours.get("filesystem").asText()).isEqualTo("ntfs");
    assertThat(ours.get("label").asText()).isEqualTo(m.get("Volume Name"));
    assertThat(ours.get("uuid").asText()).isEqualTo(
        Oracles.runOk("blkid", "-p", "-o", "value", "-s", "UUID", image.toString()).trim());
    JsonNode d = ours.get("details");
    assertThat(d.get("version").asText()).isEqualTo(m.get("Volume Version"));
    assertThat(d.get("clusterSize").asText()).isEqualTo(m.get("Cluster Size"));
    assertThat(d.get("mftRecordSize").asText()).isEqualTo(m.get("MFT Record Size"));
    assertThat(d.get("indexRecordSize").asText()).isEqualTo(m.get("Index Block Size"));
    assertThat(d.get("dirty").asBoolean())
        .isEqualTo((Integer.decode(m.get("Volume Flags")) & 1) != 0);
    assertThat(d.get("hibernation").asText()).isEqualTo("no hiberfil.sys");
    assertThat(d.get("logFile").asText()).isNotBlank();
  }

  @Test
  void statShowsDosAttributesAndTheSecurityDescriptorNtfs3gShows() throws Exception {
    Path image = NtfsImages.get(NtfsImages.Variant.DEFAULT);
    Oracles.requireRoot("mounting with ntfs-3g");
    Oracles.require("getfattr", "attr");
    SambaSddl.require();
    List<String> files = List.of("/attrs/readonly.txt", "/attrs/hidden.txt", "/attrs/system.txt",
        "/attrs/all.txt", "/attrs/none.txt", "/attrs/hidden-dir", "/streams/file.txt");
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Oracles.runOk("ntfs-3g", "-o", "ro", image.toString(), mnt.toString());
    try {
      for (String f : files) {
        CliRunner r = CliRunner.run("stat", "--json", image.toString(), f);
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode ours = MAPPER.readTree(r.out()).get(0);
        Path theirs = mnt.resolve(f.substring(1));
        int attrib = (int) Long.parseLong(xattrHex(theirs, "system.ntfs_attrib_be"), 16);
        assertThat(ours.get("ntfs").get("fileAttributes").asInt() & 0xffff)
            .as(f).isEqualTo(attrib & 0xffff);
        assertThat(ours.get("dos").asText().charAt(0) == 'R').as(f).isEqualTo((attrib & 1) != 0);
        assertThat(ours.get("dos").asText().charAt(1) == 'H').as(f).isEqualTo((attrib & 2) != 0);
        byte[] acl = HexFormat.of().parseHex(xattrHex(theirs, "system.ntfs_acl"));
        String sddl = SambaSddl.sddl(List.of(acl), null).get(0);
        assertThat(ours.get("ntfs").get("sddl").asText()).as(f).isEqualTo(sddl);
        assertThat(ours.get("ntfs").get("ownerSid").asText()).as(f).startsWith("S-1-");
      }
    } finally {
      Oracles.run("umount", mnt.toString());
    }
  }

  private static String xattrHex(Path file, String name) {
    String out = Oracles.runOk("getfattr", "--absolute-names", "-e", "hex", "-n", name,
        file.toString());
    for (String line : out.split("\n")) {
      if (line.startsWith(name + "=0x")) {
        return line.substring(name.length() + 3);
      }
    }
    throw new AssertionError("no " + name + " in: " + out);
  }

  @Test
  void catReadsANamedStreamAsNtfs3gDoes() throws Exception {
    Path image = NtfsImages.get(NtfsImages.Variant.DEFAULT);
    Oracles.requireRoot("mounting with ntfs-3g");
    Path mnt = Files.createDirectories(dir.resolve("mntw"));
    Oracles.runOk("ntfs-3g", "-o", "ro,streams_interface=windows", image.toString(),
        mnt.toString());
    try {
      for (String stream : List.of("small", "ストリーム", "empty")) {
        CliRunner r = CliRunner.run("cat", image.toString(), "/streams/file.txt:" + stream);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(Files.readString(
            mnt.resolve("streams/file.txt:" + stream), StandardCharsets.UTF_8));
      }
      CliRunner r = CliRunner.run("stat", image.toString(), "/streams/file.txt");
      // in attribute order: NTFS keeps a file's attributes sorted by type, then name
      assertThat(r.out()).contains("Streams: big, empty, small, ストリーム");
    } finally {
      Oracles.run("umount", mnt.toString());
    }
  }
}
