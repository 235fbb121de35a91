package dev.vdisk.compliance.internal;

import dev.vdisk.baseline.BaselineSet;
import dev.vdisk.compliance.Finding;
import dev.vdisk.compliance.ScanOptions;
import dev.vdisk.inspect.GuestRoot;
import dev.vdisk.trust.TrustStore;
import java.io.IOException;
import java.util.List;

/**
 * The verified sources of a {@link BaselineSet}, loaded once; evaluates baselines on guest roots
 * and resolves missing findings to packages. Thread-safe: evaluation only reads.
 */
public final class Catalog {
  private Catalog() {}

  /**
   * Fetches (or reads) and verifies every source the baselines name.
   *
   * @param set the baselines
   * @param options verification time, cache directory and default trust
   * @return the catalog
   * @throws IOException if a source cannot be read, or a {@link dev.vdisk.core.TrustException}
   *     if its indexes are not trusted
   */
  public static Catalog load(BaselineSet set, ScanOptions options) throws IOException {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * Findings for the named baselines on this root.
   *
   * @param baselines the baselines' names (as {@link BaselineSet#select} returns them)
   * @param root the guest root
   * @return the findings, baseline by baseline
   */
  public List<Finding> evaluate(List<String> baselines, GuestRoot root) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * The packages that make the MISSING findings INSTALLED: candidates plus the dependency
   * closure allowed by the baselines' rules ({@code allowNew}), in no particular order.
   *
   * @param baselines the baselines' names
   * @param root the guest root
   * @param findings findings of {@link #evaluate} on this root
   * @return the packages and what cannot be resolved (absent rules: removal is not done
   *     offline; Windows updates)
   */
  public Resolution resolve(List<String> baselines, GuestRoot root, List<Finding> findings) {
    throw new UnsupportedOperationException("not yet");
  }

  /**
   * What {@link #resolve} found.
   *
   * @param packages the packages to fetch, verify and apply
   * @param problems what cannot be resolved, for a person
   */
  public record Resolution(List<Candidate> packages, List<String> problems) {
    /** Copies the lists. */
    public Resolution {
      packages = List.copyOf(packages);
      problems = List.copyOf(problems);
    }
  }

  /**
   * One package version of a source.
   *
   * @param name the package name
   * @param version its version
   * @param arch its architecture
   * @param repository the spec string {@link dev.vdisk.trust.Verifier#verifyPackages} and
   *     {@code ApplyOptions} repositories accept (a local directory, or {@code "URL SUITE
   *     [COMPONENT...] [arch=..]"})
   * @param filename the Packages {@code Filename}, relative to the archive root
   * @param size the {@code Size}
   * @param sha256 the {@code SHA256}, lower-case hex
   * @param trust the keys the source is verified with
   */
  public record Candidate(String name, String version, String arch, String repository,
      String filename, long size, String sha256, TrustStore trust) {}
}
