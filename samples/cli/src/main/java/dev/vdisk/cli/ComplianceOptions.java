package dev.vdisk.cli;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.VerifyOptions;
import dev.vdisk.trust.internal.RemoteRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The operands and options {@code vdisk scan} and {@code vdisk remediate} share. */
final class ComplianceOptions {

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "The disk images.")
  List<Path> images;

  @Option(names = {"-b", "--baseline"}, paramLabel = "FILE", required = true,
      description = "The baseline file (YAML; see the README's \"Baselines\").")
  Path baseline;

  @Option(names = {"-t", "--tag"}, paramLabel = "TAG",
      description = "A tag of every IMAGE: chooses the baselines that apply (repeat for more; "
          + "none: the baselines for untagged targets).")
  List<String> tags = new ArrayList<>();

  @Option(names = "--trust", paramLabel = "KEYRING",
      description = "An OpenPGP keyring (or a directory of them) for sources whose baseline "
          + "names no trust: keyring of its own; repeat for more.")
  List<Path> trust = new ArrayList<>();

  @Option(names = "--allow-expired",
      description = "Accept a source's index past its Valid-Until (signatures must still be "
          + "good).")
  boolean allowExpired;

  @Option(names = {"-j", "--jobs"}, paramLabel = "N",
      description = "Images worked on at once (default: the number of processors).")
  Integer jobs;

  @Option(names = "--json", description = "Print a JSON report on stdout instead of text.")
  boolean json;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write a self-contained HTML report to FILE (replaced atomically).")
  Path html;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar of images done on stderr (default: when stderr is a "
          + "terminal).")
  Boolean progress;

  /** The tags as a set, in command-line order. */
  Set<String> tagSet() {
    return new LinkedHashSet<>(tags);
  }

  /** The baseline file and the options, read and checked. */
  record Prepared(BaselineSet baselines, ScanOptions options) {}

  /**
   * Checks the operands, reads the baseline file and the keyrings. A missing IMAGE, baseline
   * file or keyring, or a bad baseline file, throws (exit 2) before any image is opened.
   */
  Prepared prepare(CommandLine cli) throws IOException {
    int parallelism = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
    if (parallelism < 1) {
      throw new CommandLine.ParameterException(cli, "--jobs must be at least 1");
    }
    for (Path image : images) {
      if (!Files.exists(image)) {
        throw new NoSuchFileException(image.toString());
      }
    }
    if (html != null) {
      Path dir = html.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        throw new NoSuchFileException(dir.toString(), null, "the directory of --html");
      }
    }
    BaselineSet baselines = BaselineSet.load(baseline);
    TrustStore store = trust.isEmpty() ? null : TrustStore.load(trust);
    ScanOptions options = new ScanOptions(new VerifyOptions(Instant.now(), allowExpired),
        RemoteRepository.defaultCache(), store, parallelism);
    return new Prepared(baselines, options);
  }
}
