package dev.vdisk.compliance;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.internal.Catalog;
import dev.vdisk.compliance.internal.KindEvaluator;
import dev.vdisk.compliance.internal.Parallel;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.Inspection;
import dev.vdisk.inspect.Inspector;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans images against a baseline file. The sources of the baselines are fetched and verified
 * once, when the scanner is created; scanning opens each image read-only.
 *
 * <p>A scan inspects the image ({@link Inspector}: read-only, never written; an image another
 * process such as a running VM holds open is read anyway, as {@link dev.vdisk.core.ImageLock}
 * allows, with a warning in the log), takes its default operating system root, and evaluates the
 * baselines that the target's tags select on it. The verdict is {@link Compliance#NON_COMPLIANT}
 * when any requirement is {@link RequirementState#MISSING} or {@link RequirementState#FAILED},
 * else {@link Compliance#COMPLIANT}; {@link Compliance#UNKNOWN}, with the reason, when the image
 * cannot be read, holds no operating system or no package database, or no baseline applies.
 * A scanner is thread-safe; {@link #scanAll} scans {@link ScanOptions#parallelism()} images at
 * once.
 */
public final class Scanner {
  private static final Logger LOG = LoggerFactory.getLogger(Scanner.class);

  private final BaselineSet set;
  private final ScanOptions options;
  private final Catalog catalog;

  private Scanner(BaselineSet set, ScanOptions options, Catalog catalog) {
    this.set = set;
    this.options = options;
    this.catalog = catalog;
  }

  /**
   * Loads and verifies every source the baselines name.
   *
   * @param baselines the baseline file
   * @param options how
   * @return the scanner
   * @throws IOException if a source cannot be read, or a {@link dev.vdisk.core.TrustException}
   *     if its indexes are not trusted
   */
  public static Scanner create(BaselineSet baselines, ScanOptions options) throws IOException {
    Objects.requireNonNull(baselines, "baselines");
    Objects.requireNonNull(options, "options");
    long t0 = System.nanoTime();
    Catalog catalog = Catalog.load(baselines, options);
    LOG.debug("sources of {} loaded in {} ms", baselines.file(),
        (System.nanoTime() - t0) / 1_000_000);
    return new Scanner(baselines, options, catalog);
  }

  /**
   * Scans one image. Never throws for a bad image: the report is then {@link
   * Compliance#UNKNOWN} with the reason.
   *
   * @param image the image
   * @param tags the target's tags (choose the baselines)
   * @return the report
   */
  public TargetReport scan(Path image, Set<String> tags) {
    return scanDetailed(image, tags).report();
  }

  /**
   * Scans images in parallel ({@link ScanOptions#parallelism()} at a time).
   *
   * @param images the images
   * @param tags the tags of every one of them
   * @param done called with the number of images done so far, from any thread, or null
   * @return one report per image, in order
   */
  public List<TargetReport> scanAll(List<Path> images, Set<String> tags,
      IntConsumer done) {
    return Parallel.map(List.copyOf(images), options.parallelism(), "vdisk-scan",
        image -> scan(image, tags),
        (image, e) -> unknown(image.toString(), List.of(), "scan failed: " + describe(e),
            List.of(), Instant.now()),
        done);
  }

  /** The options this scanner was made with. */
  ScanOptions options() {
    return options;
  }

  /** The verified sources. */
  Catalog catalog() {
    return catalog;
  }

  /**
   * A scan with what remediation needs besides the report.
   *
   * @param report the report
   * @param target the root that was judged with its dpkg files, or null when the report is
   *     {@link Compliance#UNKNOWN}
   * @param baselines the baselines that applied
   */
  record Scanned(TargetReport report, KindEvaluator.Target target, List<String> baselines) {}

  /** Scans, keeping the root; never throws. */
  Scanned scanDetailed(Path image, Set<String> tags) {
    Instant at = Instant.now();
    String target = image.toString();
    List<String> baselines = List.of();
    try {
      baselines = set.select(tags == null ? Set.of() : tags);
      Inspection inspection;
      try {
        long t0 = System.nanoTime();
        inspection = Inspector.inspect(image);
        LOG.debug("{}: inspected in {} ms", image, (System.nanoTime() - t0) / 1_000_000);
      } catch (NoSuchFileException e) {
        return new Scanned(unknown(target, baselines, "cannot read the image: no such file",
            List.of(), at), null, baselines);
      } catch (IOException e) {
        LOG.debug("{}: not readable", image, e);
        return new Scanned(unknown(target, baselines, "cannot read the image: " + describe(e),
            List.of(), at), null, baselines);
      }
      List<String> warnings = new ArrayList<>(inspection.warnings());
      if (inUse(image)) {
        warnings.add(image + ": in use by another process with write access (a running VM?);"
            + " read as it was at the scan, which may not be a consistent state");
      }
      if (inspection.defaultRoot().isEmpty()) {
        return new Scanned(unknown(target, baselines, "no operating system found", warnings,
            at), null, baselines);
      }
      GuestRoot root = inspection.defaultRoot().get();
      warnings.addAll(root.warnings());
      String os = root.os() == null ? null
          : root.os().product() != null ? root.os().product() : root.os().distribution();
      if (root.os() == null || root.os().packageFormat() == null) {
        return new Scanned(new TargetReport(target, root.partition(), os, baselines,
            Compliance.UNKNOWN, "no package database found in the operating system in "
                + where(root.partition()), List.of(), warnings, at), null, baselines);
      }
      if (baselines.isEmpty()) {
        return new Scanned(new TargetReport(target, root.partition(), os, baselines,
            Compliance.UNKNOWN, "no baseline applies to a target with the tags "
                + new TreeSet<>(tags == null ? Set.of() : tags), List.of(), warnings, at), null,
            baselines);
      }
      // the dpkg status and architectures (relationship fields, which the inspection does not
      // keep) are read through the guest's files: one more read-only open of the image
      KindEvaluator.Target evalTarget = Inspector.withGuest(image, root.partition(),
          files -> Catalog.target(root, files));
      List<Finding> findings = catalog.evaluate(baselines, evalTarget);
      TargetReport report = new TargetReport(target, root.partition(), os, baselines,
          verdict(findings), summary(findings), findings, warnings, at);
      LOG.info("{}: {} ({})", image, report.compliance(), report.reason());
      return new Scanned(report, evalTarget, baselines);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: scan failed: {}", image, e.toString(), e);
      return new Scanned(unknown(target, baselines, "scan failed: " + describe(e), List.of(),
          at), null, baselines);
    }
  }

  /**
   * Whether another process holds a lock on the image file that excludes a shared one (as a
   * writer such as QEMU does; see {@link dev.vdisk.core.ImageLock}).
   */
  static boolean inUse(Path image) {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      FileLock lock = ch.tryLock(0, Long.MAX_VALUE, true);
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: lock probe failed", image, e);
      return false;
    }
  }

  private static Compliance verdict(List<Finding> findings) {
    for (Finding f : findings) {
      if (!f.state().compliant()) {
        return Compliance.NON_COMPLIANT;
      }
    }
    return Compliance.COMPLIANT;
  }

  /** For example "2 missing, 1 failed, 40 compliant of 43 requirements". */
  private static String summary(List<Finding> findings) {
    TargetReport counter = new TargetReport("", -1, null, List.of(), Compliance.UNKNOWN, null,
        findings, List.of(), null);
    Map<RequirementState, Integer> counts = counter.counts();
    int missing = counts.get(RequirementState.MISSING);
    int failed = counts.get(RequirementState.FAILED);
    int ok = findings.size() - missing - failed;
    List<String> parts = new ArrayList<>();
    if (missing > 0) {
      parts.add(missing + " missing");
    }
    if (failed > 0) {
      parts.add(failed + " failed");
    }
    parts.add(ok + " compliant");
    return String.join(", ", parts) + " of " + findings.size() + " requirement"
        + (findings.size() == 1 ? "" : "s");
  }

  static TargetReport unknown(String target, List<String> baselines, String reason,
      List<String> warnings, Instant at) {
    return new TargetReport(target, -1, null, baselines, Compliance.UNKNOWN, reason, List.of(),
        warnings, at);
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static String where(int partition) {
    return partition == 0 ? "the whole disk" : "partition " + partition;
  }
}
