package dev.vdisk.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vdisk ln}: make links inside an image. */
@Command(
    name = "ln",
    mixinStandardHelpOptions = true,
    description = {
      "Make LINK inside IMAGE a hard link to TARGET (an existing file inside IMAGE),",
      "or with -s a symbolic link whose target is the text TARGET, stored as given",
      "(relative targets are resolved from LINK's directory when followed). If LINK",
      "is an existing directory, the link is made inside it under TARGET's name."
    })
final class LnCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "TARGET",
      description = "What the link points to (inside IMAGE).")
  String target;

  @Parameters(index = "2", paramLabel = "LINK", description = "The new link, inside IMAGE.")
  String link;

  @Option(names = {"-s", "--symbolic"}, description = "Make a symbolic link.")
  boolean symbolic;

  @Option(names = {"-f", "--force"}, description = "Replace an existing LINK (not a directory).")
  boolean force;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Override
  public Integer call() throws Exception {
    ImageFiles.change(image, partition, snapshot, fs -> {
      Path to = ImageFiles.resolve(fs, link);
      Path targetName = fs.getPath(target).getFileName();
      if (Files.isDirectory(to) && targetName != null) {
        to = to.resolve(targetName.toString());
      }
      if (force && !Files.isDirectory(to, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(to);
      }
      if (symbolic) {
        Files.createSymbolicLink(to, fs.getPath(target));
      } else {
        Files.createLink(to, ImageFiles.resolve(fs, target));
      }
      return null;
    });
    return ExitCode.OK;
  }
}
