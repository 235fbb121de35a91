package dev.vdisk.trust;

import java.nio.file.Path;
import java.util.List;

/**
 * The verdict on one file: a repository directory, an {@code InRelease}, a {@code Release} with
 * its {@code Release.gpg}, a {@code Packages} index, or a {@code .deb}.
 *
 * @param path the file or directory
 * @param kind what it was taken for
 * @param trusted whether it is trusted
 * @param keyId the signer's key id (16 hex digits, upper case), or {@code null} when unsigned or
 *     trusted through a hash chain only
 * @param fingerprint the signer's fingerprint (hex, upper case), or {@code null}
 * @param userId the signer's primary user id, or {@code null}
 * @param sha256 the file's SHA-256 (hex), or {@code null} for a directory
 * @param via how trust was established ({@code "InRelease"}, {@code "Release.gpg"}, {@code
 *     "Packages"}, {@code "detached signature"}), or {@code null} when refused
 * @param reasons why it is refused (empty when trusted)
 * @param children the verdicts on the files a repository directory or index vouches for
 */
public record Verification(Path path, Kind kind, boolean trusted, String keyId,
    String fingerprint, String userId, String sha256, String via, List<String> reasons,
    List<Verification> children) {
  /** What a verified file was taken for. */
  public enum Kind {
    /** A directory holding an apt repository ({@code dists/...}) or flat repository. */
    REPOSITORY,
    /** A cleartext-signed {@code InRelease}. */
    IN_RELEASE,
    /** A {@code Release} with a detached {@code Release.gpg}. */
    RELEASE,
    /** A {@code Packages} index (plain, .gz or .xz). */
    PACKAGES,
    /** A binary package. */
    DEB,
    /** Anything else. */
    OTHER
  }
}
