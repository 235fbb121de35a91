package dev.vdisk.trust;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Verifies apt repositories and packages against a {@link TrustStore}: signatures on {@code
 * InRelease} / {@code Release.gpg} and detached package signatures, then the hash chain Release →
 * {@code Packages} → each {@code .deb}'s size and SHA-256.
 */
public final class Verifier {
  /**
   * A verifier.
   *
   * @param trust the trusted keys
   * @param options time and expiry handling
   */
  public Verifier(TrustStore trust, VerifyOptions options) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The verdict on one path (a repository directory, an index, or a {@code .deb}; a {@code .deb}
   * is trusted only through a detached signature beside it, {@code pkg.deb.sig} or {@code
   * pkg.deb.asc}).
   *
   * @param path the path
   * @return the verdict (never throws for untrusted input: the verdict says why)
   * @throws IOException on an I/O error reading it
   */
  public Verification verify(Path path) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The verdicts on packages to install: each is trusted if a verified repository index lists
   * it with the same size and SHA-256, or through a detached signature by a trusted key.
   *
   * @param debs the package files
   * @param repositories repository roots: local directories, or {@code http(s)://} URLs of an
   *     archive root (indexes fetched and verified before use)
   * @return one verdict per package, in order
   * @throws IOException on an I/O error
   */
  public List<Verification> verifyPackages(List<Path> debs, List<String> repositories)
      throws IOException {
    throw new UnsupportedOperationException("not yet");
  }
}
