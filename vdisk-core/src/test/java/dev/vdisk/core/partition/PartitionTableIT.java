package dev.vdisk.core.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle tests: partition tables written by sfdisk and sgdisk (through the fixture scripts, at
 * their default size and 1 MiB alignment) must read as sfdisk and sgdisk list them, and damaged
 * copies must fall back to the backup GPT or fail exactly when sgdisk also finds a problem.
 */
class PartitionTableIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path make(String script, String name) {
    Oracles.require("bash", "bash");
    Path image = dir.resolve(name);
    Oracles.runOk("bash", ProjectPaths.script(script).toString(), image.toString());
    return image;
  }

  private static PartitionTable read(Path image) throws IOException {
    byte[] bytes = Files.readAllBytes(image);
    return PartitionTable.read(new MemoryBlockDevice(bytes, false, image.toString(), 512));
  }

  private static JsonNode sfdiskJson(Path image) throws IOException {
    return JSON.readTree(Oracles.runOk("sfdisk", "--json", image.toString())).get("partitiontable");
  }

  /** The partition number at the end of sfdisk's "node" (the image path + number). */
  private static int nodeIndex(JsonNode partition, Path image) {
    return Integer.parseInt(partition.get("node").asText().substring(image.toString().length()));
  }

  @Test
  void mbrWithLogicalPartitionsMatchesSfdisk() throws IOException {
    Oracles.require("sfdisk", "fdisk");
    Path image = make("make-mbr-extended.sh", "mbr.img");
    JsonNode oracle = sfdiskJson(image);
    PartitionTable table = read(image);

    assertThat(oracle.get("label").asText()).isEqualTo("dos");
    assertThat(table.scheme().jsonName()).isEqualTo("mbr");
    assertThat(table.diskId()).contains(oracle.get("id").asText());
    assertThat(table.warnings()).isEmpty();
    List<Partition> parts = table.partitions();
    assertThat(parts).hasSize(oracle.get("partitions").size()).hasSize(7);
    for (int i = 0; i < parts.size(); i++) {
      JsonNode expected = oracle.get("partitions").get(i);
      Partition actual = parts.get(i);
      assertThat(actual.index()).as("index").isEqualTo(nodeIndex(expected, image));
      assertThat(actual.firstSector()).as("start of %s", actual).isEqualTo(expected.get("start").asLong());
      assertThat(actual.sectorCount()).as("size of %s", actual).isEqualTo(expected.get("size").asLong());
      assertThat(Integer.decode(actual.type().id()))
          .as("type of %s", actual)
          .isEqualTo(Integer.parseInt(expected.get("type").asText(), 16));
      assertThat(actual.bootable()).isEqualTo(expected.path("bootable").asBoolean(false));
    }
    assertThat(parts).filteredOn(Partition::isExtended).extracting(Partition::index).containsExactly(4);
    assertThat(parts).extracting(Partition::index).containsExactly(1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void gptMatchesSfdiskAndSgdisk() throws IOException {
    Oracles.require("sfdisk", "fdisk");
    Oracles.require("sgdisk", "gdisk");
    Path image = make("make-gpt5.sh", "gpt.img");
    JsonNode oracle = sfdiskJson(image);
    PartitionTable table = read(image);

    assertThat(oracle.get("label").asText()).isEqualTo("gpt");
    assertThat(table.scheme().jsonName()).isEqualTo("gpt");
    assertThat(table.diskId()).contains(oracle.get("id").asText());
    assertThat(table.usedBackup()).isFalse();
    assertThat(table.warnings()).isEmpty();
    List<Partition> parts = table.partitions();
    assertThat(parts).hasSize(oracle.get("partitions").size()).hasSize(5);
    for (int i = 0; i < parts.size(); i++) {
      JsonNode expected = oracle.get("partitions").get(i);
      Partition actual = parts.get(i);
      assertThat(actual.index()).isEqualTo(nodeIndex(expected, image));
      assertThat(actual.firstSector()).isEqualTo(expected.get("start").asLong());
      assertThat(actual.sectorCount()).isEqualTo(expected.get("size").asLong());
      assertThat(actual.type().id()).isEqualTo(expected.get("type").asText());
      assertThat(actual.uuid()).contains(expected.get("uuid").asText());
      assertThat(actual.name()).isEqualTo(expected.get("name").asText());
    }

    // sgdisk -p: number, first and last sector, and name of every partition.
    String listing = Oracles.runOk("sgdisk", "-p", image.toString());
    Matcher row = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\S+ \\S+\\s+(\\S{4})  (.*)$")
        .matcher(listing);
    int rows = 0;
    while (row.find()) {
      Partition actual = parts.get(rows++);
      assertThat(actual.index()).isEqualTo(Integer.parseInt(row.group(1)));
      assertThat(actual.firstSector()).isEqualTo(Long.parseLong(row.group(2)));
      assertThat(actual.firstSector() + actual.sectorCount() - 1).isEqualTo(Long.parseLong(row.group(3)));
      assertThat(actual.name()).isEqualTo(row.group(5));
    }
    assertThat(rows).as("rows in\n%s", listing).isEqualTo(5);

    // sgdisk -i N: the name (including the non-ASCII one), unique GUID and attributes.
    for (Partition actual : parts) {
      String info = Oracles.runOk("sgdisk", "-i", String.valueOf(actual.index()), image.toString());
      assertThat(info).contains("Partition name: '" + actual.name() + "'");
      assertThat(info).contains("Partition unique GUID: " + actual.uuid().orElseThrow());
      // (sgdisk names types its own way; our names follow util-linux, checked in PartitionTypeTest.)
      assertThat(info).contains("Partition GUID code: " + actual.type().id() + " (");
      assertThat(info).contains(String.format(Locale.ROOT, "Attribute flags: %016X", actual.attributes()));
    }
    assertThat(parts).extracting(Partition::name).contains("données");
  }

  /** sgdisk -v's whole output, which must show a problem for a damaged copy. */
  private static String sgdiskVerify(Path image) {
    Oracles.Result result = Oracles.run("sgdisk", "-v", image.toString());
    return result.stdout() + result.stderr();
  }

  private Path damagedCopy(Path image, String name, long offset, byte[] bytes) throws IOException {
    Path copy = dir.resolve(name);
    byte[] data = Files.readAllBytes(image);
    System.arraycopy(bytes, 0, data, (int) offset, bytes.length);
    Files.write(copy, data);
    return copy;
  }

  @Test
  void zeroedPrimaryHeaderUsesTheBackup() throws IOException {
    Oracles.require("sgdisk", "gdisk");
    Path image = make("make-gpt5.sh", "gpt.img");
    Path damaged = damagedCopy(image, "zeroed.img", 512, new byte[512]);
    assertThat(sgdiskVerify(damaged)).contains("Main header: ERROR");

    PartitionTable table = read(damaged);

    assertThat(table.usedBackup()).isTrue();
    assertThat(table.partitions()).hasSize(5);
    assertThat(table.partitions()).extracting(Partition::name).contains("données");
    long lastLba = Files.size(image) / 512 - 1;
    assertThat(table.warnings()).singleElement().asString()
        .contains("primary GPT header at LBA 1")
        .contains("backup GPT header at LBA " + lastLba);
    assertSameLayout(table, read(image));
  }

  @Test
  void corruptPrimaryEntryArrayUsesTheBackup() throws IOException {
    Oracles.require("sgdisk", "gdisk");
    Path image = make("make-gpt5.sh", "gpt.img");
    byte[] original = Files.readAllBytes(image);
    Path damaged = damagedCopy(image, "array.img", 1024 + 56, new byte[] {(byte) (original[1080] ^ 0x20)});
    assertThat(sgdiskVerify(damaged)).contains("Main partition table: ERROR");

    PartitionTable table = read(damaged);

    assertThat(table.usedBackup()).isTrue();
    assertThat(table.warnings()).singleElement().asString()
        .contains("primary GPT partition entry array at LBA 2")
        .contains("CRC32 mismatch");
    assertSameLayout(table, read(image));
  }

  @Test
  void corruptBothEntryArraysIsCorrupt() throws IOException {
    Oracles.require("sgdisk", "gdisk");
    Path image = make("make-gpt5.sh", "gpt.img");
    byte[] data = Files.readAllBytes(image);
    long backupArray = (data.length / 512 - 33) * 512L;
    data[1024 + 56] ^= 0x20;
    data[(int) backupArray + 56] ^= 0x20;
    Path damaged = dir.resolve("both.img");
    Files.write(damaged, data);
    String verify = sgdiskVerify(damaged);
    assertThat(verify).contains("Main partition table: ERROR").contains("Backup partition table: ERROR");

    CorruptStructureException e = assertThrows(CorruptStructureException.class, () -> read(damaged));

    assertThat(e.offset()).isEqualTo(512);
    assertThat(e.getMessage())
        .contains(damaged.toString())
        .contains("offset 512")
        .contains("GPT partition entry array")
        .containsPattern("CRC32 mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}");
  }

  private static void assertSameLayout(PartitionTable actual, PartitionTable expected) {
    assertThat(actual.diskId()).isEqualTo(expected.diskId());
    assertThat(actual.partitions()).hasSameSizeAs(expected.partitions());
    for (int i = 0; i < expected.partitions().size(); i++) {
      Partition a = actual.partitions().get(i);
      Partition b = expected.partitions().get(i);
      assertThat(a.index()).isEqualTo(b.index());
      assertThat(a.start()).isEqualTo(b.start());
      assertThat(a.size()).isEqualTo(b.size());
      assertThat(a.type()).isEqualTo(b.type());
      assertThat(a.name()).isEqualTo(b.name());
      assertThat(a.uuid()).isEqualTo(b.uuid());
    }
  }
}
