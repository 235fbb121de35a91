package dev.vdisk.trust;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.TrustException;
import dev.vdisk.testdata.FuzzFiles;
import dev.vdisk.trust.internal.Clearsigned;
import dev.vdisk.trust.internal.PackagesIndex;
import dev.vdisk.trust.internal.ReleaseFile;
import dev.vdisk.trust.internal.SignatureCheck;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openpgp.PGPSignature;

/**
 * Arbitrary bytes into the trust parsers: cleartext-signed messages (and the whole InRelease
 * verification), Release bodies, Packages indexes, keyrings and detached signatures. Only the
 * typed errors ({@link CorruptStructureException}, {@link TrustException}, {@link IOException}
 * from the OpenPGP reader) may come out; {@link Verifier#verify} never throws for bad content.
 * The seeds in {@code TrustParsersFuzzTestInputs/} (made by {@code
 * testdata/scripts/make-trust-fuzz-seeds.sh}) run as a regression test in every build; set
 * {@code JAZZER_FUZZ=1} to fuzz.
 */
class TrustParsersFuzzTest {
  private static final Path DIR = FuzzFiles.directory("trust-fuzz");
  private static TrustStore store;

  private static synchronized TrustStore store() {
    if (store == null) {
      try (InputStream in = TrustParsersFuzzTest.class.getResourceAsStream(
          "TrustParsersFuzzTestInputs/keyring/good.gpg")) {
        Path k = DIR.resolve("good.gpg");
        Files.write(k, in.readAllBytes());
        store = TrustStore.load(List.of(k));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return store;
  }

  @FuzzTest(maxDuration = "1m")
  void clearsigned(byte[] input) throws IOException {
    try {
      Clearsigned c = Clearsigned.parse(input, "fuzz");
      assertNotNull(c.signedData());
      assertTrue(c.content().isEmpty() || c.content().endsWith("\n"));
      try {
        assertFalse(SignatureCheck.readSignatures(c.signatureBlock()).isEmpty());
      } catch (IOException expected) {
        // not a signature
      }
    } catch (CorruptStructureException expected) {
      // not a cleartext-signed message
    }
    Path f = DIR.resolve("fuzz.InRelease");
    Files.write(f, input);
    try {
      Verification v = new Verifier(store(), VerifyOptions.defaults(), DIR.resolve("cache"))
          .verify(f);
      assertTrue(v.trusted() || !v.reasons().isEmpty());
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @FuzzTest(maxDuration = "1m")
  void release(byte[] input) {
    try {
      ReleaseFile r = ReleaseFile.parse(new String(input, StandardCharsets.UTF_8), "fuzz");
      assertNotNull(r.dateProblems(Instant.now(), false));
      for (ReleaseFile.Entry e : r.sha256().values()) {
        assertTrue(e.size() >= 0 && e.sha256().length() == 64);
      }
    } catch (CorruptStructureException expected) {
      // malformed
    }
  }

  @FuzzTest(maxDuration = "1m")
  void packages(byte[] input) throws IOException {
    try {
      PackagesIndex idx = PackagesIndex.read(new ByteArrayInputStream(input), "fuzz");
      for (PackagesIndex.Record r : idx.records()) {
        assertFalse(r.name().isEmpty());
        assertTrue(idx.bySha256(r.sha256()).contains(r));
      }
    } catch (CorruptStructureException expected) {
      // malformed
    }
  }

  @FuzzTest(maxDuration = "1m")
  void keyring(byte[] input) throws IOException {
    Path f = DIR.resolve("fuzz.gpg");
    Files.write(f, input);
    try {
      TrustStore s = TrustStore.load(List.of(f));
      assertFalse(s.keyRings().isEmpty());
      assertNotNull(s.describeKeys());
    } catch (TrustException expected) {
      // not a keyring
    } finally {
      Files.deleteIfExists(f);
    }
  }

  @FuzzTest(maxDuration = "1m")
  void signature(byte[] input) throws IOException {
    List<PGPSignature> sigs;
    try {
      sigs = SignatureCheck.readSignatures(input);
    } catch (IOException expected) {
      return;
    }
    byte[] data = "Package: x\n".getBytes(StandardCharsets.US_ASCII);
    SignatureCheck.Result r = SignatureCheck.check(store(), sigs, s -> s.update(data),
        Instant.now(), false);
    assertTrue(r.trusted() || !r.reasons().isEmpty());
  }
}
