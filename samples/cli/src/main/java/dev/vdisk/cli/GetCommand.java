package dev.vdisk.cli;

import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.core.fs.FileTrees;
import dev.vdisk.core.fs.VdiskFileSystem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk get}: copy files out of an image. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Copy PATH out of IMAGE to DEST, recursively for a directory. If DEST is an",
      "existing directory the copy goes inside it (the root '/' copies its contents",
      "into DEST). Keeps symbolic links as links, hard links as links, holes as",
      "holes, modes (with setuid, setgid and sticky bits) and modification and",
      "access times; as root also the owner and group; user.* extended attributes",
      "(on NTFS the named streams, as ntfs-3g's streams_interface=xattr shows them)",
      "unless --no-xattrs. Device files, FIFOs and sockets, and extended attributes",
      "DEST's file system refuses, are skipped with a warning. An existing file is",
      "never overwritten."
    })
final class GetCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "PATH", description = "File or directory inside IMAGE.")
  String path;

  @Parameters(index = "2", paramLabel = "DEST", description = "Where to copy it on this host.")
  Path dest;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Option(names = "--json", description = "Print a JSON summary of what was copied.")
  boolean json;

  @Option(names = "--xattrs", negatable = true, defaultValue = "true",
      description = "Copy user.* extended attributes and NTFS named streams (default: yes).")
  boolean xattrs;

  @Mixin ImageFiles.PartitionOption partition;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    boolean root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    FileTrees.Summary summary;
    try (VdiskFileSystem fs = partition.open(image)) {
      Path source = ImageFiles.resolve(fs, path);
      Path target = dest;
      boolean merge = false;
      if (Files.isDirectory(dest)) {
        if (source.getFileName() != null) {
          target = dest.resolve(source.getFileName().toString());
        } else {
          merge = true; // the root's contents go into DEST
        }
      }
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
          && Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
        merge = true;
      }
      try (ProgressBar bar = ProgressBar.create(err, "copying", ProgressBar.wanted(progress))) {
        summary = FileTrees.copy(source, target, new FileTrees.Options(root, merge,
            bar == null ? ProgressListener.NONE : bar, xattrs));
      }
    }
    for (String s : summary.skipped()) {
      err.println("vdisk get: skipped " + s);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("image", image.toString());
      map.put("path", path);
      map.put("dest", dest.toString());
      map.put("files", summary.files());
      map.put("directories", summary.directories());
      map.put("symlinks", summary.symlinks());
      map.put("hardlinks", summary.hardLinks());
      map.put("bytes", summary.bytes());
      map.put("extendedAttributes", summary.extendedAttributes());
      map.put("skipped", summary.skipped());
      out.println(Json.write(map));
    } else {
      out.printf("copied %d files, %d directories, %d symbolic links, %d hard links, %s%s%n",
          summary.files(), summary.directories(), summary.symlinks(), summary.hardLinks(),
          Sizes.describe(summary.bytes()), summary.extendedAttributes() == 0 ? ""
              : ", " + summary.extendedAttributes() + " extended attributes");
    }
    out.flush();
    return ExitCode.OK;
  }
}
