package dev.vdisk.cli;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk discard}: drop a differencing disk. */
@Command(
    name = "discard",
    mixinStandardHelpOptions = true,
    description = {
      "Delete CHILD, a differencing disk, dropping every change it holds. Refuses to delete an",
      "image that is not a differencing disk."
    })
final class DiscardCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "CHILD", description = "The differencing disk.")
  Path child;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path parent = parentOf(child);
    VirtualDisks.detect(child).delete(child);
    spec.commandLine().getOut().printf("discarded %s (its parent %s is unchanged)%n", child,
        parent);
    spec.commandLine().getOut().flush();
    return ExitCode.OK;
  }

  /** The parent of a differencing disk; refuses disks that have none. */
  static Path parentOf(Path child) throws IOException {
    try (VirtualDisk disk = VirtualDisks.open(child)) {
      if (disk.info().chain().size() < 2) {
        throw new UnsafeToWriteException(child, UnsafeToWriteException.Reason.OTHER,
            "not a differencing disk (" + disk.format().name() + " " + disk.info().variant()
                + ")");
      }
      return disk.info().chain().get(1).path();
    }
  }
}
