package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.core.TrustException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PackageFetcher} on local archives: the file a candidate names is returned only when its
 * size and SHA-256 (the JDK's digest of the bytes written) match the index; a file that differs,
 * a missing one, and names that leave the archive are refused; repository specs are reduced to
 * their archive root.
 */
class PackageFetcherTest {
  @TempDir Path tmp;

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private Catalog.Candidate candidate(String repo, String filename, byte[] body)
      throws Exception {
    return new Catalog.Candidate("pkg", "1.0", "amd64", repo, filename, body.length,
        sha256(body), null);
  }

  @Test
  void aLocalFileIsReturnedWhenItMatchesTheIndex() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo/pool/main"));
    byte[] body = "a package".getBytes();
    Files.write(repo.resolve("pkg_1.0_amd64.deb"), body);
    PackageFetcher f = new PackageFetcher(tmp.resolve("cache"), 1);
    String spec = tmp.resolve("repo") + " [arch=amd64,all] bookworm main";
    Path got = f.fetch(candidate(spec, "pool/main/pkg_1.0_amd64.deb", body));
    assertArrayEquals(body, Files.readAllBytes(got));
    // a file: URL names the same archive
    Path viaUrl = f.fetch(candidate(tmp.resolve("repo").toUri() + " bookworm main",
        "pool/main/pkg_1.0_amd64.deb", body));
    assertEquals(got.toRealPath(), viaUrl.toRealPath());
  }

  @Test
  void aDifferentOrMissingFileIsRefused() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo/pool"));
    Files.write(repo.resolve("p.deb"), "tampered".getBytes());
    PackageFetcher f = new PackageFetcher(tmp.resolve("cache"), 1);
    String spec = tmp.resolve("repo").toString();
    TrustException e = assertThrows(TrustException.class,
        () -> f.fetch(candidate(spec, "pool/p.deb", "original".getBytes())));
    assertTrue(e.getMessage().contains("SHA256"), e.getMessage());
    assertThrows(NoSuchFileException.class,
        () -> f.fetch(candidate(spec, "pool/none.deb", "x".getBytes())));
  }

  @Test
  void namesLeavingTheArchiveAreRefused() throws Exception {
    PackageFetcher f = new PackageFetcher(tmp.resolve("cache"), 1);
    String spec = tmp.resolve("repo").toString();
    for (String bad : new String[] {"../etc/passwd", "/etc/passwd", "pool/../../x.deb",
        "pool//x.deb", "pool/./x.deb", "pool\\x.deb", "pool/x\n.deb", ""}) {
      assertThrows(TrustException.class, () -> f.fetch(candidate(spec, bad, new byte[1])), bad);
    }
  }

  @Test
  void specsReduceToTheirArchiveRoot() throws Exception {
    assertEquals(URI.create("http://example.org/debian"),
        PackageFetcher.root("http://example.org/debian bookworm-security main"));
    assertEquals(URI.create("https://example.org/d/"),
        PackageFetcher.root("https://example.org/d/ [arch=amd64,all] bookworm main"));
    assertEquals(Path.of("/srv/repo"), PackageFetcher.root("/srv/repo"));
    assertEquals(Path.of("/srv/repo"), PackageFetcher.root("file:///srv/repo stable main"));
    assertThrows(java.io.IOException.class, () -> PackageFetcher.root("  "));
  }
}
