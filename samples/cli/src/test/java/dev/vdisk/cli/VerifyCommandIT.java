package dev.vdisk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vdisk verify} on a repository made by apt-ftparchive and signed by gpg
 * ({@code make-test-keys.sh}, {@code make-test-debs.sh}, {@code make-apt-repo.sh}), on a tampered
 * copy, and on packages; gpgv judges the same InRelease files.
 */
class VerifyCommandIT {
  @TempDir static Path dir;
  static Path keys;
  static Path repo;
  static Path debs;

  @BeforeAll
  static void fixtures() {
    Oracles.require("gpg", "gpg");
    Oracles.require("gpgv", "gpgv");
    Oracles.require("apt-ftparchive", "apt-utils");
    Oracles.require("dpkg-deb", "dpkg");
    keys = dir.resolve("keys");
    debs = dir.resolve("debs");
    repo = dir.resolve("repo");
    Oracles.runOk("bash", ProjectPaths.script("make-test-keys.sh").toString(), keys.toString());
    Oracles.runOk("bash", ProjectPaths.script("make-test-debs.sh").toString(), debs.toString());
    Oracles.runOk("bash", "-c", "\"$0\" \"$1\" \"$2\" \"$(cat \"$3\")\" \"$4\"/*.deb",
        ProjectPaths.script("make-apt-repo.sh").toString(), repo.toString(),
        keys.resolve("home").toString(), keys.resolve("good.fpr").toString(), debs.toString());
  }

  private static Path inRelease(Path r) {
    return r.resolve("dists/bookworm-vdisk/InRelease");
  }

  private static boolean gpgvAccepts(Path keyring, Path file) {
    return Oracles.run("gpgv", "--keyring", keyring.toString(), file.toString()).exitCode() == 0;
  }

  @Test
  void goodRepositoryAndPackagesAreTrusted() throws IOException {
    Path good = keys.resolve("good.gpg");
    assertTrue(gpgvAccepts(good, inRelease(repo)));
    CliRunner r = CliRunner.run("verify", repo.toString(), "--trust", good.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains(": trusted (InRelease) key "), r.out());
    assertTrue(r.out().contains("vdisk good <good@vdisk.test>"), r.out());

    Path deb;
    try (Stream<Path> s = Files.list(debs)) {
      deb = s.filter(p -> p.toString().endsWith(".deb")).sorted().findFirst().orElseThrow();
    }
    CliRunner pkg = CliRunner.run("verify", deb.toString(), "--trust",
        keys.resolve("good.asc").toString(), "--repo", repo.toString(), "--json");
    assertEquals(0, pkg.exitCode(), pkg.out() + pkg.err());
    JsonNode j = new ObjectMapper().readTree(pkg.out());
    assertTrue(j.get("trusted").asBoolean());
    JsonNode res = j.get("results").get(0);
    assertEquals("deb", res.get("kind").asText());
    assertEquals("Packages", res.get("via").asText());
    String sha = Oracles.runOk("sha256sum", deb.toString()).split(" ")[0];
    assertEquals(sha, res.get("sha256").asText());
    assertEquals(Files.readString(keys.resolve("good.fpr")).strip(),
        res.get("fingerprint").asText());

    CliRunner alone = CliRunner.run("verify", deb.toString(), "--trust", good.toString());
    assertEquals(3, alone.exitCode());
    assertTrue(alone.out().contains("no detached signature and no repository given"),
        alone.out());
  }

  @Test
  void tamperedCopiesAreRefusedWithExit3() throws IOException {
    Path copy = dir.resolve("tampered");
    try (Stream<Path> s = Files.walk(repo)) {
      for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
        Path t = copy.resolve(repo.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    Path good = keys.resolve("good.gpg");
    Path packages = copy.resolve("dists/bookworm-vdisk/main/binary-all/Packages");
    Files.writeString(packages, Files.readString(packages) + "\n");
    CliRunner r = CliRunner.run("verify", copy.toString(), "--trust", good.toString(), "--json");
    assertEquals(3, r.exitCode(), r.out() + r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertFalse(j.get("trusted").asBoolean());
    assertTrue(r.out().contains("hash mismatch"), r.out());

    // one byte of the signed text: gpgv and vdisk both refuse
    byte[] b = Files.readAllBytes(inRelease(copy));
    int at = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("Origin: vdisk")
        + 8;
    b[at] = 'V';
    Files.write(inRelease(copy), b);
    assertFalse(gpgvAccepts(good, inRelease(copy)));
    CliRunner t = CliRunner.run("verify", inRelease(copy).toString(), "--trust", good.toString());
    assertEquals(3, t.exitCode(), t.out());
    assertTrue(t.out().contains("bad signature"), t.out());

    // a key nobody trusts
    Path other = keys.resolve("other.gpg");
    assertFalse(gpgvAccepts(other, inRelease(repo)));
    assertEquals(3, CliRunner.run("verify", repo.toString(), "--trust", other.toString())
        .exitCode());
  }

  @Test
  void expiredIndexNeedsAllowExpired() {
    Path old = dir.resolve("old");
    Oracles.Result made = Oracles.run(null,
        java.util.Map.of("VALID_UNTIL", "Sat, 01 Jan 2000 00:00:00 UTC"), "bash", "-c",
        "\"$0\" \"$1\" \"$2\" \"$(cat \"$3\")\" \"$4\"/*.deb",
        ProjectPaths.script("make-apt-repo.sh").toString(), old.toString(),
        keys.resolve("home").toString(), keys.resolve("good.fpr").toString(), debs.toString());
    assertEquals(0, made.exitCode(), made.describe());
    Path good = keys.resolve("good.gpg");
    assertTrue(gpgvAccepts(good, inRelease(old)));
    CliRunner refused = CliRunner.run("verify", old.toString(), "--trust", good.toString());
    assertEquals(3, refused.exitCode(), refused.out());
    assertTrue(refused.out().contains("Valid-Until"), refused.out());
    CliRunner allowed = CliRunner.run("verify", old.toString(), "--trust", good.toString(),
        "--allow-expired");
    assertEquals(0, allowed.exitCode(), allowed.out());
  }

  @Test
  void unreadableInputsExit2() throws IOException {
    Path junk = dir.resolve("junk.gpg");
    Files.writeString(junk, "not a keyring");
    CliRunner r = CliRunner.run("verify", repo.toString(), "--trust", junk.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains(junk.toString()), r.err());
    CliRunner missing = CliRunner.run("verify", dir.resolve("nope").toString(), "--trust",
        keys.resolve("good.gpg").toString());
    assertEquals(2, missing.exitCode(), missing.err());
    assertEquals(1, CliRunner.run("verify", repo.toString()).exitCode());
  }
}
