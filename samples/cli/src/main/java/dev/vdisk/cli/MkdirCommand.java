package dev.vdisk.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vdisk mkdir}: make directories inside an image. */
@Command(
    name = "mkdir",
    mixinStandardHelpOptions = true,
    description = {
      "Create the directories PATH... inside IMAGE (mode 0755 unless -m).",
      "Make parents with -P/--parents: '-p' is --partition in every vdisk file",
      "command, so mkdir's coreutils '-p' is spelled '-P' here."
    })
final class MkdirCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH",
      description = "Directories to create inside IMAGE.")
  List<String> paths;

  @Option(names = {"-P", "--parents"},
      description = "Make missing parent directories too; an existing directory is no error.")
  boolean parents;

  @Option(names = {"-m", "--mode"}, paramLabel = "MODE",
      converter = ChangeArguments.ModeConverter.class,
      description = "Permission bits of the new directories, in octal (default 755).")
  Integer mode;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Override
  public Integer call() throws Exception {
    ImageFiles.change(image, partition, snapshot, fs -> {
      for (String path : paths) {
        Path dir = ImageFiles.resolve(fs, path);
        if (parents) {
          Files.createDirectories(dir);
        } else {
          Files.createDirectory(dir);
        }
        if (mode != null) {
          Files.setAttribute(dir, "unix:mode", mode);
        }
      }
      return null;
    });
    return ExitCode.OK;
  }
}
