package dev.vdisk.cli;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.copy.ProgressListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk commit}: merge a differencing disk into its parent. */
@Command(
    name = "commit",
    mixinStandardHelpOptions = true,
    description = {
      "Merge the blocks CHILD holds into its parent, so the parent reads as CHILD did.",
      "Afterwards CHILD no longer matches its parent (its formats record the parent's identity):",
      "remove it, or pass --delete to have it removed."
    })
final class CommitCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "CHILD", description = "The differencing disk.")
  Path child;

  @Option(names = "--delete", description = "Delete CHILD after a successful commit.")
  boolean delete;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path parentPath = DiscardCommand.parentOf(child);
    DiskCopier.Result result;
    // The parent is opened for writing first: it takes the exclusive lock, and the child's own
    // read-only view of its parent then shares this process's lock.
    try (VirtualDisk parent = VirtualDisks.open(parentPath, OpenOptions.readWrite());
        VirtualDisk disk = VirtualDisks.open(child);
        ProgressBar bar = ProgressBar.create(spec.commandLine().getErr(), "committing",
            ProgressBar.wanted(progress))) {
      result = DiskCopier.copyOwnRuns(disk, parent, bar == null ? ProgressListener.NONE : bar);
      parent.flush();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("committed %s into %s: %s written%n", child, parentPath,
        Sizes.human(result.bytesWritten()));
    if (delete) {
      VirtualDisks.detect(child).delete(child);
      out.printf("deleted %s%n", child);
    }
    out.flush();
    return ExitCode.OK;
  }
}
