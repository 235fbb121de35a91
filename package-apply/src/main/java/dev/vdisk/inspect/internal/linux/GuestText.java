package dev.vdisk.inspect.internal.linux;

import dev.vdisk.inspect.GuestFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;

/** Reading guest files: absent files are empty results, sizes are bounded. */
public final class GuestText {
  private GuestText() {}

  /** The physical path of a guest path (a symbolic-link loop is thrown unwrapped). */
  public static Path resolve(GuestFiles guest, String guestPath) throws IOException {
    try {
      return guest.resolve(guestPath);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Whether a guest path exists (following links). */
  public static boolean exists(GuestFiles guest, String guestPath) throws IOException {
    try {
      return Files.exists(resolve(guest, guestPath), LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.FileSystemLoopException e) {
      return false;
    }
  }

  /** Whether a guest path is a regular file (following links). */
  public static boolean isFile(GuestFiles guest, String guestPath) throws IOException {
    return Files.isRegularFile(resolve(guest, guestPath), LinkOption.NOFOLLOW_LINKS);
  }

  /** A file's first {@code max} bytes, or empty when it does not exist or is not a file. */
  public static Optional<byte[]> readBytes(GuestFiles guest, String guestPath, int max)
      throws IOException {
    Path p = resolve(guest, guestPath);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(p)) {
      return Optional.of(in.readNBytes(max));
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty();
    }
  }

  /**
   * A text file (UTF-8, malformed bytes replaced), or empty when absent.
   *
   * @throws IOException if it is larger than {@code max} bytes, or on an I/O error
   */
  public static Optional<String> readText(GuestFiles guest, String guestPath, int max)
      throws IOException {
    Optional<byte[]> b = readBytes(guest, guestPath, max + 1);
    if (b.isPresent() && b.get().length > max) {
      throw new IOException(guestPath + ": larger than " + max + " bytes, not read");
    }
    return b.map(bytes -> new String(bytes, StandardCharsets.UTF_8));
  }
}
