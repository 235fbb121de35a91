package dev.vdisk.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vdisk touch}: set times inside an image, creating empty files. */
@Command(
    name = "touch",
    mixinStandardHelpOptions = true,
    description = {
      "Set the modification and access times of PATH... inside IMAGE to now, or to",
      "the time given with -d. A missing PATH is created as an empty file (mode 0644)",
      "unless -c. A symbolic link is followed."
    })
final class TouchCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH",
      description = "Files inside IMAGE.")
  List<String> paths;

  @Option(names = {"-d", "--date"}, paramLabel = "ISO-TIME",
      converter = ChangeArguments.TimeConverter.class,
      description = "The time to set: 2024-02-03T04:05:06Z, 2024-02-03T06:05:06+02:00, "
          + "2024-02-03T04:05:06 (UTC) or 2024-02-03 (midnight UTC). Default: now.")
  Instant date;

  @Option(names = {"-c", "--no-create"}, description = "Do not create missing files.")
  boolean noCreate;

  @Mixin ImageFiles.PartitionOption partition;

  @Mixin ImageFiles.SnapshotOption snapshot;

  @Override
  public Integer call() throws Exception {
    FileTime time = FileTime.from(date != null ? date : Instant.now());
    ImageFiles.change(image, partition, snapshot, fs -> {
      for (String path : paths) {
        Path p = ImageFiles.resolve(fs, path);
        if (!Files.exists(p)) {
          if (noCreate) {
            continue;
          }
          if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.NoSuchFileException(p.toString(), null,
                "a symbolic link to a missing file");
          }
          Files.createFile(p);
        }
        Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(time, time, null);
      }
      return null;
    });
    return ExitCode.OK;
  }
}
