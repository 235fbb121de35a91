package dev.vdisk.compliance;

import dev.vdisk.apply.Applier;
import dev.vdisk.apply.ApplyOptions;
import dev.vdisk.apply.ApplyReport;
import dev.vdisk.apply.PackageAction;
import dev.vdisk.compliance.internal.Catalog;
import dev.vdisk.compliance.internal.PackageFetcher;
import dev.vdisk.compliance.internal.Parallel;
import dev.vdisk.trust.TrustStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntConsumer;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings images into compliance: scan, resolve what is missing to packages in the baselines'
 * trusted sources (with their dependencies, under the baselines' rules), fetch and verify them,
 * apply them in one transaction per image, and scan again. A failure in one image never affects
 * another.
 *
 * <p>Per image: the image is scanned ({@link Scanner}); with nothing {@link
 * RequirementState#MISSING} the outcome is {@link RemediationReport.Outcome#NOTHING_TO_DO}. The
 * missing findings are resolved to package versions of the sources; each is fetched (a local
 * archive's file; from an http(s) archive a resumable download into the SHA-256 cache of {@link
 * ScanOptions#cache()}) and must have the size and SHA-256 of the verified index. The packages
 * are then applied by {@link Applier} with the sources' keys and repositories (which verifies
 * them again, before the image is opened for writing), into the image or, with {@link
 * RemediateOptions#snapshot()}, into a new differencing child beside it named {@code
 * STEM.remediated-YYYYMMDDTHHMMSSZ.EXT} (for {@code web1.vmdk}: {@code
 * web1.remediated-20261130T011500Z.vmdk}, in the image's format). The written image is scanned
 * again for the report's {@code after}. A dry run does all of this up to a transaction that is
 * dropped. Any failure leaves the image as it was ({@link Applier}'s guarantee) and is reported
 * as {@link RemediationReport.Outcome#FAILED} with the reason.
 */
public final class Remediator {
  private static final Logger LOG = LoggerFactory.getLogger(Remediator.class);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** Requests per package download that breaks off (each resumes the last). */
  private static final int ATTEMPTS = 4;

  private final Scanner scanner;
  private final RemediateOptions options;
  private final PackageFetcher fetcher;

  private Remediator(Scanner scanner, RemediateOptions options) {
    this.scanner = scanner;
    this.options = options;
    this.fetcher = new PackageFetcher(scanner.options().cache(), ATTEMPTS);
  }

  /**
   * Creates a remediator over a scanner's verified sources.
   *
   * @param scanner the scanner (its sources are reused)
   * @param options how ({@link RemediateOptions#scan()} may be null: the scanner's)
   * @return the remediator
   */
  public static Remediator create(Scanner scanner, RemediateOptions options) {
    Objects.requireNonNull(scanner, "scanner");
    Objects.requireNonNull(options, "options");
    return new Remediator(scanner, options);
  }

  /**
   * Remediates one image. Never throws for a bad image or a failed application: the report's
   * outcome is then {@link RemediationReport.Outcome#FAILED} with the reason, and the image is
   * unchanged.
   *
   * @param image the image
   * @param tags the target's tags
   * @return the report
   */
  public RemediationReport remediate(Path image, Set<String> tags) {
    String target = image.toString();
    Scanner.Scanned before = scanner.scanDetailed(image, tags);
    TargetReport b = before.report();
    if (b.compliance() == Compliance.UNKNOWN || before.target() == null) {
      return new RemediationReport(target, RemediationReport.Outcome.FAILED, b, null, null,
          List.of(), List.of(), "cannot be remediated: " + b.reason());
    }
    if (b.inState(RequirementState.MISSING).isEmpty()) {
      LOG.info("{}: nothing missing", image);
      return new RemediationReport(target, RemediationReport.Outcome.NOTHING_TO_DO, b, null,
          null, List.of(), List.of(), null);
    }
    try {
      Catalog.Resolution resolution = scanner.catalog().resolve(before.baselines(),
          before.target(), b.findings());
      for (String p : resolution.problems()) {
        LOG.warn("{}: {}", image, p);
      }
      List<Catalog.Candidate> candidates = distinct(resolution.packages());
      if (candidates.isEmpty()) {
        return new RemediationReport(target, RemediationReport.Outcome.NOTHING_TO_DO, b, null,
            null, List.of(), List.of(), resolution.problems().isEmpty()
                ? "no package of the sources resolves the missing requirements"
                : String.join("; ", resolution.problems()));
      }
      List<Path> debs = new ArrayList<>();
      for (Catalog.Candidate c : candidates) {
        debs.add(fetcher.fetch(c));
      }
      LOG.info("{}: applying {} packages{}", image, debs.size(),
          options.dryRun() ? " (dry run)" : "");
      ApplyReport applied = apply(image, b.partition(), candidates, debs);
      List<String> unpacked = new ArrayList<>();
      List<String> staged = new ArrayList<>();
      for (PackageAction a : applied.packages()) {
        if (a.action() == PackageAction.Action.UNPACKED) {
          unpacked.add(a.name() + " " + a.newVersion());
        } else if (a.action() == PackageAction.Action.STAGED) {
          staged.add(a.name() + " " + a.newVersion());
        }
      }
      if (options.dryRun() || applied.written() == null) {
        return new RemediationReport(target, RemediationReport.Outcome.DRY_RUN, b, null, null,
            unpacked, staged, null);
      }
      TargetReport after = scanner.scan(applied.written(), tags);
      LOG.info("{}: remediated into {}: {}", image, applied.written(), after.compliance());
      return new RemediationReport(target, RemediationReport.Outcome.REMEDIATED, b, after,
          applied.written().toString(), unpacked, staged, null);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: remediation failed: {}", image, e.toString());
      LOG.debug("{}", image, e);
      return new RemediationReport(target, RemediationReport.Outcome.FAILED, b, null, null,
          List.of(), List.of(), Scanner.describe(e));
    }
  }

  /**
   * Remediates images in parallel.
   *
   * @param images the images
   * @param tags the tags of every one of them
   * @param done called with the number of images done so far, from any thread, or null
   * @return one report per image, in order
   */
  public List<RemediationReport> remediateAll(List<Path> images, Set<String> tags,
      IntConsumer done) {
    int parallelism = options.scan() != null ? options.scan().parallelism()
        : scanner.options().parallelism();
    return Parallel.map(List.copyOf(images), parallelism, "vdisk-remediate",
        image -> remediate(image, tags),
        (image, e) -> new RemediationReport(image.toString(), RemediationReport.Outcome.FAILED,
            null, null, null, List.of(), List.of(), Scanner.describe(e)),
        done);
  }

  /**
   * The differencing child a snapshot remediation writes: beside the image, named after it with
   * the time, in its extension ({@code web1.vmdk} at 2026-11-30 01:15:00 UTC: {@code
   * web1.remediated-20261130T011500Z.vmdk}); {@code -2}, {@code -3}, ... is added to the stamp
   * when such a file exists.
   *
   * @param image the image
   * @param at the time
   * @return the child's path (not created)
   */
  public static Path snapshotName(Path image, Instant at) {
    String name = image.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    String stamp = STAMP.format(at);
    Path p = image.resolveSibling(stem + ".remediated-" + stamp + ext);
    for (int n = 2; Files.exists(p, LinkOption.NOFOLLOW_LINKS); n++) {
      p = image.resolveSibling(stem + ".remediated-" + stamp + "-" + n + ext);
    }
    return p;
  }

  private ApplyReport apply(Path image, int partition, List<Catalog.Candidate> candidates,
      List<Path> debs) throws IOException {
    ScanOptions scan = options.scan() != null ? options.scan() : scanner.options();
    Set<String> repositories = new LinkedHashSet<>();
    for (Catalog.Candidate c : candidates) {
      repositories.add(c.repository());
    }
    Path tmpKeyring = null;
    try {
      TrustStore trust;
      Map<TrustStore, Boolean> stores = new IdentityHashMap<>();
      for (Catalog.Candidate c : candidates) {
        stores.put(c.trust() != null ? c.trust() : scan.trust(), Boolean.TRUE);
      }
      stores.remove(null);
      if (stores.isEmpty()) {
        throw new dev.vdisk.core.TrustException(image, "no trusted keys for the sources");
      } else if (stores.size() == 1) {
        trust = stores.keySet().iterator().next();
      } else {
        // one transaction needs one set of keys: the union of the sources' keyrings
        Path dir = Files.createDirectories(scan.cache().resolve("tmp"));
        tmpKeyring = Files.createTempFile(dir, "sources", ".gpg");
        try (OutputStream out = Files.newOutputStream(tmpKeyring)) {
          for (TrustStore s : stores.keySet()) {
            for (PGPPublicKeyRing ring : s.keyRings()) {
              ring.encode(out);
            }
          }
        }
        trust = TrustStore.load(List.of(tmpKeyring));
      }
      ApplyOptions ao = new ApplyOptions(trust, new ArrayList<>(repositories), scan.verify(),
          options.snapshot() ? snapshotName(image, Instant.now()) : null, options.dryRun(),
          partition >= 0 ? OptionalInt.of(partition) : OptionalInt.empty(), null, -1,
          scan.cache());
      return Applier.apply(image, debs, ao);
    } finally {
      if (tmpKeyring != null) {
        Files.deleteIfExists(tmpKeyring);
      }
    }
  }

  /** One candidate per package file (the same file may be asked for by several baselines). */
  private static List<Catalog.Candidate> distinct(List<Catalog.Candidate> in) {
    Map<String, Catalog.Candidate> bySha = new LinkedHashMap<>();
    for (Catalog.Candidate c : in) {
      bySha.putIfAbsent(c.sha256() + " " + c.name() + " " + c.arch(), c);
    }
    return new ArrayList<>(bySha.values());
  }
}
