package dev.vdisk.cli;

import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.copy.DiskCopier;
import dev.vdisk.core.copy.ProgressListener;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vdisk convert}: copy a disk into a new image of any writable format, skipping holes. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description = {
      "Convert an image (any readable format, through its parent chain) into a new image.",
      "Holes and all-zero data are not written, so dynamic and sparse targets stay small."
    })
final class ConvertCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SRC", description = "The image to read.")
  Path source;

  @Parameters(index = "1", paramLabel = "DST", description = "The image to create.")
  Path target;

  @Option(names = {"-f", "--format"}, required = true, paramLabel = "FORMAT",
      description = "Target format: ${COMPLETION-CANDIDATES}.",
      completionCandidates = FormatNames.class)
  String format;

  @Option(names = "--variant", paramLabel = "VARIANT",
      description = "Target variant, e.g. fixed or dynamic (default: the format's default).")
  String variant;

  @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Target block size, e.g. 2M or 32M (default: the format's default).")
  long blockSize;

  @Option(names = "--force", description = "Overwrite DST if it exists.")
  boolean force;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar on stderr (default: when stderr is a terminal).")
  Boolean progress;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Spec CommandLine.Model.CommandSpec spec;

  /** The registered format names, for help and completion. */
  static final class FormatNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return VirtualDisks.formats().stream().map(DiskFormat::name).iterator();
    }
  }

  @Override
  public Integer call() throws Exception {
    DiskFormat targetFormat = VirtualDisks.byName(format).orElseThrow(() ->
        new CommandLine.ParameterException(spec.commandLine(), "unknown format '" + format
            + "'; known: " + VirtualDisks.formats().stream().map(DiskFormat::name)
            .collect(Collectors.joining(", "))));
    if (Files.exists(target) && !force) {
      throw new UnsafeToWriteException(target, UnsafeToWriteException.Reason.OTHER,
          "the target exists; pass --force to overwrite it");
    }
    if (Files.exists(target) && Files.isSameFile(source, target)) {
      throw new UnsafeToWriteException(target, UnsafeToWriteException.Reason.OTHER,
          "source and target are the same file");
    }
    PrintWriter out = spec.commandLine().getOut();
    DiskCopier.Result result;
    String sourceFormat;
    long size;
    try (VirtualDisk src = VirtualDisks.open(source)) {
      sourceFormat = src.format().name();
      size = src.size();
      if (Files.exists(target)) {
        VirtualDisks.detect(target).delete(target);
      }
      boolean done = false;
      try (VirtualDisk dst = targetFormat.create(target,
              new CreateSpec(src.size(), variant, blockSize));
          ProgressBar bar = ProgressBar.create(spec.commandLine().getErr(), "converting",
              ProgressBar.wanted(progress))) {
        result = DiskCopier.copy(src, dst, bar == null ? ProgressListener.NONE : bar);
        // Unlike qemu-img convert, report success only once the copy is on stable storage.
        dst.flush();
        done = true;
      } finally {
        if (!done) {
          targetFormat.delete(target);
        }
      }
    }
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("source", source.toString());
      map.put("sourceFormat", sourceFormat);
      map.put("target", target.toString());
      map.put("format", targetFormat.name());
      map.put("virtualSize", size);
      map.put("bytesRead", result.bytesRead());
      map.put("bytesWritten", result.bytesWritten());
      map.put("bytesSkipped", result.bytesSkipped());
      out.println(Json.write(map));
    } else {
      out.printf("converted %s (%s) to %s (%s): %s virtual, %s written, %s skipped as zero%n",
          source, sourceFormat, target, targetFormat.name(), Sizes.human(size),
          Sizes.human(result.bytesWritten()), Sizes.human(result.bytesSkipped()));
    }
    out.flush();
    return ExitCode.OK;
  }
}
