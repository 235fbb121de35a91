package dev.vdisk.cli;

import dev.vdisk.core.ChainEntry;
import dev.vdisk.core.DiskInfo;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.partition.Partition;
import dev.vdisk.core.partition.PartitionTable;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk info}: what an image is and what it holds. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Show an image's format, variant, virtual size, file size, parent chain and partitions.",
      "The format is detected from the content, never from the file name."
    })
final class InfoCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image or block device.")
  Path image;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try (VirtualDisk disk = VirtualDisks.open(image)) {
      DiskInfo info = disk.info();
      PartitionTable table = PartitionTable.read(disk);
      long fileSize = info.fileSize() >= 0 ? info.fileSize() : sizeOrMinusOne(image);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(toJson(info, fileSize, table)));
      } else {
        printText(out, info, fileSize, table);
      }
      out.flush();
    }
    return ExitCode.OK;
  }

  private static long sizeOrMinusOne(Path path) {
    try {
      return Files.size(path);
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  static Map<String, Object> toJson(DiskInfo info, long fileSize, PartitionTable table) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", info.format());
    root.put("variant", info.variant());
    root.put("virtualSize", info.virtualSize());
    root.put("fileSize", fileSize);
    List<Map<String, Object>> chain = new ArrayList<>();
    for (ChainEntry entry : info.chain()) {
      Map<String, Object> link = new LinkedHashMap<>();
      link.put("path", entry.path().toString());
      link.put("format", entry.format());
      chain.add(link);
    }
    root.put("chain", chain);
    root.put("properties", info.properties());
    root.put("partitionTable", table.scheme().jsonName());
    root.put("diskId", table.diskId().orElse(null));
    root.put("sectorSize", table.sectorSize());
    root.put("warnings", table.warnings());
    List<Map<String, Object>> partitions = new ArrayList<>();
    for (Partition p : table.partitions()) {
      Map<String, Object> part = new LinkedHashMap<>();
      part.put("index", p.index());
      part.put("start", p.start());
      part.put("size", p.size());
      part.put("firstSector", p.firstSector());
      part.put("sectors", p.sectorCount());
      part.put("type", p.type().id());
      part.put("typeName", p.type().name());
      part.put("name", p.name());
      part.put("partUuid", p.uuid().orElse(null));
      part.put("bootable", p.bootable());
      part.put("extended", p.isExtended());
      partitions.add(part);
    }
    root.put("partitions", partitions);
    return root;
  }

  private static void printText(
      PrintWriter out, DiskInfo info, long fileSize, PartitionTable table) {
    out.printf("format:          %s (%s)%n", info.format(), info.variant());
    out.printf("virtual size:    %s%n", Sizes.describe(info.virtualSize()));
    if (fileSize >= 0) {
      out.printf("file size:       %s%n", Sizes.describe(fileSize));
    }
    for (int i = 0; i < info.chain().size(); i++) {
      ChainEntry entry = info.chain().get(i);
      out.printf("%s%s (%s)%n", i == 0 ? "chain:           " : "                 ",
          entry.path(), entry.format());
    }
    info.properties().forEach((k, v) -> out.printf("%-17s%s%n", k + ": ", v));
    out.printf("partition table: %s%s, %d-byte sectors%n",
        table.scheme().jsonName(),
        table.diskId().map(id -> ", disk id " + id).orElse(""),
        table.sectorSize());
    for (String warning : table.warnings()) {
      out.printf("warning:         %s%n", warning);
    }
    if (table.partitions().isEmpty()) {
      return;
    }
    out.println();
    out.printf("%3s  %12s  %12s  %10s  %-28s  %s%n", "#", "start", "end", "size", "type", "name");
    for (Partition p : table.partitions()) {
      out.printf(Locale.ROOT, "%3d  %12d  %12d  %10s  %-28s  %s%n",
          p.index(),
          p.firstSector(),
          p.firstSector() + p.sectorCount() - 1,
          Sizes.human(p.size()),
          p.type().name(),
          p.name());
    }
  }
}
