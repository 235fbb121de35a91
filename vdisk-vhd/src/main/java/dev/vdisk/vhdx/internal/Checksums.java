package dev.vdisk.vhdx.internal;

import java.util.zip.CRC32C;

/** The CRC-32C checksums of MS-VHDX structures, computed with the checksum field taken as zero. */
public final class Checksums {
  private Checksums() {}

  /**
   * CRC-32C of {@code bytes[offset, offset + length)} with the four bytes at {@code fieldOffset}
   * (relative to {@code offset}) taken as zero.
   *
   * @param bytes the structure's bytes
   * @param offset where the structure starts
   * @param length its length
   * @param fieldOffset where its checksum field is, relative to {@code offset}
   * @return the checksum
   */
  public static int crc32c(byte[] bytes, int offset, int length, int fieldOffset) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, fieldOffset);
    crc.update(new byte[4], 0, 4);
    int after = fieldOffset + 4;
    crc.update(bytes, offset + after, length - after);
    return (int) crc.getValue();
  }
}
