package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories over http: the test repository (apt-ftparchive, gpg) served by a local HTTP
 * server; indexes are fetched, checked against the verified Release, cached by SHA-256 and
 * taken from the cache the second time; a tampered index on the server is refused.
 */
class RemoteRepositoryIT {
  @TempDir Path tmp;

  private static HttpServer serve(Path root, Map<String, AtomicInteger> hits) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String rel = ex.getRequestURI().getPath().replaceFirst("^/debian/", "");
      hits.computeIfAbsent(rel, k -> new AtomicInteger()).incrementAndGet();
      Path f = root.resolve(rel).normalize();
      if (!f.startsWith(root) || !Files.isRegularFile(f)) {
        ex.sendResponseHeaders(404, -1);
        ex.close();
        return;
      }
      byte[] body = Files.readAllBytes(f);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    return server;
  }

  @Test
  void packagesAreTrustedThroughAnHttpRepositoryAndItsCache() throws IOException {
    Path repo = TrustFixtures.copy(TrustFixtures.repo(), tmp.resolve("served"));
    Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    HttpServer server = serve(repo, hits);
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/debian";
      Path cache = tmp.resolve("cache");
      Verifier v = new Verifier(TrustFixtures.store(TrustFixtures.key("good")),
          VerifyOptions.defaults(), cache);
      List<String> repos = List.of(url + " bookworm-vdisk main");
      for (Verification d : v.verifyPackages(TrustFixtures.debs(), repos)) {
        assertTrue(d.trusted(), d.reasons().toString());
        assertEquals("Packages", d.via());
      }
      String xz = "dists/bookworm-vdisk/main/binary-amd64/Packages.xz";
      assertEquals(1, hits.get(xz).get());
      // the cache holds each index under its SHA-256, as sha256sum computes it
      try (Stream<Path> s = Files.list(cache.resolve("by-sha256"))) {
        for (Path p : s.toList()) {
          String sum = dev.vdisk.testdata.Oracles.runOk("sha256sum", p.toString())
              .split(" ")[0];
          assertEquals(p.getFileName().toString(), sum);
        }
      }
      // second run: InRelease again, the index from the cache
      assertTrue(v.verifyPackages(TrustFixtures.debs(), repos).get(0).trusted());
      assertEquals(1, hits.get(xz).get());
      assertEquals(2, hits.get("dists/bookworm-vdisk/InRelease").get());

      // a tampered index on the server (and none cached for its new hash): refused
      Path amd64 = repo.resolve("dists/bookworm-vdisk/main/binary-amd64");
      Files.writeString(amd64.resolve("Packages"), Files.readString(amd64.resolve("Packages"))
          .replace("Version: 2.1-3", "Version: 2.1-9"));
      Files.delete(amd64.resolve("Packages.xz"));
      Files.delete(amd64.resolve("Packages.gz"));
      dev.vdisk.testdata.Oracles.runOk("xz", "-k", amd64.resolve("Packages").toString());
      Verifier fresh = new Verifier(TrustFixtures.store(TrustFixtures.key("good")),
          VerifyOptions.defaults(), tmp.resolve("cache2"));
      Path tool = TrustFixtures.debs().stream()
          .filter(p -> p.getFileName().toString().startsWith("vdisk-tool")).findFirst()
          .orElseThrow();
      Verification r = fresh.verifyPackages(List.of(tool), repos).get(0);
      assertFalse(r.trusted());
      assertTrue(String.join(" ", r.reasons()).contains("SHA256"), r.reasons().toString());
      // a repository URL without a suite is a usage problem reported as the reason
      Verification nosuite = fresh.verifyPackages(List.of(tool), List.of(url)).get(0);
      assertFalse(nosuite.trusted());
      assertTrue(String.join(" ", nosuite.reasons()).contains("needs a suite"));
    } finally {
      server.stop(0);
    }
  }
}
