package dev.vdisk.compliance.internal;

import dev.vdisk.core.TrustException;
import dev.vdisk.trust.internal.Hashes;
import dev.vdisk.trust.internal.RemoteRepository;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets the package file of a {@link Catalog.Candidate}: from a local archive the file itself,
 * from an http(s) archive a download into the SHA-256 cache ({@link
 * RemoteRepository#fetchVerified}: resumable, bounded, verified). Either way the file returned
 * has exactly the size and SHA-256 the verified index lists, or a {@link TrustException} says
 * why not.
 */
public final class PackageFetcher {
  private static final Logger LOG = LoggerFactory.getLogger(PackageFetcher.class);

  private final Path cache;
  private final int attempts;

  /**
   * A fetcher.
   *
   * @param cache the download cache ({@code by-sha256/} and {@code partial/} below it)
   * @param attempts how many requests a download that breaks off gets (at least 1)
   */
  public PackageFetcher(Path cache, int attempts) {
    this.cache = cache;
    this.attempts = attempts;
  }

  /**
   * The archive root a repository spec names: its first word (a directory, or an {@code
   * http(s)://} or {@code file:} URL); the suite, components and options after it are not
   * needed to find a file by its {@code Filename}.
   *
   * @param repository the spec ({@link Catalog.Candidate#repository()})
   * @return the root: a {@link Path} or, for http(s), a {@link URI}
   * @throws IOException if the spec is empty or a URL is malformed
   */
  static Object root(String repository) throws IOException {
    String first = repository.strip().split("\\s+", 2)[0];
    if (first.isEmpty()) {
      throw new IOException("empty repository");
    }
    String lower = first.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      try {
        return new URI(first);
      } catch (URISyntaxException e) {
        throw new IOException("not a URL: " + first, e);
      }
    }
    if (lower.startsWith("file:")) {
      try {
        return Path.of(new URI(first));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new IOException("not a file URL: " + first, e);
      }
    }
    return Path.of(first);
  }

  /**
   * Checks that an index's {@code Filename} is a plain relative path inside the archive.
   *
   * @param filename the value
   * @throws TrustException if it is absolute, climbs out ({@code ..}) or holds odd characters
   */
  static void checkFilename(String filename) throws TrustException {
    if (filename.isEmpty() || filename.startsWith("/") || filename.contains("\\")
        || filename.length() > 4096 || filename.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new TrustException(null, "the index names a package file outside the archive: '"
          + filename + "'");
    }
    for (String part : filename.split("/")) {
      if (part.equals("..") || part.equals(".") || part.isEmpty()) {
        throw new TrustException(null, "the index names a package file outside the archive: '"
            + filename + "'");
      }
    }
  }

  /**
   * Fetches one package.
   *
   * @param c the candidate
   * @return the file, with the candidate's size and SHA-256
   * @throws TrustException if the file differs from what the index says
   * @throws NoSuchFileException if the archive has no such file
   * @throws IOException on I/O or network errors
   */
  public Path fetch(Catalog.Candidate c) throws IOException {
    checkFilename(c.filename());
    Object root = root(c.repository());
    if (root instanceof URI uri) {
      RemoteRepository remote = new RemoteRepository(uri, cache, attempts);
      Path p = remote.fetchVerified(c.filename(), c.sha256(), c.size())
          .orElseThrow(() -> new NoSuchFileException(remote.resolve(c.filename())
              .toString(), null, "the server has no such file (HTTP 404)"));
      LOG.debug("{} {}: {}", c.name(), c.version(), p);
      return p;
    }
    Path dir = ((Path) root).toAbsolutePath().normalize();
    Path f = dir.resolve(c.filename()).normalize();
    if (!f.startsWith(dir)) {
      throw new TrustException(f, "outside the archive " + dir);
    }
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(f.toString(), null, "the index lists it, the archive has"
          + " no such file");
    }
    Hashes h = Hashes.of(f);
    if (h.size() != c.size() || !h.sha256().equals(c.sha256())) {
      throw new TrustException(f, h.size() + " bytes with SHA256 " + h.sha256()
          + ", the index says " + c.size() + " bytes with SHA256 " + c.sha256());
    }
    return f;
  }
}
