package dev.vdisk.cli;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk snapshot}: create a differencing child. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = {
      "Create CHILD, a differencing disk of IMAGE in IMAGE's format. Writes then go to CHILD",
      "and IMAGE stays unchanged; 'vdisk commit CHILD' merges them back, 'vdisk discard CHILD'",
      "drops them."
    })
final class SnapshotCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The parent image.")
  Path image;

  @Parameters(index = "1", paramLabel = "CHILD", description = "The differencing disk to create.")
  Path child;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(child)) {
      throw new UnsafeToWriteException(child, UnsafeToWriteException.Reason.OTHER,
          "it exists already; choose another name or remove it");
    }
    try (VirtualDisk parent = VirtualDisks.open(image);
        VirtualDisk created = parent.format().createChild(parent, child)) {
      spec.commandLine().getOut().printf("created %s: differencing %s disk on %s%n", child,
          created.format().name(), image);
    }
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }
}
