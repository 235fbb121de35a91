package dev.vdisk.trust.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of files, streamed.
 *
 * @param sha256 lower-case hex
 * @param size bytes read
 */
public record Hashes(String sha256, long size) {
  /**
   * Hashes a file.
   *
   * @param file the file
   * @return its hash and size
   * @throws IOException on an I/O error
   */
  public static Hashes of(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return of(in);
    }
  }

  /**
   * Hashes a stream to its end.
   *
   * @param in the stream (not closed)
   * @return its hash and size
   * @throws IOException on an I/O error
   */
  public static Hashes of(InputStream in) throws IOException {
    MessageDigest md = newDigest();
    byte[] buf = new byte[1 << 16];
    long size = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      md.update(buf, 0, n);
      size += n;
    }
    return new Hashes(HexFormat.of().formatHex(md.digest()), size);
  }

  /**
   * A new SHA-256 digest.
   *
   * @return the digest
   */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
