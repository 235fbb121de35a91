package dev.vdisk.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests (lower-case hex) of bytes, files and devices, for comparing with oracles. */
public final class Digests {
  private static final int PIECE = 1 << 20;

  private Digests() {}

  /**
   * Reads part of a device: {@code dst.remaining()} bytes at {@code position}. A method reference
   * to a block device's {@code read(long, ByteBuffer)} fits.
   */
  @FunctionalInterface
  public interface RangeReader {
    /**
     * Fills {@code dst} from {@code position} on.
     *
     * @param position where to read
     * @param dst the buffer to fill up to its limit
     * @throws IOException on a read error
     */
    void read(long position, ByteBuffer dst) throws IOException;
  }

  /**
   * A fresh SHA-256 message digest.
   *
   * @return the digest
   */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * SHA-256 of a byte array.
   *
   * @param bytes the bytes
   * @return lower-case hex
   */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /**
   * SHA-256 of a whole file.
   *
   * @param file the file
   * @return lower-case hex
   * @throws IOException on a read error
   */
  public static String sha256(Path file) throws IOException {
    return sha256(file, Files.size(file));
  }

  /**
   * SHA-256 of a file's first {@code length} bytes (fewer when the file is shorter).
   *
   * @param file the file
   * @param length how many bytes
   * @return lower-case hex
   * @throws IOException on a read error
   */
  public static String sha256(Path file, long length) throws IOException {
    MessageDigest md = sha256();
    byte[] buffer = new byte[PIECE];
    long left = length;
    try (InputStream in = Files.newInputStream(file)) {
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        md.update(buffer, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * SHA-256 of a device's first {@code size} bytes, read in 1 MiB pieces.
   *
   * @param size how many bytes (usually the device's size)
   * @param device reads the device, such as {@code disk::read}
   * @return lower-case hex
   * @throws IOException on a read error
   */
  public static String sha256(long size, RangeReader device) throws IOException {
    MessageDigest md = sha256();
    ByteBuffer buffer = ByteBuffer.allocate(PIECE);
    for (long pos = 0; pos < size; ) {
      int n = (int) Math.min(buffer.capacity(), size - pos);
      buffer.clear().limit(n);
      device.read(pos, buffer);
      md.update(buffer.array(), 0, n);
      pos += n;
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
