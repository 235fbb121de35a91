package dev.vdisk.cli;

import dev.vdisk.core.ChainEntry;
import dev.vdisk.core.DiskInfo;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.fs.FileSystemDrivers;
import dev.vdisk.core.fs.FileSystemIdentity;
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
      FileSystems fileSystems = FileSystems.identify(disk, table);
      long fileSize = info.fileSize() >= 0 ? info.fileSize() : sizeOrMinusOne(image);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(toJson(info, fileSize, table, fileSystems)));
      } else {
        printText(out, info, fileSize, table, fileSystems);
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

  /** The file system found on each partition (by index; 0 is the whole disk). */
  record FileSystems(Map<Integer, FileSystemIdentity> byIndex, List<String> warnings) {
    static FileSystems identify(VirtualDisk disk, PartitionTable table) {
      Map<Integer, FileSystemIdentity> found = new LinkedHashMap<>();
      List<String> warnings = new ArrayList<>();
      if (table.scheme() == PartitionTable.Scheme.NONE) {
        look(disk, 0, found, warnings);
      }
      for (Partition p : table.partitions()) {
        if (!p.isExtended()) {
          look(p, p.index(), found, warnings);
        }
      }
      return new FileSystems(found, warnings);
    }

    private static void look(BlockDevice device, int index, Map<Integer, FileSystemIdentity> found,
        List<String> warnings) {
      try {
        FileSystemDrivers.identify(device).ifPresent(id -> found.put(index, id));
      } catch (java.io.IOException e) {
        warnings.add((index == 0 ? "whole disk" : "partition " + index) + ": " + e.getMessage());
      }
    }

    Map<String, Object> json(int index) {
      Map<String, Object> map = new LinkedHashMap<>();
      FileSystemIdentity id = byIndex.get(index);
      map.put("filesystem", id == null ? null : id.type());
      map.put("label", id == null ? null : id.label());
      map.put("uuid", id == null ? null : id.uuid());
      if (id != null && !id.details().isEmpty()) {
        map.put("details", id.details());
      }
      return map;
    }
  }

  static Map<String, Object> toJson(DiskInfo info, long fileSize, PartitionTable table,
      FileSystems fileSystems) {
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
    List<String> warnings = new ArrayList<>(table.warnings());
    warnings.addAll(fileSystems.warnings());
    root.put("warnings", warnings);
    if (table.scheme() == PartitionTable.Scheme.NONE) {
      root.putAll(fileSystems.json(0));
    }
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
      part.putAll(fileSystems.json(p.index()));
      partitions.add(part);
    }
    root.put("partitions", partitions);
    return root;
  }

  private static void printText(PrintWriter out, DiskInfo info, long fileSize,
      PartitionTable table, FileSystems fileSystems) {
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
    for (String warning : fileSystems.warnings()) {
      out.printf("warning:         %s%n", warning);
    }
    FileSystemIdentity whole = fileSystems.byIndex().get(0);
    if (whole != null) {
      out.printf("file system:     %s%n", describe(whole));
      whole.details().forEach((k, v) -> out.printf("  %-17s%s%n", k + ": ", v));
    }
    if (table.partitions().isEmpty()) {
      return;
    }
    out.println();
    out.printf("%3s  %12s  %12s  %10s  %-28s  %-20s  %s%n", "#", "start", "end", "size", "type",
        "name", "file system");
    for (Partition p : table.partitions()) {
      FileSystemIdentity id = fileSystems.byIndex().get(p.index());
      out.printf(Locale.ROOT, "%3d  %12d  %12d  %10s  %-28s  %-20s  %s%n",
          p.index(),
          p.firstSector(),
          p.firstSector() + p.sectorCount() - 1,
          Sizes.human(p.size()),
          p.type().name(),
          p.name(),
          id == null ? "" : describe(id));
    }
    for (Partition p : table.partitions()) {
      FileSystemIdentity id = fileSystems.byIndex().get(p.index());
      if (id != null && !id.details().isEmpty()) {
        out.printf("%npartition %d: %s%n", p.index(), describe(id));
        id.details().forEach((k, v) -> out.printf("  %-17s%s%n", k + ": ", v));
      }
    }
  }

  private static String describe(FileSystemIdentity id) {
    StringBuilder s = new StringBuilder(id.type());
    if (id.label() != null && !id.label().isEmpty()) {
      s.append(" \"").append(id.label()).append('"');
    }
    if (id.uuid() != null && !id.uuid().isEmpty()) {
      s.append(' ').append(id.uuid());
    }
    return s.toString();
  }
}
