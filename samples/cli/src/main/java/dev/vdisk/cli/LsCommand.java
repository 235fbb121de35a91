package dev.vdisk.cli;

import dev.vdisk.core.fs.VdiskFileSystem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk ls}: list a directory inside an image. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = {
      "List PATH (default /) inside IMAGE: a directory's entries, every one",
      "including names starting with a dot, sorted by name; or the file itself.",
      "Symbolic links are not followed."
    })
final class LsCommand implements Callable<Integer> {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", defaultValue = "/",
      description = "The directory or file inside the image (default: /).")
  String path;

  @Option(names = "-l", description = "Long listing: type and mode, links, uid, gid, size, "
      + "modification time (UTC), name and a link's target.")
  boolean longListing;

  @Option(names = "-R", description = "List subdirectories recursively.")
  boolean recursive;

  @Option(names = "--json", description = "Print a JSON array of entries (with -R: all of them).")
  boolean json;

  @Mixin ImageFiles.PartitionOption partition;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (VdiskFileSystem fs = partition.open(image)) {
      Path start = ImageFiles.resolve(fs, path);
      List<Map<String, Object>> entries = new ArrayList<>();
      if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
        ImageFiles.unix(start); // fails with NoSuchFileException when it is missing
        emit(out, entries, List.of(start), false);
      } else {
        list(out, entries, start, false);
      }
      if (json) {
        out.println(Json.write(entries));
      }
    }
    out.flush();
    return ExitCode.OK;
  }

  private void list(PrintWriter out, List<Map<String, Object>> entries, Path dir, boolean header)
      throws Exception {
    List<Path> children;
    try (Stream<Path> s = Files.list(dir)) {
      children = s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    if (!json && recursive) {
      if (header) {
        out.println();
      }
      out.println(dir + ":");
    }
    emit(out, entries, children, true);
    if (recursive) {
      for (Path child : children) {
        if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          list(out, entries, child, true);
        }
      }
    }
  }

  private void emit(PrintWriter out, List<Map<String, Object>> entries, List<Path> files,
      boolean nameOnly) throws Exception {
    for (Path file : files) {
      if (json) {
        entries.add(ImageFiles.json(file));
        continue;
      }
      String name = nameOnly ? file.getFileName().toString() : file.toString();
      if (!longListing) {
        out.println(name);
        continue;
      }
      Map<String, Object> unix = ImageFiles.unix(file);
      int mode = ImageFiles.mode(unix);
      String target = (mode & 0170000) == 0120000
          ? " -> " + Files.readSymbolicLink(file) : "";
      out.printf("%s %3s %5s %5s %12s %s %s%s%n", ImageFiles.modeString(mode),
          unix.get("nlink"), unix.get("uid"), unix.get("gid"), unix.get("size"),
          TIME.format(((FileTime) unix.get("lastModifiedTime")).toInstant()), name, target);
    }
  }
}
