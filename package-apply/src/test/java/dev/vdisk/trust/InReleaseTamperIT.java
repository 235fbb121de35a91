package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Debian bookworm InRelease files (fetched by {@code fetch-bookworm-inrelease.sh}) with
 * Debian's archive keyring: accepted by us exactly when gpgv accepts them, untouched and with one
 * random byte changed (seeded: {@code -Dvdisk.seed=N} repeats a run).
 */
class InReleaseTamperIT {
  private static final Logger LOG = LoggerFactory.getLogger(InReleaseTamperIT.class);
  private static final Path DEBIAN_KEYRING =
      Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

  @TempDir Path tmp;

  private static Path fetched() {
    Oracles.require("curl", "curl");
    Oracles.require("gpgv", "gpgv");
    Oracles.requireFile(DEBIAN_KEYRING, "debian-archive-keyring");
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vdisk-bookworm-inrelease");
    Oracles.Result r = Oracles.run("bash",
        ProjectPaths.script("fetch-bookworm-inrelease.sh").toString(), dir.toString());
    if (r.exitCode() != 0) {
      if (Oracles.isCi()) {
        org.junit.jupiter.api.Assertions.fail(r.describe());
      }
      org.junit.jupiter.api.Assumptions.abort("cannot fetch from deb.debian.org: " + r.stderr());
    }
    return dir;
  }

  @Test
  void realBookwormInReleaseIsTrustedAsGpgvSays() throws IOException {
    Path dir = fetched();
    Verifier v = new Verifier(TrustStore.load(List.of(DEBIAN_KEYRING)),
        VerifyOptions.defaults(), tmp);
    for (String name : List.of("bookworm", "bookworm-updates", "bookworm-security")) {
      Path f = dir.resolve(name + ".InRelease");
      TrustFixtures.Gpgv g = TrustFixtures.gpgv(DEBIAN_KEYRING, f);
      Verification ours = v.verify(f);
      assertTrue(g.good(), g.status());
      assertTrue(ours.trusted(), name + ": " + ours.reasons());
      assertTrue(ours.userId().startsWith("Debian"), ours.userId());
      // the key gpgv names first as good is one of ours' candidates: the verdict's key id is
      // among gpgv's GOODSIG key ids
      assertTrue(g.status().contains("GOODSIG " + ours.keyId()), g.status() + ours.keyId());
    }
    // one trusted signer among several (apt's signed-by with one key): the others are unknown
    Path stable = Path.of("/usr/share/keyrings/debian-archive-bookworm-stable.gpg");
    if (Files.isRegularFile(stable)) {
      TrustFixtures.Gpgv g = TrustFixtures.gpgv(stable, dir.resolve("bookworm.InRelease"));
      assertTrue(g.status().contains("[GNUPG:] GOODSIG") && g.status().contains("NO_PUBKEY"),
          g.status());
      Verification one = new Verifier(TrustStore.load(List.of(stable)),
          VerifyOptions.defaults(), tmp).verify(dir.resolve("bookworm.InRelease"));
      assertTrue(one.trusted(), one.reasons().toString());
      assertTrue(g.status().contains("GOODSIG " + one.keyId()), one.keyId());
    }
    // trusted.gpg.d style: the directory of per-release keyrings
    Verifier dirV = new Verifier(TrustStore.load(List.of(Path.of("/usr/share/keyrings"))),
        VerifyOptions.defaults(), tmp);
    assertTrue(dirV.verify(dir.resolve("bookworm.InRelease")).trusted());
    // Valid-Until of bookworm-security is honoured: judged a year later it is refused
    String text = Files.readString(dir.resolve("bookworm-security.InRelease"));
    assertTrue(text.contains("Valid-Until:"));
    Verification late = new Verifier(TrustStore.load(List.of(DEBIAN_KEYRING)),
        new VerifyOptions(java.time.Instant.now().plus(java.time.Duration.ofDays(400)), false),
        tmp).verify(dir.resolve("bookworm-security.InRelease"));
    assertTrue(!late.trusted() && String.join(" ", late.reasons()).contains("Valid-Until"),
        late.reasons().toString());
  }

  @Test
  void oneByteTamperingVerdictEqualsGpgv() throws IOException {
    Path dir = fetched();
    long seed = Long.getLong("vdisk.seed", System.nanoTime());
    LOG.info("InReleaseTamperIT seed {} (repeat with -Dvdisk.seed={})", seed, seed);
    Random rnd = new Random(seed);
    List<String> disagreements = new ArrayList<>();
    int cases = Integer.getInteger("vdisk.tamperCases", 300);
    int acceptedByBoth = 0;
    // two real Debian files (RSA, two signatures each) and the test repository's (ed25519
    // signing subkey, one signature)
    Map<String, Path[]> inputs = new LinkedHashMap<>();
    for (String name : List.of("bookworm-updates", "bookworm-security")) {
      inputs.put(name, new Path[] {dir.resolve(name + ".InRelease"), DEBIAN_KEYRING});
    }
    inputs.put("test-repository", new Path[] {
        TrustFixtures.suite(TrustFixtures.repo()).resolve("InRelease"),
        TrustFixtures.key("good")});
    for (Map.Entry<String, Path[]> input : inputs.entrySet()) {
      String name = input.getKey();
      Path keyring = input.getValue()[1];
      Verifier v = new Verifier(TrustStore.load(List.of(keyring)), VerifyOptions.defaults(),
          tmp.resolve("cache"));
      byte[] orig = Files.readAllBytes(input.getValue()[0]);
      String s = new String(orig, StandardCharsets.ISO_8859_1);
      int textStart = s.indexOf("\n\n") + 2;
      int sigStart = s.indexOf("-----BEGIN PGP SIGNATURE-----");
      for (int i = 0; i < cases / inputs.size(); i++) {
        int region = rnd.nextInt(3);
        int off = switch (region) {
          case 0 -> rnd.nextInt(textStart); // headers
          case 1 -> textStart + rnd.nextInt(sigStart - textStart); // signed text
          default -> sigStart + rnd.nextInt(orig.length - sigStart); // signature block
        };
        byte[] t = orig.clone();
        byte nb;
        do {
          nb = rnd.nextInt(4) == 0 ? (byte) " \n-\rA0=/+:\t".charAt(rnd.nextInt(11))
              : (byte) rnd.nextInt(256);
        } while (nb == t[off]);
        t[off] = nb;
        Path f = tmp.resolve(i + "." + name + ".InRelease");
        Files.write(f, t);
        boolean gpgv = TrustFixtures.gpgv(keyring, f).exit() == 0;
        boolean ours = v.verify(f).trusted();
        if (gpgv && ours) {
          acceptedByBoth++;
        }
        if (gpgv != ours) {
          disagreements.add(name + " offset " + off + " (region " + region + ") "
              + String.format("0x%02x->0x%02x", orig[off] & 0xff, nb & 0xff) + ": gpgv "
              + gpgv + ", ours " + ours + " " + v.verify(f).reasons());
        }
        Files.delete(f);
      }
    }
    // exhaustively, every byte value at the armor checksum's '=' and at the END line's first
    // dash of the test repository's InRelease, where gpgv's armor reader is most lenient
    Path test = TrustFixtures.suite(TrustFixtures.repo()).resolve("InRelease");
    byte[] orig = Files.readAllBytes(test);
    String text = new String(orig, StandardCharsets.ISO_8859_1);
    int endLine = text.lastIndexOf("-----END PGP SIGNATURE-----");
    int crc = text.lastIndexOf("\n=", endLine) + 1;
    Verifier tv = new Verifier(TrustStore.load(List.of(TrustFixtures.key("good"))),
        VerifyOptions.defaults(), tmp.resolve("cache"));
    for (int off : new int[] {crc, endLine}) {
      for (int value = 0; value < 256; value++) {
        if (value == (orig[off] & 0xff)) {
          continue;
        }
        byte[] t = orig.clone();
        t[off] = (byte) value;
        Path f = tmp.resolve("x.InRelease");
        Files.write(f, t);
        boolean gpgv = TrustFixtures.gpgv(TrustFixtures.key("good"), f).exit() == 0;
        boolean ours = tv.verify(f).trusted();
        if (gpgv != ours) {
          disagreements.add("test-repository offset " + off + String.format(" -> 0x%02x", value)
              + ": gpgv " + gpgv + ", ours " + ours);
        }
      }
    }
    LOG.info("{} tampered copies, {} accepted by both", cases, acceptedByBoth);
    assertEquals(List.of(), disagreements, "seed " + seed);
  }
}
