package dev.vdisk.trust;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.trust.Verification.Kind;
import dev.vdisk.trust.internal.Clearsigned;
import dev.vdisk.trust.internal.Hashes;
import dev.vdisk.trust.internal.KeyValidity;
import dev.vdisk.trust.internal.PackagesIndex;
import dev.vdisk.trust.internal.ReleaseFile;
import dev.vdisk.trust.internal.RemoteRepository;
import dev.vdisk.trust.internal.SignatureCheck;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.openpgp.PGPSignature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies apt repositories and packages against a {@link TrustStore}: signatures on {@code
 * InRelease} / {@code Release.gpg} and detached package signatures, then the hash chain Release →
 * {@code Packages} → each {@code .deb}'s size and SHA-256.
 *
 * <p>A signature is accepted as apt accepts gpgv's report: at least one good signature by a
 * trusted key that is neither revoked nor expired (at signing time and now), and no bad signature
 * by a known key. Beyond gpgv, a signature (or a Release {@code Date}) more than ten minutes in
 * the future is refused, and MD5, SHA-1 and RIPEMD-160 signatures are refused as apt refuses them.
 *
 * <p>Repository strings ({@link #verifyPackages}): a local directory (an archive root holding
 * {@code dists/SUITE/}, every suite is read; or a flat repository holding {@code InRelease} or
 * {@code Release} itself), or one apt {@code sources.list} line without the leading {@code deb}:
 * {@code URL SUITE [COMPONENT...]} with an optional {@code [arch=A,B]} after the URL (default
 * architectures {@code amd64} and {@code all}; default components: the Release's). A SUITE ending
 * in {@code /} is a flat repository below URL. {@code file:} URLs are read locally.
 */
public final class Verifier {
  private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);

  private static final String NO_SIG_NO_REPO = "no detached signature and no repository given";
  private static final List<String> INDEX_NAMES = List.of("Packages.xz", "Packages.gz",
      "Packages");

  private final TrustStore trust;
  private final VerifyOptions options;
  private final Path cache;

  /**
   * A verifier.
   *
   * @param trust the trusted keys
   * @param options time and expiry handling
   */
  public Verifier(TrustStore trust, VerifyOptions options) {
    this(trust, options, RemoteRepository.defaultCache());
  }

  /**
   * A verifier with its own download cache.
   *
   * @param trust the trusted keys
   * @param options time and expiry handling
   * @param cache where downloaded indexes are cached (keyed by SHA-256)
   */
  public Verifier(TrustStore trust, VerifyOptions options, Path cache) {
    this.trust = trust;
    this.options = options;
    this.cache = cache;
  }

  /**
   * The verdict on one path (a repository directory, an index, or a {@code .deb}; a {@code .deb}
   * is trusted only through a detached signature beside it, {@code pkg.deb.sig} or {@code
   * pkg.deb.asc}).
   *
   * @param path the path
   * @return the verdict (never throws for untrusted input: the verdict says why)
   * @throws IOException on an I/O error reading it (a missing path is {@link
   *     NoSuchFileException})
   */
  public Verification verify(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return verifyRepositoryDirectory(path);
    }
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString());
    }
    String name = path.getFileName().toString();
    if (name.equals("InRelease") || name.equals("Release") || name.endsWith(".InRelease")) {
      // the indexes below are checked only when the file sits where apt puts it
      LocalFiles files = new LocalFiles(path.toAbsolutePath().getParent(),
          !name.endsWith(".InRelease"));
      return verifySuite(files, "", path).verdict;
    }
    if (INDEX_NAMES.contains(name)) {
      return verifyPackagesFile(path);
    }
    if (name.endsWith(".deb") || name.endsWith(".udeb")) {
      Hashes h = Hashes.of(path);
      Verification v = detached(path, h);
      if (v != null) {
        return v;
      }
      return new Verification(path, Kind.DEB, false, null, null, null, h.sha256(), null,
          List.of(NO_SIG_NO_REPO), List.of());
    }
    Hashes h = Hashes.of(path);
    Verification v = detached(path, h);
    if (v != null) {
      return new Verification(path, Kind.OTHER, v.trusted(), v.keyId(), v.fingerprint(),
          v.userId(), v.sha256(), v.via(), v.reasons(), List.of());
    }
    return new Verification(path, Kind.OTHER, false, null, null, null, h.sha256(), null,
        List.of("not a repository, index or package, and no detached signature beside it"),
        List.of());
  }

  /**
   * The verdicts on packages to install: each is trusted if a verified repository index lists
   * it with the same size and SHA-256, or through a detached signature by a trusted key.
   *
   * @param debs the package files
   * @param repositories repository roots: local directories, or {@code http(s)://} URLs of an
   *     archive root with a suite (indexes fetched and verified before use; see the class
   *     description for the syntax)
   * @return one verdict per package, in order
   * @throws IOException on an I/O error reading a package (a repository that cannot be read
   *     makes its packages untrusted instead, with the reason)
   */
  public List<Verification> verifyPackages(List<Path> debs, List<String> repositories)
      throws IOException {
    List<TrustedIndex> indexes = new ArrayList<>();
    List<String> repoProblems = new ArrayList<>();
    for (String r : repositories) {
      try {
        loadRepository(r, (signer, release, dir, source, in) -> indexes.add(
            new TrustedIndex(PackagesIndex.read(in, source), signer, source)), repoProblems);
      } catch (IOException e) {
        LOG.debug("repository {} unreadable", r, e);
        repoProblems.add("repository " + r + " could not be read: " + e.getMessage());
      }
    }
    List<Verification> out = new ArrayList<>();
    for (Path deb : debs) {
      if (!Files.isRegularFile(deb)) {
        throw new NoSuchFileException(deb.toString());
      }
      Hashes h = Hashes.of(deb);
      Verification listed = null;
      List<String> reasons = new ArrayList<>();
      String base = deb.getFileName().toString();
      for (TrustedIndex ti : indexes) {
        for (PackagesIndex.Record rec : ti.index.bySha256(h.sha256())) {
          if (rec.size() == h.size()) {
            listed = new Verification(deb, Kind.DEB, true, ti.signer.keyId(),
                ti.signer.primaryFingerprint(), ti.signer.userId(), h.sha256(), "Packages",
                List.of(), List.of());
            break;
          }
          reasons.add(ti.source + " lists " + rec.name() + " " + rec.version() + " with this "
              + "SHA256 but size " + rec.size() + ", the file has " + h.size() + " bytes");
        }
        if (listed != null) {
          break;
        }
        for (PackagesIndex.Record rec : ti.index.records()) {
          String fn = rec.filename();
          if (fn.equals(base) || fn.endsWith("/" + base)) {
            reasons.add(ti.source + " lists " + fn + " with size " + rec.size() + " and SHA256 "
                + rec.sha256() + ", but the file has size " + h.size() + " and SHA256 "
                + h.sha256());
          }
        }
      }
      if (listed != null) {
        out.add(listed);
        continue;
      }
      Verification sig = detached(deb, h);
      if (sig != null && sig.trusted()) {
        out.add(sig);
        continue;
      }
      if (repositories.isEmpty()) {
        if (sig == null) {
          reasons.add(NO_SIG_NO_REPO);
        }
      } else {
        if (reasons.isEmpty()) {
          reasons.add("not listed (by SHA256 " + h.sha256() + " and size " + h.size()
              + ") in any verified index of the repositories");
        }
        reasons.addAll(repoProblems);
        if (sig == null) {
          reasons.add("no detached signature beside it");
        }
      }
      if (sig != null) {
        reasons.addAll(sig.reasons());
      }
      out.add(new Verification(deb, Kind.DEB, false, null, null, null, h.sha256(), null,
          List.copyOf(reasons), List.of()));
    }
    return out;
  }

  // ---------------------------------------------------------------- detached package signatures

  private Verification detached(Path file, Hashes h) throws IOException {
    for (String ext : new String[] {".sig", ".asc", ".gpg"}) {
      Path sigFile = file.resolveSibling(file.getFileName() + ext);
      if (!Files.isRegularFile(sigFile)) {
        continue;
      }
      SignatureCheck.Result r = checkDetached(sigFile, file);
      Kind kind = Kind.DEB;
      if (r.trusted()) {
        KeyValidity k = r.signer();
        return new Verification(file, kind, true, k.keyId(), k.primaryFingerprint(), k.userId(),
            h.sha256(), "detached signature", List.of(), List.of());
      }
      List<String> reasons = new ArrayList<>();
      for (String s : r.reasons()) {
        reasons.add(sigFile.getFileName() + ": " + s);
      }
      return new Verification(file, kind, false, null, null, null, h.sha256(), null,
          List.copyOf(reasons), List.of());
    }
    return null;
  }

  private SignatureCheck.Result checkDetached(Path sigFile, Path data) throws IOException {
    if (Files.size(sigFile) > SignatureCheck.MAX_SIGNATURE_BYTES) {
      return new SignatureCheck.Result(false, null, List.of("signature file is too large"));
    }
    List<PGPSignature> sigs;
    try {
      sigs = SignatureCheck.readSignatures(Files.readAllBytes(sigFile));
    } catch (IOException e) {
      if (e instanceof NoSuchFileException) {
        throw e;
      }
      return new SignatureCheck.Result(false, null,
          List.of("not an OpenPGP signature: " + e.getMessage()));
    }
    return SignatureCheck.check(trust, sigs, sig -> {
      try (InputStream in = Files.newInputStream(data)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          sig.update(buf, 0, n);
        }
      }
    }, options.now(), false);
  }

  // ------------------------------------------------------------------------- repositories

  /** Where a repository's files come from. */
  private interface RepoFiles {
    /** A file without a known hash; temp files are deleted by {@link #done}. */
    Optional<Path> plain(String rel) throws IOException;

    /** A file a Release lists: local as is (hash checked by the caller), remote verified. */
    Optional<Path> listed(String rel, ReleaseFile.Entry e) throws IOException;

    void done(Path p) throws IOException;

    String describe(String rel);

    Path display(String rel);
  }

  private static final class LocalFiles implements RepoFiles {
    final Path root;
    final boolean indexes;

    LocalFiles(Path root) {
      this(root, true);
    }

    LocalFiles(Path root, boolean indexes) {
      this.root = root;
      this.indexes = indexes;
    }

    @Override
    public Optional<Path> plain(String rel) {
      Path p = rel.isEmpty() ? root : root.resolve(rel);
      return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public Optional<Path> listed(String rel, ReleaseFile.Entry e) {
      return plain(rel);
    }

    @Override
    public void done(Path p) {}

    @Override
    public String describe(String rel) {
      return root.resolve(rel).toString();
    }

    @Override
    public Path display(String rel) {
      return rel.isEmpty() ? root : root.resolve(rel);
    }
  }

  private static final class RemoteFiles implements RepoFiles {
    final RemoteRepository remote;

    RemoteFiles(RemoteRepository remote) {
      this.remote = remote;
    }

    @Override
    public Optional<Path> plain(String rel) throws IOException {
      return remote.fetch(rel);
    }

    @Override
    public Optional<Path> listed(String rel, ReleaseFile.Entry e) throws IOException {
      return remote.fetchVerified(rel, e.sha256(), e.size());
    }

    @Override
    public void done(Path p) throws IOException {
      if (p.getParent() != null && p.getParent().getFileName().toString().equals("tmp")) {
        Files.deleteIfExists(p);
      }
    }

    @Override
    public String describe(String rel) {
      return remote.base().resolve(rel).toString();
    }

    @Override
    public Path display(String rel) {
      return Path.of(remote.base().resolve(rel).toString().replace("://", "/"));
    }
  }

  /** A verified suite: its verdict and (when the signature held) its Release body. */
  private record Suite(Verification verdict, ReleaseFile release, String dir, KeyValidity signer,
      RepoFiles files) {}

  private record TrustedIndex(PackagesIndex index, KeyValidity signer, String source) {}

  private Verification verifyRepositoryDirectory(Path dir) throws IOException {
    List<Verification> children = new ArrayList<>();
    Path dists = dir.resolve("dists");
    LocalFiles files = new LocalFiles(dir);
    if (Files.isDirectory(dists)) {
      List<Path> suites;
      try (Stream<Path> s = Files.list(dists)) {
        suites = s.filter(Files::isDirectory).sorted().toList();
      }
      for (Path suite : suites) {
        String rel = "dists/" + suite.getFileName();
        if (files.plain(rel + "/InRelease").isPresent()
            || files.plain(rel + "/Release").isPresent()) {
          children.add(verifySuite(files, rel, null).verdict);
        }
      }
    }
    if (children.isEmpty() && (files.plain("InRelease").isPresent()
        || files.plain("Release").isPresent())) {
      children.add(verifySuite(files, "", null).verdict);
    }
    if (children.isEmpty()) {
      return new Verification(dir, Kind.REPOSITORY, false, null, null, null, null, null,
          List.of("no dists/*/InRelease, dists/*/Release, InRelease or Release found"),
          List.of());
    }
    return summarize(dir, Kind.REPOSITORY, null, null, children);
  }

  private static Verification summarize(Path path, Kind kind, String sha, String via,
      List<Verification> children) {
    List<String> reasons = new ArrayList<>();
    String keyId = null;
    String fpr = null;
    String uid = null;
    for (Verification c : children) {
      if (!c.trusted()) {
        reasons.add(c.path() + " is not trusted");
      } else if (keyId == null) {
        keyId = c.keyId();
        fpr = c.fingerprint();
        uid = c.userId();
      }
    }
    boolean ok = reasons.isEmpty();
    return new Verification(path, kind, ok, ok ? keyId : null, ok ? fpr : null,
        ok ? uid : null, sha, ok ? (via != null ? via : children.get(0).via()) : null,
        List.copyOf(reasons), List.copyOf(children));
  }

  /**
   * Verifies dir/InRelease (or dir/Release + Release.gpg); when {@code given} names the file
   * that was asked for, that one is used.
   */
  private Suite verifySuite(RepoFiles files, String dir, Path given) throws IOException {
    String prefix = dir.isEmpty() ? "" : dir + "/";
    boolean wantRelease = given != null && given.getFileName().toString().equals("Release");
    Optional<Path> inRelease = wantRelease ? Optional.empty()
        : given != null ? Optional.of(given) : files.plain(prefix + "InRelease");
    if (inRelease.isPresent()) {
      Path p = inRelease.get();
      Path shown = given != null ? given : files.display(prefix + "InRelease");
      try {
        return verifyInRelease(files, dir, p, shown);
      } finally {
        files.done(p);
      }
    }
    Optional<Path> release = given != null ? Optional.of(given)
        : files.plain(prefix + "Release");
    Path shown = given != null ? given : files.display(prefix + "Release");
    if (release.isEmpty()) {
      return new Suite(new Verification(shown, Kind.RELEASE, false, null, null, null, null, null,
          List.of("no InRelease or Release at " + files.describe(prefix)), List.of()), null, dir,
          null, files);
    }
    Path rel = release.get();
    Optional<Path> gpg = given != null
        ? Optional.of(given.resolveSibling("Release.gpg")).filter(Files::isRegularFile)
        : files.plain(prefix + "Release.gpg");
    try {
      if (Files.size(rel) > Clearsigned.MAX_BYTES) {
        return refusedSuite(files, dir, shown, Kind.RELEASE, null, "Release is too large");
      }
      byte[] bytes = Files.readAllBytes(rel);
      String sha = Hashes.of(rel).sha256();
      if (gpg.isEmpty()) {
        return refusedSuite(files, dir, shown, Kind.RELEASE, sha,
            "unsigned: no Release.gpg beside the Release (and no InRelease)");
      }
      SignatureCheck.Result r = checkDetached(gpg.get(), rel);
      return finishSuite(files, dir, shown, Kind.RELEASE, sha, "Release.gpg", r,
          new String(bytes, StandardCharsets.UTF_8));
    } finally {
      files.done(rel);
      if (gpg.isPresent()) {
        files.done(gpg.get());
      }
    }
  }

  private Suite refusedSuite(RepoFiles files, String dir, Path shown, Kind kind, String sha,
      String reason) {
    return new Suite(new Verification(shown, kind, false, null, null, null, sha, null,
        List.of(reason), List.of()), null, dir, null, files);
  }

  private Suite verifyInRelease(RepoFiles files, String dir, Path p, Path shown)
      throws IOException {
    if (Files.size(p) > Clearsigned.MAX_BYTES) {
      return refusedSuite(files, dir, shown, Kind.IN_RELEASE, null, "InRelease is too large");
    }
    byte[] bytes = Files.readAllBytes(p);
    String sha = Hashes.of(p).sha256();
    Clearsigned cs;
    try {
      cs = Clearsigned.parse(bytes, shown.toString());
    } catch (CorruptStructureException e) {
      String why = Clearsigned.looksClearsigned(bytes) ? "malformed cleartext signature: "
          + e.detail() : "unsigned: not a cleartext-signed message (" + e.detail() + ")";
      return refusedSuite(files, dir, shown, Kind.IN_RELEASE, sha, why);
    }
    List<PGPSignature> sigs;
    try {
      sigs = SignatureCheck.readSignatures(cs.signatureBlock());
    } catch (IOException e) {
      return refusedSuite(files, dir, shown, Kind.IN_RELEASE, sha,
          "malformed signature block: " + e.getMessage());
    }
    // gpgv takes a Hash name that is a prefix of an algorithm's name as naming it, and refuses
    // a name that names none
    for (String h : cs.hashes()) {
      if (KNOWN_HASHES.stream().noneMatch(k -> k.startsWith(h))) {
        return refusedSuite(files, dir, shown, Kind.IN_RELEASE, sha,
            "unknown hash algorithm '" + h + "' in the Hash header");
      }
    }
    for (PGPSignature s : sigs) {
      String name = hashName(s.getHashAlgorithm());
      if (!cs.hashes().isEmpty()
          && cs.hashes().stream().noneMatch(h -> !h.isEmpty() && name.startsWith(h))) {
        return refusedSuite(files, dir, shown, Kind.IN_RELEASE, sha,
            "signature digest conflict: the signature uses " + name + " but the Hash header "
                + "says " + String.join(", ", cs.hashes()));
      }
    }
    byte[] signed = cs.signedData();
    SignatureCheck.Result r = SignatureCheck.check(trust, sigs, s -> s.update(signed),
        options.now(), true);
    return finishSuite(files, dir, shown, Kind.IN_RELEASE, sha, "InRelease", r, cs.content());
  }

  private static final List<String> KNOWN_HASHES = List.of("MD5", "SHA1", "RIPEMD160",
      "SHA256", "SHA384", "SHA512", "SHA224", "SHA3-256", "SHA3-512");

  private static String hashName(int alg) {
    return switch (alg) {
      case 1 -> "MD5";
      case 2 -> "SHA1";
      case 3 -> "RIPEMD160";
      case 8 -> "SHA256";
      case 9 -> "SHA384";
      case 10 -> "SHA512";
      case 11 -> "SHA224";
      case 12 -> "SHA3-256";
      case 14 -> "SHA3-512";
      default -> "algorithm " + alg;
    };
  }

  private Suite finishSuite(RepoFiles files, String dir, Path shown, Kind kind, String sha,
      String via, SignatureCheck.Result r, String body) throws IOException {
    if (!r.trusted()) {
      return new Suite(new Verification(shown, kind, false, null, null, null, sha, null,
          List.copyOf(r.reasons()), List.of()), null, dir, null, files);
    }
    ReleaseFile release;
    try {
      release = ReleaseFile.parse(body, shown.toString());
    } catch (CorruptStructureException e) {
      return refusedSuite(files, dir, shown, kind, sha, "malformed Release: " + e.getMessage());
    }
    List<String> problems = release.dateProblems(options.now(), options.allowExpired());
    KeyValidity k = r.signer();
    List<Verification> children = files instanceof LocalFiles lf && lf.indexes
        ? verifyLocalIndexes(lf, dir, release) : List.of();
    List<String> reasons = new ArrayList<>(problems);
    for (Verification c : children) {
      if (!c.trusted()) {
        reasons.add(c.path() + " is not trusted");
      }
    }
    boolean ok = reasons.isEmpty();
    Verification v = new Verification(shown, kind, ok, k.keyId(), k.primaryFingerprint(),
        k.userId(), sha, ok ? via : null, List.copyOf(reasons), children);
    return new Suite(v, problems.isEmpty() ? release : null, dir, k, files);
  }

  /** Every Packages index present below a local suite directory, against the Release. */
  private List<Verification> verifyLocalIndexes(LocalFiles files, String dir,
      ReleaseFile release) throws IOException {
    Path suiteDir = dir.isEmpty() ? files.root : files.root.resolve(dir);
    List<Path> found;
    try (Stream<Path> s = Files.walk(suiteDir, 4)) {
      found = s.filter(p -> INDEX_NAMES.contains(p.getFileName().toString())
          && Files.isRegularFile(p)).sorted().toList();
    }
    List<Verification> out = new ArrayList<>();
    for (Path p : found) {
      String rel = suiteDir.relativize(p).toString().replace('\\', '/');
      out.add(checkIndex(p, rel, release));
    }
    return out;
  }

  private Verification checkIndex(Path p, String rel, ReleaseFile release) throws IOException {
    Hashes h = Hashes.of(p);
    ReleaseFile.Entry e = release.sha256().get(rel);
    if (e == null) {
      return new Verification(p, Kind.PACKAGES, false, null, null, null, h.sha256(), null,
          List.of(rel + " is not listed in the Release's SHA256 field"), List.of());
    }
    if (!e.sha256().equals(h.sha256()) || e.size() != h.size()) {
      return new Verification(p, Kind.PACKAGES, false, null, null, null, h.sha256(), null,
          List.of("hash mismatch: the Release lists " + rel + " with size " + e.size()
              + " and SHA256 " + e.sha256() + ", the file has size " + h.size() + " and SHA256 "
              + h.sha256()), List.of());
    }
    return new Verification(p, Kind.PACKAGES, true, null, null, null, h.sha256(), "Release",
        List.of(), List.of());
  }

  /** A Packages file given alone: trusted if a Release beside or above it vouches for it. */
  private Verification verifyPackagesFile(Path file) throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("InRelease"))
          || Files.isRegularFile(dir.resolve("Release"))) {
        Suite s = verifySuite(new LocalFiles(dir), "", null);
        String rel = dir.relativize(abs).toString().replace('\\', '/');
        Hashes h = Hashes.of(abs);
        if (!s.verdict.trusted() && s.release == null) {
          List<String> reasons = new ArrayList<>();
          reasons.add("the Release above it is not trusted: " + s.verdict.path());
          reasons.addAll(s.verdict.reasons());
          return new Verification(file, Kind.PACKAGES, false, null, null, null, h.sha256(),
              null, List.copyOf(reasons), List.of());
        }
        Verification c = checkIndex(abs, rel, s.release);
        if (!c.trusted()) {
          return new Verification(file, Kind.PACKAGES, false, null, null, null, h.sha256(),
              null, c.reasons(), List.of());
        }
        KeyValidity k = s.signer;
        return new Verification(file, Kind.PACKAGES, true, k.keyId(), k.primaryFingerprint(),
            k.userId(), h.sha256(), s.verdict.via(), List.of(), List.of(s.verdict));
      }
    }
    return new Verification(file, Kind.PACKAGES, false, null, null, null, Hashes.of(file)
        .sha256(), null, List.of("no InRelease or Release beside or above it vouches for it"),
        List.of());
  }

  // ------------------------------------------------------------- repositories for packages

  /**
   * Reads one verified {@code Packages} index, uncompressed; the stream is closed after the
   * call.
   */
  @FunctionalInterface
  public interface IndexReader {
    /**
     * Reads one index.
     *
     * @param release the fields of the verified Release that vouches for the index ({@code
     *     Suite}, {@code Codename}, {@code Date}, {@code NotAutomatic}, ...)
     * @param component the component ({@code main}), "" for a flat repository
     * @param architecture the index's architecture ({@code amd64}, {@code all}), "" for a flat
     *     repository
     * @param source where the index was read from, for messages
     * @param packages the index's text, its hash already checked against the Release
     * @throws IOException if the index cannot be read
     */
    void read(dev.vdisk.deb.ControlParagraph release, String component, String architecture,
        String source, InputStream packages) throws IOException;
  }

  /**
   * Reads every {@code Packages} index of a repository that its verified Release vouches for,
   * selected as {@link #verifyPackages} selects them (suite, components, {@code [arch=..]}).
   *
   * @param repository the repository (see the class description for the syntax)
   * @param reader called once per index, in Release order
   * @throws dev.vdisk.core.TrustException if a suite's Release is not trusted, or an index's
   *     hash differs from the Release's
   * @throws IOException if the repository cannot be read
   */
  public void readIndexes(String repository, IndexReader reader) throws IOException {
    List<String> problems = new ArrayList<>();
    loadRepository(repository, (signer, release, dir, source, in) -> {
      String[] parts = dir.split("/");
      String component = dir.isEmpty() ? "" : parts[0];
      String arch = dir.isEmpty() ? ""
          : parts[parts.length - 1].substring("binary-".length()).toLowerCase(Locale.ROOT);
      reader.read(release.paragraph(), component, arch, source, in);
    }, problems);
    if (!problems.isEmpty()) {
      throw new dev.vdisk.core.TrustException(null, "repository " + repository + ": "
          + String.join("; ", problems));
    }
  }

  /** Where a verified index goes. */
  private interface IndexSink {
    void accept(KeyValidity signer, ReleaseFile release, String dir, String source,
        InputStream in) throws IOException;
  }

  private void loadRepository(String spec, IndexSink out, List<String> problems)
      throws IOException {
    String[] tokens = spec.strip().split("\\s+");
    if (tokens.length == 0 || tokens[0].isEmpty()) {
      problems.add("empty repository");
      return;
    }
    String first = tokens[0];
    List<String> archs = new ArrayList<>(List.of("amd64", "all"));
    List<String> rest = new ArrayList<>();
    for (int i = 1; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.startsWith("[") && t.endsWith("]") && t.contains("arch=")) {
        archs = List.of(t.substring(t.indexOf("arch=") + 5, t.length() - 1).split(","));
      } else {
        rest.add(t);
      }
    }
    boolean url = first.contains("://") || first.startsWith("file:");
    if (!url) {
      Path dir = Path.of(first);
      if (!Files.isDirectory(dir)) {
        problems.add("repository " + spec + " is not a directory");
        return;
      }
      LocalFiles files = new LocalFiles(dir);
      List<String> suites = new ArrayList<>();
      if (!rest.isEmpty()) {
        suites.add(rest.get(0).endsWith("/") ? rest.get(0).replaceAll("/+$", "")
            : "dists/" + rest.get(0));
      } else if (Files.isDirectory(dir.resolve("dists"))) {
        try (Stream<Path> s = Files.list(dir.resolve("dists"))) {
          s.filter(Files::isDirectory).sorted()
              .forEach(p -> suites.add("dists/" + p.getFileName()));
        }
      }
      if (suites.isEmpty() && (files.plain("InRelease").isPresent()
          || files.plain("Release").isPresent())) {
        suites.add("");
      }
      if (suites.isEmpty()) {
        problems.add("repository " + spec + " has no dists/*/InRelease or Release");
      }
      for (String s : suites) {
        loadSuite(files, s, rest.size() > 1 ? rest.subList(1, rest.size()) : List.of(), archs,
            out, problems);
      }
      return;
    }
    URI base = URI.create(first);
    if ("file".equals(base.getScheme())) {
      List<String> again = new ArrayList<>();
      again.add(Path.of(base).toString());
      again.addAll(rest);
      loadRepository(String.join(" ", again), out, problems);
      return;
    }
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      problems.add("repository " + spec + ": only http, https and file URLs are supported");
      return;
    }
    if (rest.isEmpty()) {
      problems.add("repository " + spec + ": a URL needs a suite ('URL SUITE [COMPONENT...]')");
      return;
    }
    RemoteFiles files = new RemoteFiles(new RemoteRepository(base, cache));
    String suite = rest.get(0);
    String dir = suite.endsWith("/") ? suite.replaceAll("/+$", "") : "dists/" + suite;
    if (dir.equals(".")) {
      dir = "";
    }
    loadSuite(files, dir, rest.subList(1, rest.size()), archs, out, problems);
  }

  private void loadSuite(RepoFiles files, String dir, List<String> components,
      List<String> archs, IndexSink out, List<String> problems) throws IOException {
    Suite s = verifySuite(files, dir, null);
    String where = files.describe(dir.isEmpty() ? "" : dir + "/");
    if (s.release == null) {
      problems.add("repository index " + s.verdict.path() + " is not trusted: "
          + String.join("; ", s.verdict.reasons()));
      return;
    }
    ReleaseFile release = s.release;
    String prefix = dir.isEmpty() ? "" : dir + "/";
    // group listed Packages indexes by directory, then pick one form per directory
    Map<String, List<String>> byDir = new LinkedHashMap<>();
    for (String path : release.sha256().keySet()) {
      int slash = path.lastIndexOf('/');
      String name = path.substring(slash + 1);
      if (!INDEX_NAMES.contains(name)) {
        continue;
      }
      String d = slash < 0 ? "" : path.substring(0, slash);
      byDir.computeIfAbsent(d, k -> new ArrayList<>()).add(name);
    }
    List<String> comps = components.isEmpty()
        ? List.of(release.paragraph().get("Components", "").split("\\s+")) : components;
    for (Map.Entry<String, List<String>> e : byDir.entrySet()) {
      String d = e.getKey();
      if (!d.isEmpty() && !wanted(d, comps, archs)) {
        continue;
      }
      // apt reads no binary-all index when the Release says the per-architecture indexes
      // carry the Architecture: all packages (Debian's archives)
      if (d.endsWith("/binary-all") && release.paragraph().get(
          "No-Support-for-Architecture-all", "").strip().equals("Packages")) {
        continue;
      }
      boolean byHash = files instanceof RemoteFiles && release.paragraph().get(
          "Acquire-By-Hash", "").strip().equalsIgnoreCase("yes");
      List<String> failures = new ArrayList<>();
      boolean read = false;
      for (String name : INDEX_NAMES) {
        if (!e.getValue().contains(name)) {
          continue;
        }
        String rel = d.isEmpty() ? name : d + "/" + name;
        ReleaseFile.Entry entry = release.sha256().get(rel);
        Optional<Path> p = Optional.empty();
        try {
          if (byHash) {
            // the by-hash path names this exact content, so a mirror mid-sync cannot serve a
            // newer or older file under it (apt's Acquire-By-Hash)
            p = files.listed(prefix + (d.isEmpty() ? "" : d + "/") + "by-hash/SHA256/"
                + entry.sha256(), entry);
          }
          if (p.isEmpty()) {
            p = files.listed(prefix + rel, entry);
          }
        } catch (IOException ex) {
          failures.add(files.describe(prefix + rel) + ": " + ex.getMessage());
          continue;
        }
        if (p.isEmpty()) {
          continue;
        }
        Hashes h = Hashes.of(p.get());
        if (!h.sha256().equals(entry.sha256()) || h.size() != entry.size()) {
          failures.add("hash mismatch: " + files.describe(prefix + rel) + " has size "
              + h.size() + " and SHA256 " + h.sha256() + ", the Release lists " + entry.size()
              + " and " + entry.sha256());
          break;
        }
        try (InputStream raw = Files.newInputStream(p.get());
            InputStream in = new BufferedInputStream(PackagesIndex.decompress(raw, name))) {
          out.accept(s.signer, release, d, files.describe(prefix + rel), in);
          read = true;
        } catch (IOException ex) {
          failures.add(files.describe(prefix + rel) + ": " + ex.getMessage());
        }
        break;
      }
      if (!read) {
        problems.addAll(failures);
      }
      if (!read) {
        LOG.debug("no usable Packages index in {}{}", where, d);
      }
    }
  }

  private static boolean wanted(String d, List<String> comps, List<String> archs) {
    // d is COMPONENT/binary-ARCH (or deeper, e.g. main/debian-installer/binary-amd64)
    String[] parts = d.split("/");
    String comp = parts[0];
    String last = parts[parts.length - 1];
    if (parts.length != 2 || !last.startsWith("binary-")) {
      return false;
    }
    String arch = last.substring("binary-".length()).toLowerCase(Locale.ROOT);
    return comps.contains(comp) && archs.contains(arch);
  }
}
