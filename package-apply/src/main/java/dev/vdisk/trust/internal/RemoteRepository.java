package dev.vdisk.trust.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files of an apt archive served over http(s), downloaded with {@code java.net.http}. Files
 * whose SHA-256 is known beforehand (indexes a verified Release lists) are cached under {@code
 * CACHE/by-sha256/HEX} and checked again on every use; others (InRelease, Release, Release.gpg)
 * are downloaded afresh into {@code CACHE/tmp}.
 */
public final class RemoteRepository {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteRepository.class);

  /** The largest file downloaded. */
  public static final long MAX_DOWNLOAD = 512L << 20;

  private final URI base;
  private final Path cache;
  private final HttpClient client;

  /**
   * A remote archive.
   *
   * @param base the archive root (ends with {@code /} or not)
   * @param cache the cache directory
   */
  public RemoteRepository(URI base, Path cache) {
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    this.cache = cache;
    this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
  }

  /**
   * The cache directory: {@code $VDISK_CACHE}, else {@code ~/.cache/vdisk}.
   *
   * @return the directory
   */
  public static Path defaultCache() {
    String env = System.getenv("VDISK_CACHE");
    if (env != null && !env.isEmpty()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "vdisk");
  }

  /**
   * The archive root.
   *
   * @return the URI
   */
  public URI base() {
    return base;
  }

  /**
   * Downloads a file whose hash is not known yet into a temporary file (the caller deletes it).
   *
   * @param relative the path below the root
   * @return the file, or empty when the server has none (404/410)
   * @throws IOException on a network error or another status
   */
  public Optional<Path> fetch(String relative) throws IOException {
    Path tmpDir = Files.createDirectories(cache.resolve("tmp"));
    Path tmp = Files.createTempFile(tmpDir, "fetch", ".part");
    try {
      if (!download(relative, tmp, null)) {
        Files.deleteIfExists(tmp);
        return Optional.empty();
      }
      return Optional.of(tmp);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /**
   * A file with a known SHA-256 and size: from the cache when present and intact, else
   * downloaded, checked and cached.
   *
   * @param relative the path below the root
   * @param sha256 the expected hash (lower-case hex)
   * @param size the expected size
   * @return the cached file, or empty when the server has none
   * @throws IOException on a network error, or when the download's hash or size differ
   */
  public Optional<Path> fetchVerified(String relative, String sha256, long size)
      throws IOException {
    Path dir = Files.createDirectories(cache.resolve("by-sha256"));
    Path target = dir.resolve(sha256);
    if (Files.isRegularFile(target)) {
      Hashes h = Hashes.of(target);
      if (h.sha256().equals(sha256) && h.size() == size) {
        LOG.debug("cache hit {} for {}", sha256, relative);
        return Optional.of(target);
      }
      LOG.warn("cached {} is damaged; downloading it again", target);
      Files.delete(target);
    }
    Path tmp = Files.createTempFile(dir, "fetch", ".part");
    try {
      if (!download(relative, tmp, size)) {
        Files.deleteIfExists(tmp);
        return Optional.empty();
      }
      Hashes h = Hashes.of(tmp);
      if (!h.sha256().equals(sha256) || h.size() != size) {
        throw new IOException(base.resolve(relative) + ": downloaded " + h.size()
            + " bytes with SHA256 " + h.sha256() + ", the Release says " + size + " bytes with "
            + sha256);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return Optional.of(target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private boolean download(String relative, Path dest, Long expectedSize) throws IOException {
    URI uri = base.resolve(relative);
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
        .header("User-Agent", "vdisk").GET().build();
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted fetching " + uri, e);
    }
    try (InputStream in = resp.body()) {
      if (resp.statusCode() == 404 || resp.statusCode() == 410) {
        return false;
      }
      if (resp.statusCode() / 100 != 2) {
        throw new IOException(uri + ": HTTP status " + resp.statusCode());
      }
      long limit = expectedSize != null ? expectedSize : MAX_DOWNLOAD;
      MessageDigest unused = Hashes.newDigest();
      try (OutputStream out = Files.newOutputStream(dest)) {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          if (total > limit) {
            throw new IOException(uri + ": larger than " + limit + " bytes");
          }
          out.write(buf, 0, n);
          unused.update(buf, 0, n);
        }
      }
      LOG.debug("fetched {} ({})", uri, HexFormat.of().formatHex(unused.digest()));
      return true;
    }
  }
}
