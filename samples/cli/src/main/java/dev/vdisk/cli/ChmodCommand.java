package dev.vdisk.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vdisk chmod}: change permission bits inside an image. */
@Command(
    name = "chmod",
    mixinStandardHelpOptions = true,
    description = {
      "Set the permission bits of PATH... inside IMAGE to MODE, an octal number",
      "(644, 0755, 4755 with setuid, 1777 with sticky). A symbolic link named on the",
      "command line is followed; with -R, links met below it are skipped."
    })
final class ChmodCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "MODE", converter = ChangeArguments.ModeConverter.class,
      description = "The new mode, in octal.")
  int mode;

  @Parameters(index = "2..*", arity = "1..*", paramLabel = "PATH",
      description = "Files or directories inside IMAGE.")
  List<String> paths;

  @Option(names = {"-R", "--recursive"}, description = "Change directories' contents too.")
  boolean recursive;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Override
  public Integer call() throws Exception {
    ImageFiles.change(image, partition, snapshot, fs -> {
      for (String path : paths) {
        TreeWalk.apply(ImageFiles.resolve(fs, path), recursive, (p, link) -> {
          if (!link) {
            Files.setAttribute(p, "unix:mode", mode);
          }
        });
      }
      return null;
    });
    return ExitCode.OK;
  }
}
