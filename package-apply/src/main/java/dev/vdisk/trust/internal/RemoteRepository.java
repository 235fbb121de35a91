package dev.vdisk.trust.internal;

import dev.vdisk.core.TrustException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files of an apt archive served over http(s), downloaded with {@code java.net.http}. Files
 * whose SHA-256 is known beforehand (indexes a verified Release lists) are cached under {@code
 * CACHE/by-sha256/HEX} and checked again on every use; their downloads are resumable (see {@link
 * #fetchVerified}; partial files in {@code CACHE/partial}, where the empty {@code HEX.lock} files
 * that serialize downloads of one file stay). Others (InRelease, Release, Release.gpg) are
 * downloaded afresh into {@code CACHE/tmp}. File names are percent-encoded into URLs ({@link
 * #resolve}); a response body that stalls for the idle time is abandoned.
 */
public final class RemoteRepository {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteRepository.class);

  /** The largest file downloaded. */
  public static final long MAX_DOWNLOAD = 512L << 20;

  private final URI base;
  private final Path cache;
  private final HttpClient client;
  private final int attempts;
  private final Duration idle;

  /** How long a response body may stall by default. */
  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
  /** One client for every repository: it is thread-safe and keeps its connections. */
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30))
      .build();
  /** Closes response bodies that stall (a blocked read then fails). */
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vdisk-download-watchdog");
        t.setDaemon(true);
        return t;
      });

  /** Downloads in progress in this process, by target file: one at a time per file. */
  private static final ConcurrentHashMap<String, Object> LOCKS = new ConcurrentHashMap<>();
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");

  /**
   * A remote archive.
   *
   * @param base the archive root (ends with {@code /} or not)
   * @param cache the cache directory
   */
  public RemoteRepository(URI base, Path cache) {
    this(base, cache, 3);
  }

  /**
   * A remote archive with a given number of attempts for a download that breaks off.
   *
   * @param base the archive root (ends with {@code /} or not)
   * @param cache the cache directory
   * @param attempts how many requests one {@link #fetchVerified} makes at most when transfers
   *     break off (each resumes the last; at least 1)
   */
  public RemoteRepository(URI base, Path cache, int attempts) {
    this(base, cache, attempts, DEFAULT_IDLE);
  }

  /**
   * A remote archive with given attempts and idle time.
   *
   * @param base the archive root (ends with {@code /} or not)
   * @param cache the cache directory
   * @param attempts how many requests one {@link #fetchVerified} makes at most when transfers
   *     break off (each resumes the last; at least 1)
   * @param idle how long a response body may send nothing before the transfer is abandoned (and
   *     resumed by the next attempt)
   */
  public RemoteRepository(URI base, Path cache, int attempts, Duration idle) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
    if (idle.isNegative() || idle.isZero()) {
      throw new IllegalArgumentException("idle time must be positive");
    }
    this.attempts = attempts;
    this.idle = idle;
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s : s + "/");
    this.cache = cache;
    this.client = CLIENT;
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
   * The URL of a file below the root. The path is a file name as an index gives it, not a URL:
   * every byte outside the characters a URL path may hold literally is percent-encoded, {@code
   * %} too, so Debian's {@code login_1%3a4.13_amd64.deb} is asked for as {@code
   * login_1%253a4.13_amd64.deb} (as apt asks for it) and the server finds the file of that name.
   *
   * @param relative the path below the root, {@code /}-separated
   * @return the URL
   */
  public URI resolve(String relative) {
    return base.resolve(encodePath(relative));
  }

  /**
   * Percent-encodes a path's bytes (UTF-8) except unreserved characters, sub-delims and '/'; a
   * leading '/' is encoded too, so the result is always a relative reference below the root
   * (never an absolute path, nor a network path {@code //host/...} naming another server).
   */
  static String encodePath(String path) {
    StringBuilder sb = new StringBuilder(path.length() + 16);
    boolean leading = true;
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      leading = leading && c == '/';
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "-._~!$&'()*+,;=@".indexOf(c) >= 0 || c == '/' && !leading) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
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
   * downloaded, checked and cached. The download is resumable: its bytes go to {@code
   * CACHE/partial/HEX.partial} (the server's {@code ETag} or {@code Last-Modified} beside it in
   * {@code HEX.meta}); when a transfer breaks off (here, or in an earlier run), the next request
   * asks only for the rest ({@code Range: bytes=N-} with {@code If-Range}), and a server that
   * answers with the whole file instead ({@code 200}, it ignores ranges or the file changed)
   * starts it over. A broken transfer is retried here up to the constructor's {@code attempts}.
   * Only a file of exactly the expected size and hash enters {@code CACHE/by-sha256/HEX}; one
   * that does not match is deleted (a resumed one is fetched once more from the start first).
   * Downloads of the same file by threads of this process, or by other processes sharing the
   * cache, wait for each other (a lock file beside the partial file).
   *
   * @param relative the path below the root
   * @param sha256 the expected hash (lower-case hex)
   * @param size the expected size
   * @return the cached file, or empty when the server has none
   * @throws dev.vdisk.core.TrustException when the download's hash or size differ from the
   *     expected ones (nothing is cached)
   * @throws IOException on a network error or an unexpected HTTP status (after the retries; a
   *     partial file stays for the next call to resume)
   */
  public Optional<Path> fetchVerified(String relative, String sha256, long size)
      throws IOException {
    URI uri = resolve(relative);
    if (!SHA256.matcher(sha256).matches()) {
      throw new TrustException(null, uri + ": not a SHA-256 value: " + sha256);
    }
    if (size < 0 || size > MAX_DOWNLOAD) {
      throw new TrustException(null, uri + ": size " + size + " is outside 0.." + MAX_DOWNLOAD);
    }
    Path dir = Files.createDirectories(cache.resolve("by-sha256"));
    Path target = dir.resolve(sha256);
    Optional<Path> hit = cached(target, sha256, size, relative);
    if (hit.isPresent()) {
      return hit;
    }
    Path partDir = Files.createDirectories(cache.resolve("partial"));
    Object local = LOCKS.computeIfAbsent(target.toAbsolutePath().normalize().toString(),
        k -> new Object());
    synchronized (local) {
      try (FileChannel lockFile = FileChannel.open(partDir.resolve(sha256 + ".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        hit = cached(target, sha256, size, relative);
        if (hit.isPresent()) {
          return hit;
        }
        Path partial = partDir.resolve(sha256 + ".partial");
        Path meta = partDir.resolve(sha256 + ".meta");
        boolean restarted = false;
        while (true) {
          Transfer t = downloadWithRetries(uri, partial, meta, size);
          if (t == Transfer.NOT_FOUND) {
            return Optional.empty();
          }
          Hashes h = Hashes.of(partial);
          if (h.sha256().equals(sha256) && h.size() == size) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(meta);
            return Optional.of(target);
          }
          discard(partial, meta);
          if (t == Transfer.RESUMED && !restarted) {
            // the part fetched earlier may belong to another version of the file
            LOG.warn("{}: resumed download does not match its SHA-256; fetching it whole", uri);
            restarted = true;
            continue;
          }
          throw new TrustException(null, uri + ": downloaded " + h.size()
              + " bytes with SHA256 " + h.sha256() + ", the index says " + size
              + " bytes with SHA256 " + sha256);
        }
      }
    }
  }

  private Optional<Path> cached(Path target, String sha256, long size, String relative)
      throws IOException {
    if (Files.isRegularFile(target)) {
      Hashes h = Hashes.of(target);
      if (h.sha256().equals(sha256) && h.size() == size) {
        LOG.debug("cache hit {} for {}", sha256, relative);
        return Optional.of(target);
      }
      LOG.warn("cached {} is damaged; downloading it again", target);
      Files.deleteIfExists(target);
    }
    return Optional.empty();
  }

  private static void discard(Path partial, Path meta) throws IOException {
    Files.deleteIfExists(partial);
    Files.deleteIfExists(meta);
  }

  /** How a resumable transfer ended. */
  private enum Transfer {
    /** The whole file was fetched in this call, or the partial file was already complete. */
    WHOLE,
    /** The partial file kept from before was completed with a range request. */
    RESUMED,
    /** The server has no such file. */
    NOT_FOUND
  }

  private Transfer downloadWithRetries(URI uri, Path partial, Path meta, long size)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return downloadResumable(uri, partial, meta, size);
      } catch (TrustException e) {
        discard(partial, meta);
        throw e;
      } catch (IOException e) {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (attempt >= attempts) {
          LOG.debug("{}: giving up after {} attempts; {} bytes kept in {} for the next call",
              uri, attempt, have, partial);
          throw e;
        }
        LOG.info("{}: transfer broke off at {} bytes ({}); resuming (attempt {} of {})", uri,
            have, e.toString(), attempt + 1, attempts);
      }
    }
  }

  /** One request: the rest of the partial file, or all of it. */
  private Transfer downloadResumable(URI uri, Path partial, Path meta, long size)
      throws IOException {
    long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
    if (have > size) {
      LOG.debug("{}: partial file is longer than the file; starting over", uri);
      discard(partial, meta);
      have = 0;
    }
    Validator validator = have > 0 ? Validator.read(meta) : null;
    if (have > 0 && validator == null) {
      // without a validator the part cannot be tied to a version of the file
      LOG.debug("{}: partial file without validator; starting over", uri);
      discard(partial, meta);
      have = 0;
    }
    if (have == size && have > 0) {
      return Transfer.RESUMED;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
        .header("User-Agent", "vdisk").GET();
    if (have > 0) {
      b.header("Range", "bytes=" + have + "-");
      b.header("If-Range", validator.ifRange());
    }
    HttpResponse<InputStream> resp = send(b.build(), uri);
    try (InputStream in = resp.body()) {
      int status = resp.statusCode();
      if (status == 404 || status == 410) {
        discard(partial, meta);
        return Transfer.NOT_FOUND;
      }
      if (status == 416 && have > 0) {
        LOG.info("{}: server refused the range from {}; starting over", uri, have);
        discard(partial, meta);
        return downloadResumable(uri, partial, meta, size);
      }
      boolean append;
      if (status == 206 && have > 0) {
        long[] range = contentRange(resp, uri);
        if (range == null || range[0] != have || (range[2] >= 0 && range[2] != size)) {
          LOG.info("{}: server sent range {} for bytes={}-; starting over", uri,
              resp.headers().firstValue("Content-Range").orElse("(none)"), have);
          discard(partial, meta);
          in.close();
          return downloadResumable(uri, partial, meta, size);
        }
        append = true;
        LOG.info("{}: resuming at byte {} of {}", uri, have, size);
      } else if (status == 200) {
        if (have > 0) {
          LOG.info("{}: server sent the whole file instead of bytes {}-; starting over", uri,
              have);
        }
        append = false;
        have = 0;
        Validator.of(resp).write(meta);
      } else {
        throw new IOException(uri + ": HTTP status " + status);
      }
      OptionalLong length = resp.headers().firstValueAsLong("Content-Length");
      if (length.isPresent() && have + length.getAsLong() > size) {
        throw new TrustException(null, uri + ": the server sends " + (have
            + length.getAsLong()) + " bytes, the index says " + size);
      }
      long total = have;
      try (OutputStream out = append
          ? Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
          : Files.newOutputStream(partial, StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        total += copy(in, out, size - have, uri, () -> new TrustException(null, uri
            + ": larger than the " + size + " bytes the index says"));
      }
      LOG.debug("fetched {} ({} bytes{})", uri, total, append ? ", resumed" : "");
      return append ? Transfer.RESUMED : Transfer.WHOLE;
    }
  }

  /** The response's {@code Content-Range}, parsed ({@link #parseContentRange}), or null. */
  private static long[] contentRange(HttpResponse<?> resp, URI uri) {
    Optional<String> v = resp.headers().firstValue("Content-Range");
    if (v.isEmpty()) {
      return null;
    }
    long[] r = parseContentRange(v.get());
    if (r == null) {
      LOG.debug("{}: unusable Content-Range {}", uri, v.get());
    }
    return r;
  }

  /**
   * Parses a {@code Content-Range} value of a {@code 206} response, {@code bytes START-END/TOTAL}
   * (TOTAL may be {@code *}).
   *
   * @param value the header value
   * @return {start, end, total or -1}, or null when it is not of that form or inconsistent (end
   *     before start, end at or past total)
   */
  static long[] parseContentRange(String value) {
    if (value.length() > 100) {
      return null;
    }
    Matcher m = CONTENT_RANGE.matcher(value.strip());
    if (!m.matches()) {
      return null;
    }
    long start = Long.parseLong(m.group(1));
    long end = Long.parseLong(m.group(2));
    long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
    if (end < start || (total >= 0 && end >= total)) {
      return null;
    }
    return new long[] {start, end, total};
  }

  private HttpResponse<InputStream> send(HttpRequest req, URI uri) throws IOException {
    try {
      return client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted fetching " + uri);
    }
  }

  /**
   * What ties a partial file to one version of the remote file: a strong {@code ETag}, else
   * {@code Last-Modified}.
   */
  private record Validator(String etag, String lastModified) {
    static Validator of(HttpResponse<?> resp) {
      String etag = resp.headers().firstValue("ETag").orElse(null);
      if (etag != null && (etag.startsWith("W/") || etag.length() > 1024
          || etag.indexOf('\n') >= 0)) {
        etag = null; // If-Range takes only a strong validator
      }
      String lm = resp.headers().firstValue("Last-Modified").orElse(null);
      if (lm != null && (lm.length() > 200 || lm.indexOf('\n') >= 0)) {
        lm = null;
      }
      return new Validator(etag, lm);
    }

    String ifRange() {
      return etag != null ? etag : lastModified;
    }

    void write(Path meta) throws IOException {
      if (etag == null && lastModified == null) {
        Files.deleteIfExists(meta);
        return;
      }
      Files.writeString(meta, (etag != null ? "ETag: " + etag + "\n" : "")
          + (lastModified != null ? "Last-Modified: " + lastModified + "\n" : ""),
          StandardCharsets.UTF_8);
    }

    static Validator read(Path meta) throws IOException {
      if (!Files.isRegularFile(meta) || Files.size(meta) > 4096) {
        return null;
      }
      String etag = null;
      String lm = null;
      for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
        if (line.startsWith("ETag: ")) {
          etag = line.substring(6);
        } else if (line.startsWith("Last-Modified: ")) {
          lm = line.substring(15);
        }
      }
      return etag == null && lm == null ? null : new Validator(etag, lm);
    }
  }

  private boolean download(String relative, Path dest, Long expectedSize) throws IOException {
    URI uri = resolve(relative);
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
      long total;
      try (OutputStream out = Files.newOutputStream(dest)) {
        total = copy(in, out, limit, uri,
            () -> new IOException(uri + ": larger than " + limit + " bytes"));
      }
      LOG.debug("fetched {} ({} bytes)", uri, total);
      return true;
    }
  }

  /** Makes the exception for a body longer than allowed. */
  private interface TooLong {
    IOException get();
  }

  /**
   * Copies a response body, at most {@code limit} bytes; a body that sends nothing for the idle
   * time is closed by the watchdog, which makes the blocked read fail.
   *
   * @return the bytes copied
   */
  private long copy(InputStream in, OutputStream out, long limit, URI uri, TooLong tooLong)
      throws IOException {
    AtomicLong last = new AtomicLong(System.nanoTime());
    AtomicBoolean stalled = new AtomicBoolean();
    long idleNanos = idle.toNanos();
    long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
    ScheduledFuture<?> dog = WATCHDOG.scheduleAtFixedRate(() -> {
      if (System.nanoTime() - last.get() > idleNanos && stalled.compareAndSet(false, true)) {
        try {
          in.close();
        } catch (IOException | RuntimeException e) {
          LOG.debug("closing a stalled transfer", e);
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
    long total = 0;
    try {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        last.set(System.nanoTime());
        total += n;
        if (total > limit) {
          throw tooLong.get();
        }
        out.write(buf, 0, n);
      }
      return total;
    } catch (IOException e) {
      if (stalled.get() && !(e instanceof TrustException)) {
        throw new IOException(uri + ": no data for " + idle.toSeconds() + " s after " + total
            + " bytes; transfer abandoned", e);
      }
      throw e;
    } finally {
      dog.cancel(false);
    }
  }
}
