package dev.vdisk.apply;

import dev.vdisk.apply.internal.DebInjector;
import dev.vdisk.apply.internal.InjectOptions;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.TrustException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.VdiskFileSystem;
import dev.vdisk.core.fs.VdiskFileSystems;
import dev.vdisk.core.tx.Transaction;
import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.deb.DebArchive;
import dev.vdisk.deb.Dependencies;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.inspect.Inspection;
import dev.vdisk.inspect.Inspector;
import dev.vdisk.inspect.internal.linux.Fstab;
import dev.vdisk.trust.Verification;
import dev.vdisk.trust.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects Debian packages into a stopped guest's disk image, offline: verifies every package
 * first, checks dependencies against the guest's dpkg database plus the set, then unpacks them
 * into the guest's root file system in one transaction (all or nothing) with the semantics of
 * {@code dpkg --unpack}, records them in dpkg's database, and installs a first-boot unit that runs
 * {@code dpkg --configure -a}.
 *
 * <p>The order of work, and what each failure leaves:
 *
 * <ol>
 *   <li>Directories are expanded to their {@code *.deb} files; every package is verified
 *       ({@link Verifier#verifyPackages}). Any untrusted one: {@link TrustException}, and the
 *       image has not been opened.
 *   <li>Every package is read ({@code control}, members); a malformed one is a {@code
 *       CorruptStructureException} naming it.
 *   <li>With a snapshot, the differencing child is created (removed again on any failure).
 *   <li>A commit a crash interrupted is finished ({@link Transaction#record}). The image is
 *       inspected read-only ({@link Inspector}) for its Linux root (the default one,
 *       or the given partition) and its {@code /etc/fstab} mounts; a guest without a dpkg
 *       database is refused ({@link UnsupportedFeatureException}). A redo record that an earlier
 *       interrupted write left for a partition is refused ({@link UnsafeToWriteException}).
 *   <li>The image is opened for writing (a lock another process holds, such as a running VM's,
 *       is refused), a {@link Transaction} is put on it, and the root's file system is mounted
 *       writable on the transaction (the file-system driver's own refusals apply: an ext4 with
 *       errors, orphans or unknown features is refused). Nothing reaches the image from here on
 *       until the commit.
 *   <li>dpkg's {@code status} and architecture are read; {@link Dependencies#plan} must find no
 *       problems ({@link DependencyException} otherwise) and gives the unpack order and the
 *       packages that must be staged.
 *   <li>{@link DebInjector} unpacks and records the packages; file systems mounted elsewhere per
 *       {@code /etc/fstab} (such as {@code /boot}) are never written: a package with files there
 *       is staged for first boot.
 *   <li>The file system is closed (flushed into the transaction); then the transaction is
 *       committed through the redo record {@link Transaction#record(Path)} beside the image (or
 *       discarded, for a dry run). A crash during the commit is finished by the next open for
 *       writing.
 * </ol>
 *
 * <p>Any failure in steps 5 to 8 discards the transaction: the image is byte for byte as it was.
 */
public final class Applier {
  private static final Logger LOG = LoggerFactory.getLogger(Applier.class);
  /** The most packages one apply takes (a bound on memory for their control data). */
  public static final int MAX_PACKAGES = 10_000;
  /** The largest dpkg status file read. */
  private static final long MAX_STATUS = 256L << 20;

  private Applier() {}

  /**
   * Applies packages.
   *
   * @param image the disk image
   * @param debs package files, or directories whose {@code *.deb} files are all taken
   * @param options trust, repositories, snapshot, dry run
   * @return what was done
   * @throws TrustException if any package is not trusted (nothing is opened for writing)
   * @throws UnsafeToWriteException if the guest cannot be written safely (locked, dirty,
   *     unsupported features, a pending redo record, an existing snapshot child)
   * @throws DependencyException if the set's relationships are not satisfied (image unchanged)
   * @throws UnsupportedFeatureException if the image holds no dpkg-based Linux root
   * @throws IOException on I/O errors or corrupt input; the image is then unchanged
   */
  public static ApplyReport apply(Path image, List<Path> debs, ApplyOptions options)
      throws IOException {
    List<Path> files = expand(debs);
    List<String> warnings = new ArrayList<>();

    // 1. trust, before anything is opened for writing
    long t0 = System.nanoTime();
    verify(files, options);
    LOG.debug("verified {} packages in {} ms", files.size(), ms(t0));

    // 2. the packages themselves
    List<DebArchive> archives = new ArrayList<>();
    for (Path f : files) {
      archives.add(DebArchive.open(f));
    }

    // 3. the snapshot child
    Path target = image;
    boolean created = false;
    if (options.snapshot() != null) {
      Path child = options.snapshot();
      if (Files.exists(child, LinkOption.NOFOLLOW_LINKS)) {
        throw new UnsafeToWriteException(child, UnsafeToWriteException.Reason.OTHER,
            "it exists already; choose another name for the snapshot or remove it");
      }
      try (VirtualDisk parent = VirtualDisks.open(image);
          VirtualDisk made = parent.format().createChild(parent, child)) {
        LOG.debug("created {}: differencing {} disk on {}", child, made.format().name(), image);
      }
      target = child;
      created = true;
    }
    try {
      ApplyReport report = applyTo(image, target, archives, files, options, warnings);
      if (created && options.dryRun()) {
        Files.deleteIfExists(target);
      }
      return report;
    } catch (IOException | RuntimeException | Error e) {
      if (created) {
        try {
          Files.deleteIfExists(target);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static ApplyReport applyTo(Path image, Path target, List<DebArchive> archives,
      List<Path> files, ApplyOptions options, List<String> warnings) throws IOException {
    // 4. the guest root, read-only; an earlier commit a crash interrupted is finished first, so
    // that what is inspected is what will be written
    if (dev.vdisk.core.tx.RedoLogDevice.pending(Transaction.record(target))) {
      LOG.info("{}: finishing an interrupted commit ({}) before applying",
          target, Transaction.record(target));
      try (VirtualDisk d = VirtualDisks.open(target, OpenOptions.readWrite())) {
        LOG.debug("{}: {} bytes, recovered", target, d.size());
      }
    }
    long t0 = System.nanoTime();
    Inspection inspection = Inspector.inspect(target);
    GuestRoot root = chooseRoot(target, inspection, options.partition());
    LOG.debug("inspected {} in {} ms: root in {}", target, ms(t0), where(root.partition()));
    warnings.addAll(root.warnings());
    refusePendingRecords(target);

    // 5. the transaction
    if (options.progress() != null) {
      options.progress().progress(0, archives.size() + 1L);
    }
    try (VirtualDisk disk = VirtualDisks.open(target, OpenOptions.readWrite());
        Transaction tx = Transaction.begin(disk, target.toAbsolutePath().getParent())) {
      List<PackageAction> actions;
      try {
        VdiskFileSystem fs = VdiskFileSystems.open(tx, OptionalInt.of(root.partition()),
            MountOptions.writable());
        try {
          if (fs.isReadOnly()) {
            throw new UnsafeToWriteException(target, UnsafeToWriteException.Reason.READ_ONLY,
                "the " + fs.identity().type() + " driver cannot write the root file system in "
                    + where(root.partition()));
          }
          long t1 = System.nanoTime();
          actions = inject(target, fs.getPath("/"), archives, files, options, warnings);
          LOG.debug("injected in {} ms", ms(t1));
        } catch (IOException | RuntimeException | Error e) {
          try {
            fs.close();
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
          throw e;
        }
        long t1 = System.nanoTime();
        fs.close(); // flushes everything into the transaction; a failure here discards it
        LOG.debug("file system closed (flushed into the transaction) in {} ms", ms(t1));
        long changed = tx.dirtyBlocks() * Transaction.BLOCK;
        if (options.dryRun()) {
          LOG.info("{}: dry run: dropping {} changed bytes", target, changed);
          tx.discard();
        } else {
          if (options.progress() != null) {
            options.progress().progress(archives.size(), archives.size() + 1L);
          }
          long t2 = System.nanoTime();
          tx.commit(Transaction.record(target));
          LOG.info("{}: committed {} changed bytes in {} ms", target, changed, ms(t2));
        }
        if (options.progress() != null) {
          options.progress().progress(archives.size() + 1L, archives.size() + 1L);
        }
        return new ApplyReport(image, options.dryRun() ? null : target, options.dryRun(),
            root.partition(), actions, changed, warnings);
      } catch (IOException | RuntimeException | Error e) {
        tx.discard();
        throw e;
      }
    }
  }

  private static List<PackageAction> inject(Path image, Path guest, List<DebArchive> archives,
      List<Path> files, ApplyOptions options, List<String> warnings) throws IOException {
    List<ControlParagraph> status = readStatus(guest);
    List<String> archLines = readArch(guest);
    String nativeArch = nativeArch(status, archLines);
    if (nativeArch == null) {
      throw new UnsupportedFeatureException(image, "dpkg architecture",
          "cannot tell the guest's dpkg architecture (no dpkg package in its status file and"
              + " no /var/lib/dpkg/arch)");
    }
    Set<String> foreign = new TreeSet<>(archLines);
    foreign.remove(nativeArch);

    List<ControlParagraph> candidates = new ArrayList<>();
    IdentityHashMap<ControlParagraph, Integer> byParagraph = new IdentityHashMap<>();
    for (int i = 0; i < archives.size(); i++) {
      ControlParagraph c = archives.get(i).control();
      candidates.add(c);
      byParagraph.put(c, i);
    }
    Dependencies.Plan plan = Dependencies.plan(status, candidates, nativeArch, foreign);
    if (!plan.ok()) {
      throw new DependencyException(image, plan.problems());
    }
    List<DebArchive> ordered = new ArrayList<>();
    List<Path> orderedFiles = new ArrayList<>();
    for (ControlParagraph c : plan.order()) {
      Integer i = byParagraph.get(c);
      if (i == null) {
        i = indexOf(candidates, c);
      }
      ordered.add(archives.get(i));
      orderedFiles.add(files.get(i));
    }
    if (ordered.size() != archives.size()) {
      throw new IllegalStateException("the dependency plan orders " + ordered.size()
          + " of " + archives.size() + " packages");
    }
    Set<String> foreignMounts = foreignMountPoints(guest, warnings);
    LOG.debug("native architecture {}, foreign {}, other file systems at {}", nativeArch,
        foreign, foreignMounts);
    InjectOptions injectOptions = new InjectOptions(foreignMounts, options.verify().now(),
        options.failAfterFiles());
    return new DebInjector(guest, injectOptions).inject(ordered, orderedFiles, plan.mustStage());
  }

  private static int indexOf(List<ControlParagraph> candidates, ControlParagraph c) {
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).equals(c)) {
        return i;
      }
    }
    throw new IllegalStateException("the dependency plan names a package that was not given: "
        + c.get("Package", "?"));
  }

  /** Directories become their {@code *.deb} files, sorted by name; the rest stay as given. */
  static List<Path> expand(List<Path> debs) throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    for (Path p : debs) {
      if (Files.isDirectory(p)) {
        List<Path> inDir = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(p, "*.deb")) {
          for (Path f : s) {
            if (Files.isRegularFile(f)) {
              inDir.add(f);
            }
          }
        }
        if (inDir.isEmpty()) {
          throw new NoSuchFileException(p.toString(), null, "no .deb files in the directory");
        }
        inDir.sort(null);
        out.addAll(inDir);
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new NoSuchFileException(p.toString());
      }
      if (out.size() > MAX_PACKAGES) {
        throw new dev.vdisk.core.VdiskException(p, "more than " + MAX_PACKAGES
            + " packages given");
      }
    }
    if (out.isEmpty()) {
      throw new dev.vdisk.core.VdiskException(null, "no packages given");
    }
    return new ArrayList<>(out);
  }

  private static void verify(List<Path> files, ApplyOptions options) throws IOException {
    Verifier verifier = options.cache() == null
        ? new Verifier(options.trust(), options.verify())
        : new Verifier(options.trust(), options.verify(), options.cache());
    List<Verification> verdicts = verifier.verifyPackages(files, options.repositories());
    List<String> refused = new ArrayList<>();
    Path first = null;
    for (int i = 0; i < verdicts.size(); i++) {
      Verification v = verdicts.get(i);
      if (!v.trusted()) {
        if (first == null) {
          first = v.path() != null ? v.path() : files.get(i);
        }
        refused.add((v.path() != null ? v.path() : files.get(i)) + " ("
            + (v.reasons().isEmpty() ? "not trusted" : String.join("; ", v.reasons())) + ")");
      }
    }
    if (verdicts.size() != files.size()) {
      throw new IllegalStateException("the verifier judged " + verdicts.size() + " of "
          + files.size() + " packages");
    }
    if (!refused.isEmpty()) {
      throw new TrustException(first, refused.size() + " of " + files.size()
          + " packages not trusted, nothing was written: " + String.join(", ", refused));
    }
  }

  private static GuestRoot chooseRoot(Path image, Inspection inspection, OptionalInt partition)
      throws IOException {
    Optional<GuestRoot> root;
    if (partition.isPresent()) {
      root = inspection.roots().stream()
          .filter(r -> r.partition() == partition.getAsInt()).findFirst();
      if (root.isEmpty()) {
        throw new UnsupportedFeatureException(image, "operating system",
            "no operating system root found in " + where(partition.getAsInt())
                + rootsFound(inspection));
      }
    } else {
      root = inspection.defaultRoot();
      if (root.isEmpty()) {
        throw new UnsupportedFeatureException(image, "operating system",
            "no operating system found" + (inspection.warnings().isEmpty() ? ""
                : " (" + String.join("; ", inspection.warnings()) + ")"));
      }
    }
    GuestRoot r = root.get();
    if (!"deb".equals(r.os().packageFormat())) {
      throw new UnsupportedFeatureException(image, "package format",
          "the guest in " + where(r.partition()) + " (" + (r.os().product() != null
              ? r.os().product() : r.os().family()) + ") has no dpkg database"
              + (r.os().packageFormat() != null ? " (its packages are "
                  + r.os().packageFormat() + ")" : ""));
    }
    return r;
  }

  private static String rootsFound(Inspection inspection) {
    if (inspection.roots().isEmpty()) {
      return "";
    }
    List<String> found = new ArrayList<>();
    for (GuestRoot r : inspection.roots()) {
      found.add(where(r.partition()));
    }
    return " (roots found in " + String.join(", ", found) + ")";
  }

  /** Redo records another vdisk write left for a partition: refused, not silently finished. */
  private static void refusePendingRecords(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    String prefix = target.getFileName() + ".vdisk-redo-";
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob(prefix) + "*")) {
      for (Path p : s) {
        String suffix = p.getFileName().toString().substring(prefix.length());
        if (suffix.matches("[1-9][0-9]*")) {
          throw new UnsafeToWriteException(target,
              UnsafeToWriteException.Reason.LOG_NOT_REPLAYED,
              "an interrupted write left " + p + "; any vdisk command that opens partition "
                  + suffix + " for writing (vdisk touch -p " + suffix + " IMAGE /) finishes it");
        }
      }
    }
  }

  private static String glob(String literal) {
    return literal.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
  }

  private static List<ControlParagraph> readStatus(Path guest) throws IOException {
    Path status = guest.resolve("var/lib/dpkg/status");
    if (!Files.isRegularFile(status)) {
      throw new UnsupportedFeatureException(null, "package format",
          "the guest has no /var/lib/dpkg/status");
    }
    long size = Files.size(status);
    if (size > MAX_STATUS) {
      throw new UnsupportedFeatureException(null, "dpkg status",
          "/var/lib/dpkg/status is " + size + " bytes, more than the " + MAX_STATUS
              + " read");
    }
    String text = new String(Files.readAllBytes(status), StandardCharsets.UTF_8);
    return ControlParagraph.parseAll(text, "/var/lib/dpkg/status");
  }

  private static List<String> readArch(Path guest) throws IOException {
    Path arch = guest.resolve("var/lib/dpkg/arch");
    List<String> out = new ArrayList<>();
    if (Files.isRegularFile(arch) && Files.size(arch) < 65536) {
      for (String line : Files.readAllLines(arch, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(line.trim());
        }
      }
    }
    return out;
  }

  /**
   * dpkg's native architecture: the architecture dpkg itself is installed as (what {@code dpkg
   * --print-architecture} prints), else the first line of {@code /var/lib/dpkg/arch}.
   */
  static String nativeArch(List<ControlParagraph> status, List<String> archLines) {
    for (ControlParagraph p : status) {
      if ("dpkg".equals(p.get("Package", null)) && p.get("Status", "").endsWith(" installed")) {
        String a = p.get("Architecture", null);
        if (a != null && !a.equals("all")) {
          return a.trim();
        }
      }
    }
    return archLines.isEmpty() ? null : archLines.get(0);
  }

  /**
   * The guest's mount points, per its {@code /etc/fstab}, of file systems other than the root
   * that live in partitions (not {@code proc}, {@code tmpfs}, {@code swap} ...): writes must stay
   * on the root's file system, the one the transaction covers consistently.
   */
  private static Set<String> foreignMountPoints(Path guest, List<String> warnings)
      throws IOException {
    Set<String> out = new TreeSet<>();
    Path fstab = guest.resolve("etc/fstab");
    if (!Files.isRegularFile(fstab)) {
      return out;
    }
    if (Files.size(fstab) > (1 << 20)) {
      warnings.add("/etc/fstab: larger than 1 MiB, not read");
      return out;
    }
    String text = new String(Files.readAllBytes(fstab), StandardCharsets.UTF_8);
    for (Fstab.Entry e : Fstab.parse(text)) {
      String mp = e.mountPoint();
      if (!mp.startsWith("/") || mp.equals("/") || Inspector.isPseudoFileSystem(e.type())
          || List.of(e.options().toLowerCase(Locale.ROOT).split(",")).contains("bind")) {
        continue;
      }
      out.add(mp.length() > 1 && mp.endsWith("/") ? mp.substring(0, mp.length() - 1) : mp);
    }
    return out;
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String where(int partition) {
    return partition == 0 ? "the whole disk" : "partition " + partition;
  }
}
