package dev.vdisk.testdata;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Where the project, its testdata scripts and the shared third-party corpus are. */
public final class ProjectPaths {
  private ProjectPaths() {}

  /**
   * The repository root: {@code VDISK_PROJECT_ROOT} (set by the build), else the nearest parent of
   * the working directory that holds {@code testdata/scripts}.
   *
   * @return the root
   */
  public static Path root() {
    String env = System.getenv("VDISK_PROJECT_ROOT");
    if (env != null && Files.isDirectory(Path.of(env, "testdata", "scripts"))) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("testdata").resolve("scripts"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
  }

  /**
   * A fixture-generator script under {@code testdata/scripts}.
   *
   * @param name the script's file name
   * @return its path
   */
  public static Path script(String name) {
    return root().resolve("testdata").resolve("scripts").resolve(name);
  }

  /**
   * A committed fixture under {@code testdata/images}.
   *
   * @param name the file name
   * @return its path
   */
  public static Path image(String name) {
    return root().resolve("testdata").resolve("images").resolve(name);
  }

  /**
   * The shared third-party corpus ({@code ../shared/corpus} beside the repository, or {@code
   * VDISK_CORPUS}). Under {@code CI=true} its absence fails the test; elsewhere it skips.
   *
   * @return the corpus directory
   */
  public static Path corpus() {
    String env = System.getenv("VDISK_CORPUS");
    Path corpus =
        env != null ? Path.of(env) : root().resolveSibling("shared").resolve("corpus");
    if (!Files.isDirectory(corpus)) {
      if (Oracles.isCi()) {
        Assertions.fail("CI=true but the shared corpus is missing at " + corpus);
      }
      Assumptions.abort("shared corpus not present at " + corpus);
    }
    return corpus;
  }
}
