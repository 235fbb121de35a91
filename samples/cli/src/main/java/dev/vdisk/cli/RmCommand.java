package dev.vdisk.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vdisk rm}: remove files inside an image. */
@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = {
      "Remove PATH... inside IMAGE. A symbolic link is removed, never what it points to.",
      "Directories only with -r (recursively, with everything in them)."
    })
final class RmCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH",
      description = "Files, links or directories inside IMAGE.")
  List<String> paths;

  @Option(names = {"-r", "-R", "--recursive"},
      description = "Remove directories and their contents.")
  boolean recursive;

  @Option(names = {"-f", "--force"}, description = "A missing PATH is no error.")
  boolean force;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Override
  public Integer call() throws Exception {
    ImageFiles.change(image, partition, snapshot, fs -> {
      for (String path : paths) {
        Path p = ImageFiles.resolve(fs, path);
        if (p.getNameCount() == 0 || p.normalize().getNameCount() == 0) {
          throw new FileSystemException(p.toString(), null, "refusing to remove the root");
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          if (force) {
            continue;
          }
          throw new NoSuchFileException(p.toString());
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          if (!recursive) {
            throw new FileSystemException(p.toString(), null, "is a directory (use -r)");
          }
          removeTree(p);
        } else {
          Files.delete(p);
        }
      }
      return null;
    });
    return ExitCode.OK;
  }

  /** Deletes a directory tree bottom-up; never follows symbolic links. */
  static void removeTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
