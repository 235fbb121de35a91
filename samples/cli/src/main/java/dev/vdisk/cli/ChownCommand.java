package dev.vdisk.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vdisk chown}: change owners inside an image. */
@Command(
    name = "chown",
    mixinStandardHelpOptions = true,
    description = {
      "Set the owner and group of PATH... inside IMAGE to UID:GID, numbers (names",
      "are not looked up in the image's /etc/passwd). 'UID' alone keeps the group,",
      "':GID' keeps the owner. A symbolic link named on the command line is",
      "followed; with -R, links met below it are changed themselves."
    })
final class ChownCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1", paramLabel = "UID:GID",
      converter = ChangeArguments.OwnerConverter.class, description = "The new numeric owner.")
  ChangeArguments.Owner owner;

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
          LinkOption[] how = link ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS}
              : new LinkOption[0];
          if (owner.uid() >= 0) {
            Files.setAttribute(p, "unix:uid", owner.uid(), how);
          }
          if (owner.gid() >= 0) {
            Files.setAttribute(p, "unix:gid", owner.gid(), how);
          }
        });
      }
      return null;
    });
    return ExitCode.OK;
  }
}
