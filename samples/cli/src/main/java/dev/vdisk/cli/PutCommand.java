package dev.vdisk.cli;

import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.core.fs.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk put}: copy files into an image. */
@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = {
      "Copy SRC from this host into IMAGE at DEST, recursively for a directory. If",
      "DEST is an existing directory the copy goes inside it, as with cp; a directory",
      "copied onto an existing directory merges into it. An existing file at DEST is",
      "overwritten in place (its other hard links see the new contents). Keeps",
      "symbolic links as links, hard links as links, holes as holes, modes (with",
      "setuid, setgid and sticky bits), modification and access times, and the",
      "numeric owner and group, unless --owner gives one for everything copied.",
      "Device files, FIFOs and sockets are skipped with a warning."
    })
final class PutCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "SRC", description = "File or directory on this host.")
  Path source;

  @Parameters(index = "2", paramLabel = "DEST", description = "Where to copy it inside IMAGE.")
  String dest;

  @Option(names = "--owner", paramLabel = "UID:GID",
      converter = ChangeArguments.OwnerConverter.class,
      description = "Give everything copied this numeric owner and group instead of the "
          + "source's.")
  ChangeArguments.Owner owner;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Option(names = "--json", description = "Print a JSON summary of what was copied.")
  boolean json;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(source.toString());
    }
    FileTrees.Summary summary = ImageFiles.change(image, partition, snapshot, fs -> {
      Path target = ImageFiles.resolve(fs, dest);
      Path name = source.toAbsolutePath().normalize().getFileName();
      boolean sourceIsDir = Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS);
      if (Files.isDirectory(target) && name != null) {
        target = target.resolve(name.toString());
      }
      boolean merge = sourceIsDir && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
      FileTrees.Summary s;
      if (!sourceIsDir && Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)
          && Files.isRegularFile(target)) {
        s = overwrite(source, target);
      } else {
        try (ProgressBar bar = ProgressBar.create(err, "copying", ProgressBar.wanted(progress))) {
          s = FileTrees.copy(source, target, new FileTrees.Options(owner == null, merge,
              bar == null ? ProgressListener.NONE : bar));
        }
      }
      if (owner != null) {
        giveOwner(source, target, owner);
      }
      return s;
    });
    for (String s : summary.skipped()) {
      err.println("vdisk put: skipped " + s);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("image", image.toString());
      map.put("snapshot", snapshot.child == null ? null : snapshot.child.toString());
      map.put("source", source.toString());
      map.put("dest", dest);
      map.put("files", summary.files());
      map.put("directories", summary.directories());
      map.put("symlinks", summary.symlinks());
      map.put("hardlinks", summary.hardLinks());
      map.put("bytes", summary.bytes());
      map.put("skipped", summary.skipped());
      out.println(Json.write(map));
    } else {
      out.printf("copied %d files, %d directories, %d symbolic links, %d hard links, %s%s%n",
          summary.files(), summary.directories(), summary.symlinks(), summary.hardLinks(),
          Sizes.describe(summary.bytes()),
          snapshot.child == null ? "" : " into " + snapshot.child);
    }
    out.flush();
    return ExitCode.OK;
  }

  /** Writes a file's bytes over an existing file (keeping its inode), then mode and times. */
  private FileTrees.Summary overwrite(Path from, Path to) throws IOException {
    long bytes;
    try (InputStream in = Files.newInputStream(from);
        OutputStream out = Files.newOutputStream(to)) {
      bytes = in.transferTo(out);
    }
    Map<String, Object> unix = Files.readAttributes(from, "unix:mode,uid,gid");
    if (owner == null) {
      Files.setAttribute(to, "unix:uid", unix.get("uid"));
      Files.setAttribute(to, "unix:gid", unix.get("gid"));
    }
    Files.setAttribute(to, "unix:mode", ((Integer) unix.get("mode")) & 07777);
    BasicFileAttributes a = Files.readAttributes(from, BasicFileAttributes.class);
    Files.getFileAttributeView(to, BasicFileAttributeView.class)
        .setTimes(a.lastModifiedTime(), a.lastAccessTime(), null);
    return new FileTrees.Summary(1, 0, 0, 0, bytes, List.of());
  }

  /**
   * Sets the owner of every copied entry (links themselves included), then puts back the mode
   * of those with setuid or setgid bits, which a change of owner may clear.
   */
  private static void giveOwner(Path source, Path target, ChangeArguments.Owner owner)
      throws IOException {
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      private void chown(Path p, BasicFileAttributes attrs) throws IOException {
        Path t = target;
        for (Path part : source.relativize(p)) {
          if (!part.toString().isEmpty()) {
            t = t.resolve(part.toString());
          }
        }
        if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
          return; // skipped (a device file, FIFO or socket)
        }
        if (owner.uid() >= 0) {
          Files.setAttribute(t, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (owner.gid() >= 0) {
          Files.setAttribute(t, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
        }
        if (!attrs.isSymbolicLink()) {
          int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
          if ((mode & 06000) != 0) {
            Files.setAttribute(t, "unix:mode", mode & 07777);
          }
        }
      }

      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        chown(dir, attrs);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        chown(file, attrs);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
