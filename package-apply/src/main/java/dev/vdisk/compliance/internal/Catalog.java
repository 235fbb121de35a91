package dev.vdisk.compliance.internal;

import dev.vdisk.baseline.Baseline;
import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.baseline.Source;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.RequirementState;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.core.TrustException;
import dev.vdisk.deb.ControlParagraph;
import dev.vdisk.inspect.GuestFiles;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.Verifier;
import dev.vdisk.trust.internal.ReleaseFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verified sources of a {@link BaselineSet}, loaded once; evaluates baselines on guest roots
 * and resolves missing findings to packages. Thread-safe: indexes for an architecture no earlier
 * guest needed are loaded on first use (under a lock); everything else only reads.
 *
 * <p>Each suite of each source is read per architecture, from its {@code binary-ARCH} index
 * (which lists the {@code Architecture: all} packages too, as Debian's archives do; {@code
 * binary-all} is not read). A source without {@code architectures:} is read for {@code amd64}
 * when the catalog loads and for any other architecture when a guest first needs it.
 */
public final class Catalog {
  private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
  /** The largest dpkg status file read. */
  static final long MAX_STATUS_BYTES = 256L << 20;

  private final BaselineSet set;
  private final ScanOptions options;
  private final Map<String, SuiteIndex> loaded = new HashMap<>();
  private final Map<String, IOException> failed = new HashMap<>();
  private final Map<List<String>, TrustStore> trustStores = new HashMap<>();
  private final PackagesReader reader = new PackagesReader();
  private final DebEvaluator deb;
  private final OtherEvaluator other = new OtherEvaluator();

  private Catalog(BaselineSet set, ScanOptions options) {
    this.set = set;
    this.options = options;
    Instant now = options.verify() == null ? Instant.now() : options.verify().now();
    this.deb = new DebEvaluator(now);
  }

  /**
   * Fetches (or reads) and verifies every source the baselines name.
   *
   * @param set the baselines
   * @param options verification time, cache directory and default trust
   * @return the catalog
   * @throws IOException if a source cannot be read, or a {@link dev.vdisk.core.TrustException}
   *     if its indexes are not trusted
   */
  public static Catalog load(BaselineSet set, ScanOptions options) throws IOException {
    Catalog c = new Catalog(set, options);
    for (Baseline b : set.baselines().values()) {
      for (Source s : b.sources()) {
        List<String> archs = s.architectures().isEmpty() ? List.of("amd64") : s.architectures();
        for (String suite : s.suites()) {
          for (String arch : archs) {
            c.suite(s, suite, arch);
          }
        }
      }
    }
    return c;
  }

  /**
   * The baselines.
   *
   * @return the set
   */
  public BaselineSet baselines() {
    return set;
  }

  /**
   * Every suite index loaded so far.
   *
   * @return the indexes
   */
  public synchronized List<SuiteIndex> loadedSuites() {
    return List.copyOf(loaded.values());
  }

  /** One suite of a source for one architecture, loaded once. */
  synchronized SuiteIndex suite(Source s, String suite, String arch) throws IOException {
    String key = s.repo() + "\u0000" + suite + "\u0000" + s.components() + "\u0000" + arch
        + "\u0000" + s.trust();
    SuiteIndex si = loaded.get(key);
    if (si != null) {
      return si;
    }
    IOException earlier = failed.get(key);
    if (earlier != null) {
      throw earlier;
    }
    try {
      si = read(s, suite, arch);
    } catch (IOException e) {
      failed.put(key, e);
      throw e;
    }
    loaded.put(key, si);
    return si;
  }

  private TrustStore trust(Source s) throws IOException {
    if (s.trust().isEmpty()) {
      if (options.trust() == null) {
        throw new TrustException(null, "source " + s.repo() + " names no trust: keyring and no "
            + "default keyring was given");
      }
      return options.trust();
    }
    TrustStore t = trustStores.get(s.trust());
    if (t == null) {
      List<Path> paths = s.trust().stream().map(Path::of).toList();
      t = TrustStore.load(paths);
      trustStores.put(s.trust(), t);
    }
    return t;
  }

  private SuiteIndex read(Source s, String suite, String arch) throws IOException {
    TrustStore trust = trust(s);
    Verifier v = options.cache() == null
        ? new Verifier(trust, options.verify())
        : new Verifier(trust, options.verify(), options.cache());
    // Architecture: all packages are read from the binary-ARCH index, where Debian's archives
    // (and apt-ftparchive, reprepro, make-apt-repo.sh) list them too; binary-all is not read
    String spec = s.repo() + " [arch=" + arch + "] " + suite + " "
        + String.join(" ", s.components());
    Map<String, List<DebEntry>> byName = new HashMap<>();
    Map<String, List<DebEntry>> providers = new HashMap<>();
    Set<String> seen = new HashSet<>();
    ControlParagraph[] release = new ControlParagraph[1];
    SuiteIndex[] holder = new SuiteIndex[1];
    long t0 = System.nanoTime();
    v.readIndexes(spec, (rel, component, indexArch, source, in) -> {
      if (holder[0] == null) {
        release[0] = rel;
        holder[0] = index(s, suite, spec, trust, rel, source, byName, providers);
      }
      readInto(in, source, holder[0], byName, providers, seen);
    });
    SuiteIndex si = holder[0] != null ? holder[0]
        : new SuiteIndex(s.repo(), suite, "", "", null, false, false, spec, trust, byName,
            providers);
    LOG.debug("{}: {} package versions for {} in {} ms", spec, si.size(), arch,
        (System.nanoTime() - t0) / 1_000_000);
    return si;
  }

  private static SuiteIndex index(Source s, String suite, String spec, TrustStore trust,
      ControlParagraph rel, String source, Map<String, List<DebEntry>> byName,
      Map<String, List<DebEntry>> providers) throws IOException {
    Instant date = rel.has("Date") ? ReleaseFile.parseDate(rel.get("Date"), source, "Date")
        : null;
    return new SuiteIndex(s.repo(), suite, rel.get("Suite", "").strip(),
        rel.get("Codename", "").strip(), date, yes(rel.get("NotAutomatic")),
        yes(rel.get("ButAutomaticUpgrades")), spec, trust, byName, providers);
  }

  private static boolean yes(String v) {
    return v != null && v.strip().equalsIgnoreCase("yes");
  }

  private void readInto(InputStream in, String source, SuiteIndex si,
      Map<String, List<DebEntry>> byName, Map<String, List<DebEntry>> providers, Set<String> seen)
      throws IOException {
    reader.read(in, source, si, p -> {
      DebEntry e = p.entry();
      if (!seen.add(e.name() + " " + e.version() + " " + e.arch())) {
        return;
      }
      byName.computeIfAbsent(e.name(), k -> new ArrayList<>(1)).add(e);
      for (var r : e.provided()) {
        providers.computeIfAbsent(r.name(), k -> new ArrayList<>(1)).add(e);
      }
    });
  }

  /**
   * Findings for the named baselines on this root (deb guests; other kinds: static rules where
   * possible, dynamic rules {@code NOT_APPLICABLE}). The installed packages' relationship fields
   * are taken from the sources' records of the same versions.
   *
   * @param baselines the baselines' names (as {@link BaselineSet#select} returns them)
   * @param root the guest root
   * @return the findings, baseline by baseline
   */
  public List<Finding> evaluate(List<String> baselines, GuestRoot root) {
    return evaluate(baselines, new KindEvaluator.Target(root, null, null));
  }

  /**
   * Findings for the named baselines on this root, reading the dpkg status ({@code
   * /var/lib/dpkg/status}) and architectures ({@code /var/lib/dpkg/arch}) through the guest's
   * files, so installed packages' own dependencies, {@code Breaks} and {@code Conflicts} count
   * as apt counts them.
   *
   * @param baselines the baselines' names
   * @param root the guest root
   * @param files the guest's files, or null
   * @return the findings
   */
  public List<Finding> evaluate(List<String> baselines, GuestRoot root, GuestFiles files) {
    return evaluate(baselines, target(root, files));
  }

  /**
   * The evaluation target for a root, with its dpkg files read when there are some.
   *
   * @param root the root
   * @param files the guest's files, or null
   * @return the target
   */
  public static KindEvaluator.Target target(GuestRoot root, GuestFiles files) {
    if (files == null) {
      return new KindEvaluator.Target(root, null, null);
    }
    return new KindEvaluator.Target(root, readSmall(files, "/var/lib/dpkg/status"),
        readSmall(files, "/var/lib/dpkg/arch"));
  }

  private static String readSmall(GuestFiles files, String path) {
    try {
      Path p = files.resolve(path);
      if (p == null || !Files.isRegularFile(p) || Files.size(p) > MAX_STATUS_BYTES) {
        return null;
      }
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read {}: {}", path, e.toString());
      return null;
    }
  }

  /**
   * Findings for the named baselines on a target.
   *
   * @param baselines the baselines' names
   * @param target the target
   * @return the findings
   */
  public List<Finding> evaluate(List<String> baselines, KindEvaluator.Target target) {
    List<Finding> out = new ArrayList<>();
    for (String name : baselines) {
      out.addAll(plan(name, target).findings());
    }
    return out;
  }

  private DebEvaluator.Plan plan(String name, KindEvaluator.Target target) {
    Baseline b = set.baseline(name).orElse(null);
    if (b == null) {
      return new DebEvaluator.Plan(List.of(new Finding(name, "unknown", "baseline", name, "",
          null, null, null, null, RequirementState.FAILED, "no baseline named " + name)),
          Map.of(), Map.of());
    }
    GuestRoot root = target.root();
    if (!deb.handles(root)) {
      return new DebEvaluator.Plan(other.evaluate(b, List.of(), target), Map.of(), Map.of());
    }
    List<SuiteIndex> sources;
    try {
      sources = sources(b, root, target);
    } catch (IOException e) {
      return new DebEvaluator.Plan(List.of(new Finding(b.name(), "deb", "upgrade", "*", "",
          null, null, null, null, RequirementState.FAILED, "sources could not be loaded: "
              + e.getMessage())), Map.of(), Map.of());
    }
    return deb.plan(b, sources, target);
  }

  /** The suites of a baseline's sources for a guest's architectures. */
  private List<SuiteIndex> sources(Baseline b, GuestRoot root, KindEvaluator.Target target)
      throws IOException {
    Set<String> guestArchs = null;
    List<SuiteIndex> out = new ArrayList<>();
    for (Source s : b.sources()) {
      List<String> archs = s.architectures();
      if (archs.isEmpty()) {
        if (guestArchs == null) {
          guestArchs = DebGuest.of(root, null, target.dpkgArch()).archs();
        }
        archs = new ArrayList<>(guestArchs);
      }
      for (String suite : s.suites()) {
        for (String arch : new LinkedHashSet<>(archs)) {
          out.add(suite(s, suite, arch));
        }
      }
    }
    return out;
  }

  /**
   * The packages that make the MISSING findings INSTALLED: candidates plus the dependency
   * closure allowed by the baselines' rules ({@code allowNew}), in no particular order.
   *
   * @param baselines the baselines' names
   * @param root the guest root
   * @param findings findings of {@link #evaluate} on this root
   * @return the packages and what cannot be resolved (absent rules: removal is not done
   *     offline; Windows updates)
   */
  public Resolution resolve(List<String> baselines, GuestRoot root, List<Finding> findings) {
    return resolve(baselines, new KindEvaluator.Target(root, null, null), findings);
  }

  /**
   * {@link #resolve(List, GuestRoot, List)} on a target whose dpkg files were read.
   *
   * @param baselines the baselines' names
   * @param target the target ({@link #target})
   * @param findings findings of {@link #evaluate} on it
   * @return the packages and problems
   */
  public Resolution resolve(List<String> baselines, KindEvaluator.Target target,
      List<Finding> findings) {
    Set<String> wanted = new HashSet<>();
    for (Finding f : findings) {
      if (f.state() == RequirementState.MISSING) {
        wanted.add(DebEvaluator.id(f));
      }
    }
    Map<String, Candidate> out = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    Set<String> explained = new HashSet<>();
    for (String name : baselines) {
      DebEvaluator.Plan plan = plan(name, target);
      for (Finding f : plan.findings()) {
        String id = DebEvaluator.id(f);
        if (!wanted.contains(id)) {
          continue;
        }
        explained.add(id);
        String problem = plan.problems().get(id);
        if (problem != null) {
          problems.add(f.baseline() + ": " + f.name() + ": " + problem);
          continue;
        }
        for (DebEntry e : plan.packages().getOrDefault(id, List.of())) {
          SuiteIndex si = e.suite();
          String key = e.name() + " " + e.arch();
          Candidate had = out.get(key);
          // several baselines may ask for the same package: the highest version serves all
          if (had == null || dev.vdisk.deb.DebVersion.compare(had.version(),
              e.version().toString()) < 0) {
            out.put(key, new Candidate(e.name(), e.version().toString(), e.arch(),
                si.repository(), e.filename(), e.size(), e.sha256(), si.trust()));
          }
        }
      }
    }
    for (Finding f : findings) {
      if (f.state() == RequirementState.MISSING && !explained.contains(DebEvaluator.id(f))) {
        problems.add(f.baseline() + ": " + f.name() + ": "
            + (f.rule().equals("update") ? "Windows updates are not resolved yet"
                : "no package resolves it"));
      }
    }
    return new Resolution(new ArrayList<>(out.values()), problems);
  }

  /**
   * What {@link #resolve} found.
   *
   * @param packages the packages to fetch, verify and apply
   * @param problems what cannot be resolved, for a person
   */
  public record Resolution(List<Candidate> packages, List<String> problems) {
    /** Copies the lists. */
    public Resolution {
      packages = List.copyOf(packages);
      problems = List.copyOf(problems);
    }
  }

  /**
   * One package version of a source.
   *
   * @param name the package name
   * @param version its version
   * @param arch its architecture
   * @param repository the spec string {@link dev.vdisk.trust.Verifier#verifyPackages} and
   *     {@code ApplyOptions} repositories accept (a local directory, or {@code "URL SUITE
   *     [COMPONENT...] [arch=..]"})
   * @param filename the Packages {@code Filename}, relative to the archive root
   * @param size the {@code Size}
   * @param sha256 the {@code SHA256}, lower-case hex
   * @param trust the keys the source is verified with
   */
  public record Candidate(String name, String version, String arch, String repository,
      String filename, long size, String sha256, TrustStore trust) {}
}
