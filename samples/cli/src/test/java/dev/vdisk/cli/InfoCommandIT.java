package dev.vdisk.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vdisk info --json} against sfdisk and sgdisk on images those tools partitioned. */
class InfoCommandIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private Path make(String script, String name) {
    Oracles.require("sfdisk", "fdisk");
    Oracles.require("sgdisk", "gdisk");
    Path image = dir.resolve(name);
    Oracles.runOk("bash", ProjectPaths.script(script).toString(), image.toString());
    return image;
  }

  private static JsonNode vdiskInfo(Path image) throws Exception {
    CliRunner r = CliRunner.run("info", "--json", image.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    return MAPPER.readTree(r.out());
  }

  /** sfdisk --json, with each partition's number taken from its node name. */
  private static List<JsonNode> sfdisk(Path image) throws Exception {
    JsonNode table = MAPPER.readTree(Oracles.runOk(
        Oracles.require("sfdisk", "fdisk").toString(), "--json", image.toString()))
        .get("partitiontable");
    List<JsonNode> parts = new ArrayList<>();
    table.get("partitions").forEach(parts::add);
    return parts;
  }

  private static int number(JsonNode sfdiskPartition, Path image) {
    return Integer.parseInt(sfdiskPartition.get("node").asText().substring(image.toString().length()));
  }

  @Test
  void mbrWithExtendedAndLogicalPartitionsMatchesSfdisk() throws Exception {
    Path image = make("make-mbr-extended.sh", "mbr.img");
    JsonNode ours = vdiskInfo(image);
    List<JsonNode> theirs = sfdisk(image);
    assertThat(ours.get("partitionTable").asText()).isEqualTo("mbr");
    assertThat(theirs).hasSize(7); // 3 primary + extended + 3 logical
    assertThat(ours.get("partitions")).hasSize(theirs.size());
    for (int i = 0; i < theirs.size(); i++) {
      JsonNode t = theirs.get(i);
      JsonNode o = ours.get("partitions").get(i);
      assertThat(o.get("index").asInt()).isEqualTo(number(t, image));
      assertThat(o.get("firstSector").asLong()).isEqualTo(t.get("start").asLong());
      assertThat(o.get("sectors").asLong()).isEqualTo(t.get("size").asLong());
      assertThat(o.get("start").asLong()).isEqualTo(t.get("start").asLong() * 512);
      assertThat(o.get("type").asText()).isEqualTo(String.format("0x%02x",
          Integer.parseInt(t.get("type").asText(), 16)));
      assertThat(o.get("bootable").asBoolean()).isEqualTo(t.path("bootable").asBoolean(false));
    }
    String sfdiskId = MAPPER.readTree(Oracles.runOk("sfdisk", "--json", image.toString()))
        .get("partitiontable").get("id").asText();
    assertThat(ours.get("diskId").asText()).isEqualToIgnoringCase(sfdiskId);
  }

  @Test
  void gptWithFiveNamedPartitionsMatchesSfdiskAndSgdisk() throws Exception {
    Path image = make("make-gpt5.sh", "gpt.img");
    JsonNode ours = vdiskInfo(image);
    List<JsonNode> theirs = sfdisk(image);
    assertThat(ours.get("partitionTable").asText()).isEqualTo("gpt");
    assertThat(ours.get("warnings")).isEmpty();
    assertThat(theirs).hasSize(5);
    assertThat(ours.get("partitions")).hasSize(5);
    String sgdiskPrint = Oracles.runOk(Oracles.require("sgdisk", "gdisk").toString(), "-p",
        image.toString());
    for (int i = 0; i < theirs.size(); i++) {
      JsonNode t = theirs.get(i);
      JsonNode o = ours.get("partitions").get(i);
      assertThat(o.get("index").asInt()).isEqualTo(number(t, image));
      assertThat(o.get("firstSector").asLong()).isEqualTo(t.get("start").asLong());
      assertThat(o.get("sectors").asLong()).isEqualTo(t.get("size").asLong());
      assertThat(o.get("type").asText()).isEqualToIgnoringCase(t.get("type").asText());
      assertThat(o.get("partUuid").asText()).isEqualToIgnoringCase(t.get("uuid").asText());
      assertThat(o.get("name").asText()).isEqualTo(t.get("name").asText());
      // sgdisk -p: "   1            2048            4095   1024.0 KiB  EF00  EFI system"
      Matcher m = Pattern.compile("(?m)^\\s*" + o.get("index").asInt()
          + "\\s+(\\d+)\\s+(\\d+)\\s+\\S+ \\S+\\s+\\S{4}\\s+(.*)$").matcher(sgdiskPrint);
      assertThat(m.find()).as(sgdiskPrint).isTrue();
      assertThat(Long.parseLong(m.group(1))).isEqualTo(o.get("firstSector").asLong());
      assertThat(Long.parseLong(m.group(2)))
          .isEqualTo(o.get("firstSector").asLong() + o.get("sectors").asLong() - 1);
      assertThat(m.group(3).trim()).isEqualTo(o.get("name").asText());
    }
    String diskGuid = Oracles.runOk("sgdisk", "-p", image.toString()).lines()
        .filter(l -> l.startsWith("Disk identifier (GUID):")).findFirst().orElseThrow()
        .substring("Disk identifier (GUID):".length()).trim();
    assertThat(ours.get("diskId").asText()).isEqualTo(diskGuid.toUpperCase(Locale.ROOT));
  }

  @Test
  void zeroedPrimaryGptHeaderIsReadFromTheBackupAndSaysSo() throws Exception {
    Path image = make("make-gpt5.sh", "gpt.img");
    JsonNode before = vdiskInfo(image);
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.seek(512);
      f.write(new byte[512]);
    }
    String verify = Oracles.run("sgdisk", "-v", image.toString()).stdout();
    assertThat(verify).as("sgdisk sees the damage too").containsIgnoringCase("problem");
    JsonNode after = vdiskInfo(image);
    assertThat(after.get("partitions")).isEqualTo(before.get("partitions"));
    assertThat(after.get("warnings").toString()).containsIgnoringCase("backup");
    CliRunner text = CliRunner.run("info", image.toString());
    assertThat(text.out()).contains("warning:").containsIgnoringCase("backup");
  }

  @Test
  void badEntryArrayCrcIsCorruptUnlessTheBackupIsGood() throws Exception {
    Path image = make("make-gpt5.sh", "gpt.img");
    JsonNode before = vdiskInfo(image);
    long size = image.toFile().length();
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      // Primary entry array starts at LBA 2; flip a byte of the first entry's name.
      f.seek(2 * 512 + 56);
      int b = f.read();
      f.seek(2 * 512 + 56);
      f.write(b ^ 0x20);
    }
    JsonNode recovered = vdiskInfo(image);
    assertThat(recovered.get("partitions")).isEqualTo(before.get("partitions"));
    assertThat(recovered.get("warnings").toString()).containsIgnoringCase("backup");
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      // Backup entry array: the 32 sectors before the backup header in the last sector.
      long backupArray = size - 512 - 32 * 512;
      f.seek(backupArray + 56);
      int b = f.read();
      f.seek(backupArray + 56);
      f.write(b ^ 0x20);
    }
    CliRunner r = CliRunner.run("info", "--json", image.toString());
    assertThat(r.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).contains("gpt.img").containsIgnoringCase("CRC");
  }
}
