package dev.vdisk.trust.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vdisk.core.TrustException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumable downloads of {@link RemoteRepository#fetchVerified} against a local HTTP server
 * (com.sun.net.httpserver) whose behaviour each test sets: it cuts responses midway, honours or
 * ignores {@code Range}, checks {@code If-Range}, or serves tampered bytes. The expected hash is
 * computed by the JDK's own SHA-256 over the bytes the server holds; the server records every
 * request's {@code Range} header and the bytes it actually sent.
 */
class ResumableDownloadTest {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  @TempDir Path tmp;
  private HttpServer server;
  private final java.util.concurrent.CountDownLatch release =
      new java.util.concurrent.CountDownLatch(1);

  /** One request as the server saw it. */
  record Seen(String range, String ifRange, int status, long sent) {}

  /** A small scriptable server for one file. */
  final class Server {
    volatile byte[] body;
    volatile String etag = "\"v1\"";
    /** Cut the response after this many bytes, for this many requests (then serve fully). */
    volatile long cutAt = -1;
    final AtomicInteger cutsLeft = new AtomicInteger();
    volatile boolean honourRange = true;
    /** Stop sending (without closing) after this many bytes, for this many requests. */
    volatile long stallAt = -1;
    final AtomicInteger stallsLeft = new AtomicInteger();
    /** Bytes served from this offset on are flipped (a tampered body); -1 for none. */
    volatile long tamperFrom = -1;
    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    final String url;

    Server(byte[] body) throws IOException {
      this.body = body;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", this::handle);
      server.setExecutor(Executors.newCachedThreadPool());
      server.start();
      url = "http://127.0.0.1:" + server.getAddress().getPort() + "/debian/";
    }

    private void handle(HttpExchange ex) throws IOException {
      String path = ex.getRequestURI().getPath();
      String range = ex.getRequestHeaders().getFirst("Range");
      String ifRange = ex.getRequestHeaders().getFirst("If-Range");
      if (!path.equals("/debian/" + REL) && !path.equals("/debian/" + ODD)) {
        seen.add(new Seen(range, ifRange, 404, 0));
        ex.sendResponseHeaders(404, -1);
        ex.close();
        return;
      }
      byte[] b = body;
      long from = 0;
      int status = 200;
      if (range != null && honourRange && (ifRange == null || ifRange.equals(etag))) {
        Matcher m = RANGE.matcher(range);
        if (m.matches()) {
          from = Long.parseLong(m.group(1));
          if (from >= b.length) {
            ex.getResponseHeaders().add("Content-Range", "bytes */" + b.length);
            seen.add(new Seen(range, ifRange, 416, 0));
            ex.sendResponseHeaders(416, -1);
            ex.close();
            return;
          }
          status = 206;
          ex.getResponseHeaders().add("Content-Range",
              "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        }
      }
      ex.getResponseHeaders().add("ETag", etag);
      ex.getResponseHeaders().add("Accept-Ranges", honourRange ? "bytes" : "none");
      long length = b.length - from;
      ex.sendResponseHeaders(status, length);
      long limit = length;
      if (cutAt >= 0 && cutsLeft.getAndDecrement() > 0) {
        limit = Math.min(length, cutAt);
      }
      OutputStream out = ex.getResponseBody();
      long sent = 0;
      if (stallAt >= 0 && stallsLeft.getAndDecrement() > 0) {
        int n = (int) Math.min(length, stallAt);
        out.write(b, (int) from, n);
        out.flush();
        seen.add(new Seen(range, ifRange, status, n));
        try {
          release.await(60, java.util.concurrent.TimeUnit.SECONDS); // until the test ends
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.close();
        return;
      }
      try {
        int chunk = 4096;
        for (long off = from; off < from + limit; off += chunk) {
          int n = (int) Math.min(chunk, from + limit - off);
          byte[] piece = new byte[n];
          System.arraycopy(b, (int) off, piece, 0, n);
          if (tamperFrom >= 0) {
            for (int i = 0; i < n; i++) {
              if (off + i >= tamperFrom) {
                piece[i] ^= 0x5a;
              }
            }
          }
          out.write(piece);
          sent += n;
        }
        out.flush();
      } finally {
        seen.add(new Seen(range, ifRange, status, sent));
        // a fixed-length response closed early: the server drops the connection
        ex.close();
      }
    }
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  /**
   * The start of a request's {@code Range: bytes=N-}, checked to lie in (0, cut]: the client
   * resumes where its own count of received bytes ends, which is at most what the server wrote
   * before dropping the connection (bytes in flight may be lost).
   */
  private static long resumedAt(Seen seen, long cut) {
    assertNotNull(seen.range(), seen.toString());
    Matcher m = RANGE.matcher(seen.range());
    assertTrue(m.matches(), seen.range());
    long at = Long.parseLong(m.group(1));
    assertTrue(at > 0 && at <= cut, seen + " after a cut at " + cut);
    return at;
  }

  private static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static final String REL = "pool/main/p/pkg_1.0_amd64.deb";
  /** A name as Debian writes an epoch into file names, with characters a URL must encode. */
  private static final String ODD = "pool/main/l/login_1%3a4.13+dfsg1 ü[1]_amd64.deb";

  private List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void aResponseCutMidwayIsResumedWithRangeAndVerified() throws Exception {
    byte[] body = random(1, 300_000);
    Server s = new Server(body);
    s.cutAt = 120_000;
    s.cutsLeft.set(1);
    Path cache = tmp.resolve("cache");
    RemoteRepository repo = new RemoteRepository(URI.create(s.url), cache, 3);
    Optional<Path> got = repo.fetchVerified(REL, sha256(body), body.length);
    assertTrue(got.isPresent());
    assertArrayEquals(body, Files.readAllBytes(got.get()));
    assertEquals(cache.resolve("by-sha256").resolve(sha256(body)), got.get());
    assertEquals(2, s.seen.size(), s.seen.toString());
    Seen first = s.seen.get(0);
    Seen second = s.seen.get(1);
    assertNull(first.range());
    assertEquals(120_000, first.sent());
    long at = resumedAt(second, 120_000);
    assertEquals("\"v1\"", second.ifRange());
    assertEquals(206, second.status());
    assertEquals(body.length - at, second.sent(), "only the rest was served");
    assertFalse(Files.exists(cache.resolve("partial").resolve(sha256(body) + ".partial")));
    assertFalse(Files.exists(cache.resolve("partial").resolve(sha256(body) + ".meta")));
  }

  @Test
  void aPartialFileOutlivesTheCallAndTheNextCallResumesIt() throws Exception {
    byte[] body = random(2, 200_000);
    Server s = new Server(body);
    s.cutAt = 50_000;
    s.cutsLeft.set(1);
    Path cache = tmp.resolve("cache");
    String sum = sha256(body);
    assertThrows(IOException.class,
        () -> new RemoteRepository(URI.create(s.url), cache, 1).fetchVerified(REL, sum,
            body.length));
    Path partial = cache.resolve("partial").resolve(sum + ".partial");
    long kept = Files.size(partial);
    assertTrue(kept > 0 && kept <= 50_000, "kept " + kept);
    assertEquals(List.of(), files(cache.resolve("by-sha256")), "nothing unverified is cached");
    // a new repository object, as a new run would make
    Path got = new RemoteRepository(URI.create(s.url), cache, 1)
        .fetchVerified(REL, sum, body.length).orElseThrow();
    assertArrayEquals(body, Files.readAllBytes(got));
    assertEquals(kept, resumedAt(s.seen.get(1), 50_000));
    assertEquals(body.length - kept, s.seen.get(1).sent());
    assertFalse(Files.exists(partial));
    // a third call is a cache hit: no request
    new RemoteRepository(URI.create(s.url), cache, 1).fetchVerified(REL, sum, body.length)
        .orElseThrow();
    assertEquals(2, s.seen.size());
  }

  @Test
  void aStalledTransferIsAbandonedAfterTheIdleTimeAndResumed() throws Exception {
    byte[] body = random(12, 100_000);
    Server s = new Server(body);
    s.stallAt = 40_000;
    s.stallsLeft.set(1);
    Path cache = tmp.resolve("cache");
    java.time.Duration idle = java.time.Duration.ofMillis(400);
    // the server keeps the connection open and sends nothing: the watchdog gives up
    IOException e = assertThrows(IOException.class, () -> new RemoteRepository(URI.create(s.url),
        cache, 1, idle).fetchVerified(REL, sha256(body), body.length));
    assertTrue(e.getMessage().contains("no data for"), e.getMessage());
    Path got = new RemoteRepository(URI.create(s.url), cache, 1, idle)
        .fetchVerified(REL, sha256(body), body.length).orElseThrow();
    assertArrayEquals(body, Files.readAllBytes(got));
    assertEquals(2, s.seen.size(), s.seen.toString());
    long at = resumedAt(s.seen.get(1), 40_000);
    assertEquals(body.length - at, s.seen.get(1).sent());
  }

  @Test
  void aServerIgnoringRangeRestartsTheDownloadWhichIsStillVerified() throws Exception {
    byte[] body = random(3, 150_000);
    Server s = new Server(body);
    s.honourRange = false;
    s.cutAt = 70_000;
    s.cutsLeft.set(1);
    Path cache = tmp.resolve("cache");
    Path got = new RemoteRepository(URI.create(s.url), cache, 3)
        .fetchVerified(REL, sha256(body), body.length).orElseThrow();
    assertArrayEquals(body, Files.readAllBytes(got));
    assertEquals(2, s.seen.size());
    resumedAt(s.seen.get(1), 70_000);
    assertEquals(200, s.seen.get(1).status());
    assertEquals(body.length, s.seen.get(1).sent(), "the whole file came again");
  }

  @Test
  void aChangedFileOnTheServerFailsIfRangeAndIsFetchedWhole() throws Exception {
    byte[] old = random(4, 100_000);
    byte[] now = random(5, 100_000);
    Server s = new Server(old);
    s.cutAt = 30_000;
    s.cutsLeft.set(1);
    Path cache = tmp.resolve("cache");
    String sum = sha256(now);
    // the first transfer breaks off with part of the old file
    assertThrows(IOException.class, () -> new RemoteRepository(URI.create(s.url), cache, 1)
        .fetchVerified(REL, sum, now.length));
    s.body = now;
    s.etag = "\"v2\"";
    Path got = new RemoteRepository(URI.create(s.url), cache, 1)
        .fetchVerified(REL, sum, now.length).orElseThrow();
    assertArrayEquals(now, Files.readAllBytes(got));
    assertEquals("\"v1\"", s.seen.get(1).ifRange());
    assertEquals(200, s.seen.get(1).status());
  }

  @Test
  void aTamperedBodyIsRefusedAndNothingIsCached() throws Exception {
    byte[] body = random(6, 80_000);
    Server s = new Server(body);
    s.tamperFrom = 40_000;
    Path cache = tmp.resolve("cache");
    TrustException e = assertThrows(TrustException.class,
        () -> new RemoteRepository(URI.create(s.url), cache, 3)
            .fetchVerified(REL, sha256(body), body.length));
    assertTrue(e.getMessage().contains("SHA256"), e.getMessage());
    assertEquals(List.of(), files(cache.resolve("by-sha256")));
    assertTrue(files(cache.resolve("partial")).stream()
        .noneMatch(p -> p.toString().endsWith(".partial")), "no partial file kept");
  }

  @Test
  void aTamperedRestAfterAResumeIsFetchedWholeOnceThenRefused() throws Exception {
    byte[] body = random(7, 90_000);
    Server s = new Server(body);
    s.cutAt = 20_000;
    s.cutsLeft.set(1);
    s.tamperFrom = 60_000;
    Path cache = tmp.resolve("cache");
    assertThrows(TrustException.class, () -> new RemoteRepository(URI.create(s.url), cache, 3)
        .fetchVerified(REL, sha256(body), body.length));
    // cut, resumed (tampered), then once more from the start (tampered): refused
    assertEquals(3, s.seen.size(), s.seen.toString());
    resumedAt(s.seen.get(1), 20_000);
    assertNull(s.seen.get(2).range());
    assertEquals(List.of(), files(cache.resolve("by-sha256")));
  }

  @Test
  void aLongerBodyThanTheIndexSaysIsRefused() throws Exception {
    byte[] body = random(8, 50_000);
    Server s = new Server(body);
    Path cache = tmp.resolve("cache");
    byte[] prefix = java.util.Arrays.copyOf(body, 40_000);
    TrustException e = assertThrows(TrustException.class,
        () -> new RemoteRepository(URI.create(s.url), cache, 3)
            .fetchVerified(REL, sha256(prefix), prefix.length));
    assertTrue(e.getMessage().contains("40000"), e.getMessage());
    assertEquals(List.of(), files(cache.resolve("by-sha256")));
  }

  @Test
  void fileNamesAreEncodedSoTheServerSeesThemLiterally() throws Exception {
    byte[] body = random(11, 1000);
    Server s = new Server(body);
    Path got = new RemoteRepository(URI.create(s.url), tmp.resolve("cache"), 1)
        .fetchVerified(ODD, sha256(body), body.length).orElseThrow();
    assertArrayEquals(body, Files.readAllBytes(got));
    assertEquals(1, s.seen.size());
    // the server's own decoding of the request path gave back the literal name
    assertEquals(200, s.seen.get(0).status());
  }

  @Test
  void aMissingFileIsEmptyAndBadHashesAreRefusedBeforeAnyRequest() throws Exception {
    Server s = new Server(random(9, 10));
    Path cache = tmp.resolve("cache");
    RemoteRepository repo = new RemoteRepository(URI.create(s.url), cache, 3);
    assertTrue(repo.fetchVerified("pool/none.deb", "0".repeat(64), 10).isEmpty());
    assertThrows(TrustException.class, () -> repo.fetchVerified(REL, "../../etc/passwd", 10));
    assertThrows(TrustException.class, () -> repo.fetchVerified(REL, "0".repeat(64), -1));
    assertThrows(TrustException.class, () -> repo.fetchVerified(REL, "0".repeat(64),
        RemoteRepository.MAX_DOWNLOAD + 1));
    assertEquals(1, s.seen.size());
  }

  @Test
  void concurrentFetchesOfOneFileDownloadItOnce() throws Exception {
    byte[] body = random(10, 400_000);
    Server s = new Server(body);
    Path cache = tmp.resolve("cache");
    String sum = sha256(body);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(pool.submit(() -> new RemoteRepository(URI.create(s.url), cache, 2)
            .fetchVerified(REL, sum, body.length).orElseThrow()));
      }
      for (Future<Path> f : fs) {
        assertArrayEquals(body, Files.readAllBytes(f.get()));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, s.seen.size(), s.seen.toString());
  }

  /** Random sizes and cut points; every result equals the served bytes. */
  @Test
  void randomCutsAlwaysEndInTheServedBytes() throws Exception {
    long seed = System.nanoTime();
    System.err.println("ResumableDownloadTest seed " + seed);
    Random r = new Random(seed);
    Server s = new Server(new byte[0]);
    Map<String, Integer> outcomes = new ConcurrentHashMap<>();
    for (int i = 0; i < 12; i++) {
      byte[] body = random(r.nextLong(), r.nextInt(200_000) + 1);
      s.body = body;
      s.etag = "\"e" + i + "\"";
      s.honourRange = r.nextInt(4) != 0;
      s.cutAt = r.nextInt(body.length);
      int cuts = r.nextInt(4);
      s.cutsLeft.set(cuts);
      s.seen.clear();
      Path cache = tmp.resolve("cache" + i);
      RemoteRepository repo = new RemoteRepository(URI.create(s.url), cache, 4);
      Path got = repo.fetchVerified(REL, sha256(body), body.length).orElse(null);
      assertNotNull(got, "seed " + seed + " case " + i);
      assertArrayEquals(body, Files.readAllBytes(got), "seed " + seed + " case " + i);
      long served = s.seen.stream().mapToLong(Seen::sent).sum();
      assertTrue(served >= body.length, "seed " + seed + " case " + i + " " + s.seen);
      if (s.honourRange) {
        // every request that asked for a range got one (bytes written just before a
        // connection drops may never reach the client, so the next range starts where the
        // client's own count ends, not the server's)
        assertTrue(s.seen.stream().allMatch(x -> x.range() == null || x.status() == 206),
            "seed " + seed + " case " + i + " " + s.seen);
      }
      outcomes.merge(s.honourRange ? "ranges" : "no ranges", 1, Integer::sum);
    }
    assertFalse(outcomes.isEmpty());
  }
}
