package dev.vdisk.cli;

import dev.vdisk.core.fs.VdiskFileSystem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk stat}: a file's attributes inside an image. */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {
      "Show each PATH's type, size, inode, links, mode, owner and times (UTC,",
      "nanoseconds) as coreutils stat does; on NTFS also the DOS attributes, the",
      "security owner (SID) and descriptor (SDDL), named streams and reparse tag.",
      "A symbolic link is described itself, not its target, unless -L."
    })
final class StatCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH",
      description = "Files inside the image.")
  List<String> paths;

  @Option(names = {"-L", "--dereference"}, description = "Follow symbolic links.")
  boolean dereference;

  @Option(names = "--json", description = "Print a JSON array, one object per PATH.")
  boolean json;

  @Mixin ImageFiles.PartitionOption partition;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Map<String, Object>> all = new ArrayList<>();
    try (VdiskFileSystem fs = partition.open(image)) {
      for (String p : paths) {
        Path file = ImageFiles.resolve(fs, p);
        if (dereference) {
          file = file.toRealPath();
        }
        Map<String, Object> facts = ImageFiles.json(file);
        facts.put("path", p);
        if (json) {
          all.add(facts);
        } else {
          print(out, file, p, facts);
        }
      }
    }
    if (json) {
      out.println(Json.write(all));
    }
    out.flush();
    return ExitCode.OK;
  }

  private static void print(PrintWriter out, Path file, String name, Map<String, Object> facts)
      throws Exception {
    Map<String, Object> unix = ImageFiles.unix(file);
    int mode = ImageFiles.mode(unix);
    out.printf("  File: %s%s%n", name,
        facts.containsKey("target") ? " -> " + facts.get("target") : "");
    long allocated = ((Number) unix.getOrDefault("allocatedSize", 0L)).longValue();
    out.printf("  Size: %-15s Blocks: %-10d %s%n", unix.get("size"), allocated / 512,
        ImageFiles.typeName(mode));
    out.printf(" Inode: %-15s Links: %s%n", unix.get("ino"), unix.get("nlink"));
    out.printf("Access: (%04o/%s)  Uid: %s  Gid: %s%n", mode & 07777,
        ImageFiles.modeString(mode), unix.get("uid"), unix.get("gid"));
    out.printf("Access: %s%n", ImageFiles.statTime(unix.get("lastAccessTime")));
    out.printf("Modify: %s%n", ImageFiles.statTime(unix.get("lastModifiedTime")));
    out.printf("Change: %s%n", ImageFiles.statTime(unix.get("ctime")));
    out.printf(" Birth: %s%n", ImageFiles.statTime(unix.get("creationTime")));
    if (facts.containsKey("dos")) {
      out.printf("   DOS: %s (0x%x)%n", facts.get("dos"), facts.get("dosAttributes"));
    }
    if (facts.get("ntfs") instanceof Map<?, ?> ntfs) {
      if (ntfs.get("ownerSid") != null) {
        out.printf(" Owner: %s%n", ntfs.get("ownerSid"));
      }
      if (ntfs.get("sddl") != null) {
        out.printf("  SDDL: %s%n", ntfs.get("sddl"));
      }
      if (ntfs.get("streams") instanceof List<?> streams && !streams.isEmpty()) {
        out.printf("Streams: %s%n", String.join(", ", streams.stream().map(String::valueOf)
            .toList()));
      }
      if (ntfs.get("reparseTag") instanceof Number tag && tag.intValue() != 0) {
        out.printf("Reparse: 0x%08x%n", tag.intValue());
      }
    }
  }
}
