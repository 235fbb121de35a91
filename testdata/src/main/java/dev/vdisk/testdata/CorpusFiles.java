package dev.vdisk.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Files of the shared third-party corpus ({@link ProjectPaths#corpus()}), put into a test's
 * temporary folder: the corpus itself is never written to nor copied into the project.
 */
public final class CorpusFiles {
  private CorpusFiles() {}

  /**
   * Decompresses a corpus file ({@code .bz2} or {@code .gz}, with {@code bzip2 -dc} or {@code gzip
   * -dc}) into {@code dir}, or copies it there when it is not compressed. Skips the test when the
   * corpus is missing, outside CI only.
   *
   * @param relative the path below the corpus folder
   * @param dir where to put it (under its name without the compression suffix)
   * @return the file in {@code dir}
   * @throws IOException on a copy error
   * @throws InterruptedException when interrupted while decompressing
   */
  public static Path extract(String relative, Path dir) throws IOException, InterruptedException {
    Path source = ProjectPaths.corpus().resolve(relative);
    if (!Files.exists(source)) {
      if (Oracles.isCi()) {
        Assertions.fail("CI=true but the corpus file is missing: " + source);
      }
      Assumptions.abort("corpus file missing: " + source);
    }
    String name = source.getFileName().toString().replaceAll("\\.(bz2|gz)$", "");
    Path target = dir.resolve(name);
    if (name.equals(source.getFileName().toString())) {
      Files.copy(source, target);
      return target;
    }
    String tool = relative.endsWith(".bz2") ? "bzip2" : "gzip";
    Process p = new ProcessBuilder(tool, "-dc", source.toString())
        .redirectOutput(target.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertEquals(0, p.waitFor(), tool + " -dc " + source);
    return target;
  }
}
