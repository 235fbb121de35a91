package dev.vdisk.apply;

import dev.vdisk.core.copy.ProgressListener;
import dev.vdisk.trust.TrustStore;
import dev.vdisk.trust.VerifyOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * How {@link Applier} injects packages.
 *
 * @param trust the keys packages and repositories must be signed by
 * @param repositories repositories whose verified indexes vouch for the packages (directories or
 *     {@code http(s)://} archive roots, as {@link dev.vdisk.trust.Verifier#verifyPackages} takes
 *     them)
 * @param verify time and expiry handling (its {@code now} also stamps what is written)
 * @param snapshot a differencing child to create and write into (the image stays unchanged), or
 *     {@code null} to write the image itself
 * @param dryRun do everything except make the result durable: the image is left unchanged
 * @param partition the partition holding the guest's root, or empty to find it
 * @param progress told how far the work is (packages unpacked, then the commit), or {@code null}
 * @param failAfterFiles test hook: fail the injection after this many files (the transaction is
 *     then discarded); -1 for never
 * @param cache where indexes of {@code http(s)://} repositories are kept by SHA-256, or {@code
 *     null} for the default ({@code $VDISK_CACHE}, else {@code ~/.cache/vdisk})
 */
public record ApplyOptions(TrustStore trust, List<String> repositories, VerifyOptions verify,
    Path snapshot, boolean dryRun, OptionalInt partition, ProgressListener progress,
    int failAfterFiles, Path cache) {
  /** Copies the list. */
  public ApplyOptions {
    repositories = List.copyOf(repositories);
    if (verify == null) {
      verify = VerifyOptions.defaults();
    }
    if (partition == null) {
      partition = OptionalInt.empty();
    }
  }

  /**
   * Options that write the image itself, with the root found, expiry enforced and no
   * repositories.
   *
   * @param trust the trusted keys
   * @return the options
   */
  public static ApplyOptions of(TrustStore trust) {
    return new ApplyOptions(trust, List.of(), VerifyOptions.defaults(), null, false,
        OptionalInt.empty(), null, -1, null);
  }

  /**
   * These options with repositories.
   *
   * @param repos the repositories
   * @return the options
   */
  public ApplyOptions withRepositories(List<String> repos) {
    return new ApplyOptions(trust, repos, verify, snapshot, dryRun, partition, progress,
        failAfterFiles, cache);
  }

  /**
   * These options writing into a new differencing child.
   *
   * @param child the child to create
   * @return the options
   */
  public ApplyOptions withSnapshot(Path child) {
    return new ApplyOptions(trust, repositories, verify, child, dryRun, partition, progress,
        failAfterFiles, cache);
  }

  /**
   * These options as a dry run, or not.
   *
   * @param dry whether to leave the image unchanged
   * @return the options
   */
  public ApplyOptions withDryRun(boolean dry) {
    return new ApplyOptions(trust, repositories, verify, snapshot, dry, partition, progress,
        failAfterFiles, cache);
  }

  /**
   * These options with the test hook that fails the injection midway.
   *
   * @param files fail after this many files; -1 for never
   * @return the options
   */
  public ApplyOptions withFailAfterFiles(int files) {
    return new ApplyOptions(trust, repositories, verify, snapshot, dryRun, partition, progress,
        files, cache);
  }

  /**
   * These options with a cache for remote repositories' files.
   *
   * @param dir the cache directory, or {@code null} for the default
   * @return the options
   */
  public ApplyOptions withCache(Path dir) {
    return new ApplyOptions(trust, repositories, verify, snapshot, dryRun, partition, progress,
        failAfterFiles, dir);
  }
}
