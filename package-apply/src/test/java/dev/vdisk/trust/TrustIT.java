package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vdisk.testdata.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures and the hash chain against gpgv as the oracle: the test repository (made by
 * apt-ftparchive, signed by gpg) and copies signed by other, expired, lapsed and revoked keys,
 * tampered indexes and packages, detached package signatures.
 */
class TrustIT {
  @TempDir Path tmp;

  private static VerifyOptions now() {
    return VerifyOptions.defaults();
  }

  private static String reasons(Verification v) {
    StringBuilder sb = new StringBuilder(v.path() + " trusted=" + v.trusted() + " "
        + v.reasons());
    for (Verification c : v.children()) {
      sb.append("\n  ").append(reasons(c));
    }
    return sb.toString();
  }

  @Test
  void goodRepositoryIsTrustedAsGpgvSays() throws IOException {
    Path suite = TrustFixtures.suite(TrustFixtures.repo());
    Path key = TrustFixtures.key("good");
    assertTrue(TrustFixtures.gpgv(key, suite.resolve("InRelease")).good());
    assertTrue(TrustFixtures.gpgv(key, suite.resolve("Release.gpg"), suite.resolve("Release"))
        .good());
    Verifier v = new Verifier(TrustFixtures.store(key), now(), tmp.resolve("cache"));
    Verification repo = v.verify(TrustFixtures.repo());
    assertTrue(repo.trusted(), reasons(repo));
    assertEquals(Verification.Kind.REPOSITORY, repo.kind());
    // the signing subkey made it; the verdict names the subkey and the primary fingerprint
    assertEquals(TrustFixtures.fingerprint("good"), repo.fingerprint());
    String sub = Files.readString(TrustFixtures.keys().resolve("good.sigfpr")).strip();
    assertEquals(sub.substring(sub.length() - 16), repo.keyId());
    assertEquals("vdisk good <good@vdisk.test>", repo.userId());
    Verification inRelease = repo.children().get(0);
    assertEquals(Verification.Kind.IN_RELEASE, inRelease.kind());
    assertEquals(6, inRelease.children().size(), reasons(inRelease));
    for (Verification c : inRelease.children()) {
      assertEquals(Verification.Kind.PACKAGES, c.kind());
      assertTrue(c.trusted(), reasons(c));
    }
    Verification release = v.verify(suite.resolve("Release"));
    assertTrue(release.trusted(), reasons(release));
    assertEquals("Release.gpg", release.via());
    Verification packages = v.verify(suite.resolve("main/binary-amd64/Packages.xz"));
    assertTrue(packages.trusted(), reasons(packages));
    for (Verification d : v.verifyPackages(TrustFixtures.debs(),
        List.of(TrustFixtures.repo().toString()))) {
      assertTrue(d.trusted(), reasons(d));
      assertEquals("Packages", d.via());
    }
  }

  @Test
  void keyringFormsAndDirectoriesAgree() throws IOException {
    TrustStore binary = TrustFixtures.store(TrustFixtures.key("good"));
    TrustStore armored = TrustFixtures.store(TrustFixtures.keys().resolve("good.asc"));
    assertEquals(binary.describeKeys(), armored.describeKeys());
    Path dir = Files.createDirectories(tmp.resolve("trusted.gpg.d"));
    Files.copy(TrustFixtures.keys().resolve("good.asc"), dir.resolve("good.asc"));
    Files.copy(TrustFixtures.key("other"), dir.resolve("other.gpg"));
    Files.writeString(dir.resolve("README"), "ignored");
    TrustStore both = TrustFixtures.store(dir);
    assertEquals(2, both.describeKeys().size());
    // gpg lists the same fingerprints
    String listed = Oracles.runOk("gpg", "--batch", "--with-colons", "--show-keys",
        TrustFixtures.key("good").toString(), TrustFixtures.key("other").toString());
    for (String fpr : both.describeKeys().keySet()) {
      assertTrue(listed.contains(fpr), fpr);
    }
    Verification repo = new Verifier(both, now(), tmp.resolve("c")).verify(TrustFixtures.repo());
    assertTrue(repo.trusted(), reasons(repo));
  }

  @Test
  void wrongKeyIsRefusedAsGpgvRefuses() throws IOException {
    Path suite = TrustFixtures.suite(TrustFixtures.repo());
    Path other = TrustFixtures.key("other");
    assertFalse(TrustFixtures.gpgv(other, suite.resolve("InRelease")).good());
    Verification v = new Verifier(TrustFixtures.store(other), now(), tmp)
        .verify(suite.resolve("InRelease"));
    assertFalse(v.trusted());
    assertTrue(v.reasons().get(0).contains("unknown key"), v.reasons().toString());
  }

  @Test
  void expiredKeysAreRefusedAndGpgvReportsExpKeySig() throws IOException {
    // valid when it signed (2020-01-01 12:00), expired since 2020-01-02
    Path repo = TrustFixtures.makeRepo(tmp.resolve("expired"), "expired",
        Map.of("SIGN_TIME", "20200101T120000", "RELEASE_DATE", "Wed, 01 Jan 2020 11:00:00 UTC"));
    Path key = TrustFixtures.key("expired");
    TrustFixtures.Gpgv g = TrustFixtures.gpgv(key, TrustFixtures.suite(repo).resolve("InRelease"));
    assertTrue(g.status().contains("[GNUPG:] EXPKEYSIG"), g.status());
    Verification v = new Verifier(TrustFixtures.store(key), now(), tmp.resolve("c"))
        .verify(TrustFixtures.suite(repo).resolve("InRelease"));
    assertFalse(v.trusted());
    assertTrue(String.join(" ", v.reasons()).contains("(expired now)"), v.reasons().toString());
    // judged at 2020-01-01 18:00 the same signature is good
    Verification then = new Verifier(TrustFixtures.store(key),
        new VerifyOptions(Instant.parse("2020-01-01T18:00:00Z"), false), tmp.resolve("c"))
        .verify(TrustFixtures.suite(repo).resolve("InRelease"));
    assertTrue(then.trusted(), reasons(then));

    // lapsed: the public key's newer self-signature expired it before the signature was made
    Path lapsedRepo = TrustFixtures.makeRepo(tmp.resolve("lapsed"), "lapsed",
        Map.of("SIGN_TIME", "20200103T000000", "RELEASE_DATE", "Thu, 02 Jan 2020 23:00:00 UTC"));
    Path lapsed = TrustFixtures.key("lapsed");
    g = TrustFixtures.gpgv(lapsed, TrustFixtures.suite(lapsedRepo).resolve("InRelease"));
    assertTrue(g.status().contains("[GNUPG:] EXPKEYSIG"), g.status());
    for (Instant at : List.of(Instant.now(), Instant.parse("2020-01-03T01:00:00Z"))) {
      Verification lv = new Verifier(TrustFixtures.store(lapsed), new VerifyOptions(at, false),
          tmp.resolve("c")).verify(TrustFixtures.suite(lapsedRepo).resolve("InRelease"));
      assertFalse(lv.trusted());
      assertTrue(String.join(" ", lv.reasons()).contains("(expired at signature time)"),
          lv.reasons().toString());
    }
  }

  @Test
  void revokedKeyIsRefusedAndGpgvReportsRevKeySig() throws IOException {
    Path repo = TrustFixtures.makeRepo(tmp.resolve("revoked"), "revoked", Map.of());
    Path key = TrustFixtures.key("revoked");
    Path inRelease = TrustFixtures.suite(repo).resolve("InRelease");
    TrustFixtures.Gpgv g = TrustFixtures.gpgv(key, inRelease);
    assertTrue(g.status().contains("[GNUPG:] REVKEYSIG"), g.status());
    Verification v = new Verifier(TrustFixtures.store(key), now(), tmp).verify(inRelease);
    assertFalse(v.trusted());
    assertTrue(String.join(" ", v.reasons()).contains("revoked"), v.reasons().toString());
    // the same key without its revocation certificate (exported from the signing home) is good
    Path unrevoked = tmp.resolve("unrevoked.gpg");
    TrustFixtures.gpg("--output", unrevoked.toString(), "--export",
        TrustFixtures.fingerprint("revoked"));
    assertTrue(new Verifier(TrustFixtures.store(unrevoked), now(), tmp).verify(inRelease)
        .trusted());
  }

  @Test
  void revokedSigningSubkeyIsRefusedAndGpgvReportsRevKeySig() throws IOException {
    Path repo = TrustFixtures.makeRepo(tmp.resolve("subrevoked"), "subrevoked", Map.of());
    Path key = TrustFixtures.key("subrevoked");
    Path inRelease = TrustFixtures.suite(repo).resolve("InRelease");
    TrustFixtures.Gpgv g = TrustFixtures.gpgv(key, inRelease);
    assertTrue(g.status().contains("[GNUPG:] REVKEYSIG"), g.status());
    Verification v = new Verifier(TrustFixtures.store(key), now(), tmp).verify(inRelease);
    assertFalse(v.trusted());
    String sub = Files.readString(TrustFixtures.keys().resolve("subrevoked.sigfpr")).strip();
    assertTrue(String.join(" ", v.reasons()).contains(sub.substring(24))
        && String.join(" ", v.reasons()).contains("revoked"), v.reasons().toString());
  }

  @Test
  void unsignedIndexesAreRefused() throws IOException {
    Path repo = TrustFixtures.copy(TrustFixtures.repo(), tmp.resolve("unsigned"));
    Path suite = TrustFixtures.suite(repo);
    Files.delete(suite.resolve("InRelease"));
    Files.delete(suite.resolve("Release.gpg"));
    assertNotEquals(0, TrustFixtures.gpgv(TrustFixtures.key("good"), suite.resolve("Release"))
        .exit());
    Verifier v = new Verifier(TrustFixtures.store(TrustFixtures.key("good")), now(), tmp);
    Verification r = v.verify(repo);
    assertFalse(r.trusted());
    assertTrue(reasons(r).contains("unsigned"), reasons(r));
    // an InRelease that is only the Release text
    Files.copy(suite.resolve("Release"), suite.resolve("InRelease"));
    Verification in = v.verify(suite.resolve("InRelease"));
    assertFalse(in.trusted());
    assertTrue(in.reasons().get(0).startsWith("unsigned"), in.reasons().toString());
  }

  @Test
  void tamperedPackagesIndexIsRefused() throws IOException {
    Path repo = TrustFixtures.copy(TrustFixtures.repo(), tmp.resolve("tampered"));
    Path packages = TrustFixtures.suite(repo).resolve("main/binary-amd64/Packages");
    String text = Files.readString(packages);
    Files.writeString(packages, text.replace("Version: 1.0-1", "Version: 1.0-2"));
    Verifier v = new Verifier(TrustFixtures.store(TrustFixtures.key("good")), now(), tmp);
    Verification r = v.verify(repo);
    assertFalse(r.trusted());
    assertTrue(reasons(r).contains("hash mismatch"), reasons(r));
    Verification p = v.verify(packages);
    assertFalse(p.trusted());
    // the signature itself is still good: gpgv accepts the InRelease, the chain is what breaks
    assertTrue(TrustFixtures.gpgv(TrustFixtures.key("good"),
        TrustFixtures.suite(repo).resolve("InRelease")).good());
    // the .xz form is intact and still vouched for
    assertTrue(v.verify(TrustFixtures.suite(repo).resolve("main/binary-amd64/Packages.xz"))
        .trusted());
  }

  @Test
  void debWithWrongSizeOrHashIsRefused() throws IOException {
    Path deb = TrustFixtures.debs().get(0);
    Path changed = tmp.resolve(deb.getFileName().toString());
    byte[] bytes = Files.readAllBytes(deb);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(changed, bytes);
    Path longer = Files.createDirectories(tmp.resolve("l")).resolve(deb.getFileName().toString());
    Files.write(longer, java.util.Arrays.copyOf(Files.readAllBytes(deb), bytes.length + 1));
    Verifier v = new Verifier(TrustFixtures.store(TrustFixtures.key("good")), now(), tmp);
    List<Verification> out = v.verifyPackages(List.of(changed, longer, deb),
        List.of(TrustFixtures.repo().toString()));
    assertFalse(out.get(0).trusted());
    assertTrue(out.get(0).reasons().get(0).contains("SHA256"), out.get(0).reasons().toString());
    assertFalse(out.get(1).trusted());
    assertTrue(out.get(2).trusted(), reasons(out.get(2)));
    // dpkg-deb agrees the flipped copy is not the package any more (or at least not identical)
    assertNotEquals(Oracles.run("sha256sum", deb.toString()).stdout().split(" ")[0],
        Oracles.run("sha256sum", changed.toString()).stdout().split(" ")[0]);
    // without a repository and without a signature
    Verification alone = v.verify(deb);
    assertFalse(alone.trusted());
    assertEquals(List.of("no detached signature and no repository given"), alone.reasons());
  }

  @Test
  void detachedPackageSignaturesAgreeWithGpgv() throws IOException {
    Path deb = Files.copy(TrustFixtures.debs().get(1), tmp.resolve("pkg.deb"));
    Path armoredDeb = Files.copy(TrustFixtures.debs().get(0), tmp.resolve("other.deb"));
    TrustFixtures.gpg("-u", TrustFixtures.fingerprint("good"), "--output", deb + ".sig",
        "--detach-sign", deb.toString());
    TrustFixtures.gpg("-u", TrustFixtures.fingerprint("good"), "--armor", "--output",
        armoredDeb + ".asc", "--detach-sign", armoredDeb.toString());
    Path key = TrustFixtures.key("good");
    Verifier v = new Verifier(TrustFixtures.store(key), now(), tmp.resolve("c"));
    for (Path p : List.of(deb, armoredDeb)) {
      Path sig = Path.of(p + (p == deb ? ".sig" : ".asc"));
      assertTrue(TrustFixtures.gpgv(key, sig, p).good());
      Verification r = v.verify(p);
      assertTrue(r.trusted(), reasons(r));
      assertEquals("detached signature", r.via());
      assertTrue(v.verifyPackages(List.of(p), List.of()).get(0).trusted());
    }
    byte[] b = Files.readAllBytes(deb);
    b[100] ^= 0x40;
    Files.write(deb, b);
    assertFalse(TrustFixtures.gpgv(key, Path.of(deb + ".sig"), deb).good());
    Verification bad = v.verify(deb);
    assertFalse(bad.trusted());
    assertTrue(bad.reasons().get(0).contains("bad signature"), bad.reasons().toString());
    // a wrong key
    Verification unknown = new Verifier(TrustFixtures.store(TrustFixtures.key("other")), now(),
        tmp).verify(armoredDeb);
    assertFalse(unknown.trusted());
    assertFalse(TrustFixtures.gpgv(TrustFixtures.key("other"), Path.of(armoredDeb + ".asc"),
        armoredDeb).good());
  }

  @Test
  void validUntilAndFutureDatesAreHonoured() throws IOException {
    Path repo = TrustFixtures.makeRepo(tmp.resolve("valid"), "good",
        Map.of("VALID_UNTIL", "Sat, 01 Jan 2000 00:00:00 UTC"));
    Path key = TrustFixtures.key("good");
    Path inRelease = TrustFixtures.suite(repo).resolve("InRelease");
    assertTrue(TrustFixtures.gpgv(key, inRelease).good());
    Verification expired = new Verifier(TrustFixtures.store(key), now(), tmp).verify(inRelease);
    assertFalse(expired.trusted());
    assertTrue(expired.reasons().get(0).contains("Valid-Until"), expired.reasons().toString());
    Verification allowed = new Verifier(TrustFixtures.store(key),
        new VerifyOptions(Instant.now(), true), tmp).verify(inRelease);
    assertTrue(allowed.trusted(), reasons(allowed));

    Path future = TrustFixtures.makeRepo(tmp.resolve("future"), "good",
        Map.of("RELEASE_DATE", "Fri, 01 Jan 2100 00:00:00 UTC"));
    Verification f = new Verifier(TrustFixtures.store(key), now(), tmp)
        .verify(TrustFixtures.suite(future).resolve("InRelease"));
    assertFalse(f.trusted());
    assertTrue(f.reasons().get(0).contains("in the future"), f.reasons().toString());

    // a signature made a year from now: gpgv accepts it (a fact worth knowing); we refuse it
    String at = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
        .withZone(java.time.ZoneOffset.UTC).format(Instant.now().plus(365, ChronoUnit.DAYS));
    Path sigFuture = TrustFixtures.makeRepo(tmp.resolve("sigfuture"), "good",
        Map.of("SIGN_TIME", at));
    Path in2 = TrustFixtures.suite(sigFuture).resolve("InRelease");
    assertTrue(TrustFixtures.gpgv(key, in2).good());
    Verification sf = new Verifier(TrustFixtures.store(key), now(), tmp).verify(in2);
    assertFalse(sf.trusted());
    assertTrue(sf.reasons().get(0).contains("made in the future"), sf.reasons().toString());
  }

  /** The signature verdict alone (the texts are not Release files). */
  private static boolean signatureTrusted(Path signed) throws IOException {
    var cs = dev.vdisk.trust.internal.Clearsigned.parse(Files.readAllBytes(signed),
        signed.toString());
    var sigs = dev.vdisk.trust.internal.SignatureCheck.readSignatures(cs.signatureBlock());
    return dev.vdisk.trust.internal.SignatureCheck.check(
        TrustFixtures.store(TrustFixtures.key("good")), sigs, s -> s.update(cs.signedData()),
        Instant.now(), true).trusted();
  }

  @Test
  void cleartextEdgeCasesAgreeWithGpgvOutput() throws IOException {
    Path key = TrustFixtures.key("good");
    List<String> texts = List.of(
        "-dash first\nFrom the start\n--- triple\n- dash space\n",
        "trailing spaces   \ntabs\t\t\nmixed \t \nend",
        "crlf line\r\nanother\r\n\r\nblank above\r\n",
        "\n\nleading blank lines\n\n\n",
        "Origin: x\nDescription: a\n .\n b\n-----BEGIN PGP SIGNATURE-----\n");
    int i = 0;
    for (String text : texts) {
      Path in = tmp.resolve("m" + i);
      Files.writeString(in, text);
      Path signed = tmp.resolve("m" + i + ".InRelease");
      TrustFixtures.gpg("-u", TrustFixtures.fingerprint("good"), "--clearsign", "--output",
          signed.toString(), in.toString());
      Path plain = tmp.resolve("m" + i + ".out");
      Oracles.Result g = Oracles.run("gpgv", "--keyring", key.toString(), "--output",
          plain.toString(), signed.toString());
      assertEquals(0, g.exitCode(), g.describe());
      assertTrue(signatureTrusted(signed), text);
      // what we read as the content is what gpgv writes out as the signed text
      String content = dev.vdisk.trust.internal.Clearsigned.parse(Files.readAllBytes(signed),
          signed.toString()).content();
      String gpgvText = Files.readString(plain, StandardCharsets.ISO_8859_1)
          .replace("\r\n", "\n");
      assertEquals(gpgvText.endsWith("\n") ? gpgvText : gpgvText + "\n",
          content.replace("\r", ""), "text " + i);
      // one changed byte in the text: both refuse
      byte[] b = Files.readAllBytes(signed);
      String sig = new String(b, StandardCharsets.ISO_8859_1);
      int at = sig.indexOf("\n\n") + 3;
      b[at] = (byte) (b[at] == 'x' ? 'y' : 'x');
      Files.write(signed, b);
      assertEquals(TrustFixtures.gpgv(key, signed).good(), signatureTrusted(signed),
          "tampered text " + i);
      i++;
    }
  }

  @Test
  void garbageKeyringIsATrustExceptionNamingTheFile() throws IOException {
    Path junk = tmp.resolve("junk.gpg");
    Files.write(junk, "this is not a keyring\n".getBytes(StandardCharsets.US_ASCII));
    var e = org.junit.jupiter.api.Assertions.assertThrows(dev.vdisk.core.TrustException.class,
        () -> TrustStore.load(List.of(junk)));
    assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
    // gpg agrees it holds no key
    assertNotEquals(0, Oracles.run("gpg", "--batch", "--show-keys", junk.toString()).exitCode());
  }
}
