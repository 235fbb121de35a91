package dev.vdisk.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vdisk mv}: move or rename inside an image. */
@Command(
    name = "mv",
    mixinStandardHelpOptions = true,
    description = {
      "Move or rename SRC to DST inside IMAGE. If DST is an existing directory, SRC",
      "moves into it. An existing file at DST is replaced, an existing empty directory",
      "too (by a directory); a directory never moves into itself."
    })
final class MvCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "SRC", description = "What to move, inside IMAGE.")
  String source;

  @Parameters(index = "2", paramLabel = "DST", description = "Where to, inside IMAGE.")
  String dest;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Override
  public Integer call() throws Exception {
    ImageFiles.change(image, partition, snapshot, fs -> {
      Path from = ImageFiles.resolve(fs, source);
      if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(from.toString());
      }
      Path to = ImageFiles.resolve(fs, dest);
      if (Files.isDirectory(to) && from.getFileName() != null
          && !Files.isSameFile(from, to)) {
        to = to.resolve(from.getFileName().toString());
      }
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      return null;
    });
    return ExitCode.OK;
  }
}
