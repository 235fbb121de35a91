package dev.vdisk.apply;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Injects Debian packages into a stopped guest's disk image, offline: verifies every package
 * first, checks dependencies against the guest's dpkg database plus the set, then unpacks them
 * into the guest's root file system in one transaction (all or nothing) with the semantics of
 * {@code dpkg --unpack}, records them in dpkg's database, and installs a first-boot unit that runs
 * {@code dpkg --configure -a}.
 */
public final class Applier {
  private Applier() {}

  /**
   * Applies packages.
   *
   * @param image the disk image
   * @param debs package files, or directories whose {@code *.deb} files are all taken
   * @param options trust, repositories, snapshot, dry run
   * @return what was done
   * @throws dev.vdisk.core.TrustException if any package is not trusted (nothing is written)
   * @throws dev.vdisk.core.UnsafeToWriteException if the guest cannot be written safely
   * @throws IOException on dependency problems ({@link DependencyException}) or I/O errors; the
   *     image is then unchanged
   */
  public static ApplyReport apply(Path image, List<Path> debs, ApplyOptions options)
      throws IOException {
    throw new UnsupportedOperationException("not yet");
  }
}
