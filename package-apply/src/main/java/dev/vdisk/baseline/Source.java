package dev.vdisk.baseline;

import java.util.List;
import java.util.Objects;

/**
 * Where a baseline's candidates come from: an apt archive.
 *
 * @param repo an archive root: a local directory or an http(s) URL
 * @param suites the suites (directories below {@code dists/}); a suite ending in {@code /} is a
 *     flat repository below the root
 * @param components the components (default {@code main})
 * @param architectures the architectures to read, empty for the guest's dpkg architectures
 * @param trust keyring files or directories, empty for {@code ScanOptions.trust}
 */
public record Source(String repo, List<String> suites, List<String> components,
    List<String> architectures, List<String> trust) {
  /** Copies the lists. */
  public Source {
    Objects.requireNonNull(repo, "repo");
    suites = List.copyOf(suites);
    components = List.copyOf(components);
    architectures = List.copyOf(architectures);
    trust = List.copyOf(trust);
  }
}
