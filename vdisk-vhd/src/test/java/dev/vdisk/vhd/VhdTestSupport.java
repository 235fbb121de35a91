package dev.vdisk.vhd;

import dev.vdisk.core.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Helpers shared by the VHD tests. */
final class VhdTestSupport {
  private VhdTestSupport() {}

  /** Reads a whole (small) device. */
  static byte[] readAll(BlockDevice device) throws IOException {
    byte[] all = new byte[Math.toIntExact(device.size())];
    device.read(0, ByteBuffer.wrap(all));
    return all;
  }

  /** SHA-256 of the device's first {@code length} bytes, read in 4 MiB chunks. */
  static String sha256(BlockDevice device, long length) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer buffer = ByteBuffer.allocate(4 << 20);
    for (long offset = 0; offset < length; ) {
      int n = (int) Math.min(buffer.capacity(), length - offset);
      buffer.clear().limit(n);
      device.read(offset, buffer);
      digest.update(buffer.array(), 0, n);
      offset += n;
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** SHA-256 of a byte array. */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
