package dev.vdisk.cli;

import dev.vdisk.core.fs.VdiskFileSystem;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vdisk cat}: print files inside an image. */
@Command(
    name = "cat",
    mixinStandardHelpOptions = true,
    description = "Write the bytes of each PATH inside IMAGE to standard output, unchanged.")
final class CatCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The disk image.")
  Path image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH",
      description = "Files inside the image (symbolic links are followed inside the image).")
  List<String> paths;

  @Mixin ImageFiles.PartitionOption partition;

  @ParentCommand Main main;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    spec.commandLine().getOut().flush();
    OutputStream out = main.rawOut();
    try (VdiskFileSystem fs = partition.open(image)) {
      for (String p : paths) {
        Path file = ImageFiles.resolve(fs, p);
        if (Files.isDirectory(file)) {
          throw new java.nio.file.FileSystemException(p, null, "is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
          in.transferTo(out);
        }
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
