package dev.vdisk.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Applies an action to a path, or to a whole tree (never following links) for {@code -R}. */
final class TreeWalk {
  private TreeWalk() {}

  /** One action on one path; {@code link} says whether it is a symbolic link itself. */
  @FunctionalInterface
  interface Action {
    void apply(Path path, boolean link) throws IOException;
  }

  /**
   * Runs {@code action} on {@code start} (following a link there, as chmod and chown do with
   * a named link), and with {@code recursive} on everything below it, parents before children,
   * links not followed.
   */
  static void apply(Path start, boolean recursive, Action action) throws IOException {
    if (!recursive || !Files.isDirectory(start)) {
      if (!Files.exists(start)) {
        throw new java.nio.file.NoSuchFileException(start.toString());
      }
      action.apply(start, false);
      return;
    }
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        action.apply(dir, false);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        action.apply(file, attrs.isSymbolicLink());
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
