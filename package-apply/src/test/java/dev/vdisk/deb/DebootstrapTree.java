package dev.vdisk.deb;

import dev.vdisk.testdata.Oracles;
import dev.vdisk.testdata.ProjectPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The debootstrap tree (Debian 12 minbase) that {@code testdata/scripts/make-debian-ext4.sh}
 * keeps in {@code $VDISK_DEBOOTSTRAP_CACHE} (default {@code /tmp/vdisk-debootstrap-bookworm}),
 * built when missing, and the {@code .deb} files in its {@code var/cache/apt/archives}.
 */
public final class DebootstrapTree {
  private DebootstrapTree() {}

  /**
   * The tree, built when missing (needs root and debootstrap; skipped or failed as Oracles says).
   *
   * @return the tree's root directory
   * @throws IOException on an I/O error
   */
  public static Path tree() throws IOException {
    Oracles.require("debootstrap", "debootstrap");
    Oracles.require("mke2fs", "e2fsprogs");
    Oracles.requireRoot("debootstrap");
    String env = System.getenv("VDISK_DEBOOTSTRAP_CACHE");
    Path tree = Path.of(env == null || env.isEmpty() ? "/tmp/vdisk-debootstrap-bookworm" : env);
    if (!Files.exists(tree.resolve(".vdisk-complete"))) {
      Path img = Files.createTempFile("vdisk-debian", ".img");
      try {
        Oracles.runOk("bash", ProjectPaths.script("make-debian-ext4.sh").toString(),
            img.toString(), "1G");
      } finally {
        Files.deleteIfExists(img);
      }
    }
    return tree;
  }

  /**
   * The tree's cached packages, sorted by name.
   *
   * @return the .deb files
   * @throws IOException on an I/O error
   */
  public static List<Path> debs() throws IOException {
    try (Stream<Path> s = Files.list(tree().resolve("var/cache/apt/archives"))) {
      return s.filter(p -> p.toString().endsWith(".deb")).sorted().toList();
    }
  }
}
