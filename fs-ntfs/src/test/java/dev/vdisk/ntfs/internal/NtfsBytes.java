package dev.vdisk.ntfs.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-made NTFS structures for the unit tests. */
final class NtfsBytes {
  private NtfsBytes() {}

  /** A valid boot sector: 512-byte sectors, 8 sectors per cluster, 1 KiB entries. */
  static ByteBuffer bootSector() {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, new byte[] {(byte) 0xeb, 0x52, (byte) 0x90});
    b.put(3, "NTFS    ".getBytes(StandardCharsets.US_ASCII));
    b.putShort(0x0b, (short) 512);
    b.put(0x0d, (byte) 8);
    b.putLong(0x28, 131071);
    b.putLong(0x30, 4);
    b.putLong(0x38, 8191);
    b.put(0x40, (byte) -10);
    b.put(0x44, (byte) 1);
    b.putLong(0x48, 0x1122334455667788L);
    b.put(510, (byte) 0x55);
    b.put(511, (byte) 0xaa);
    return b;
  }

  /**
   * A valid 1 KiB MFT entry with fixups applied for disk (USN 2): a resident $STANDARD_INFORMATION
   * of 8 bytes and a non-resident named $DATA whose runlist is {@code runs} over VCN 0..lastVcn.
   */
  static ByteBuffer mftEntry(byte[] runs, long lastVcn) {
    ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, "FILE".getBytes(StandardCharsets.US_ASCII));
    b.putShort(4, (short) 0x30);
    b.putShort(6, (short) 3);
    b.putShort(0x10, (short) 5);
    b.putShort(0x12, (short) 1);
    b.putShort(0x14, (short) 0x38);
    b.putShort(0x16, (short) 3);
    b.putInt(0x1c, 1024);
    b.putLong(0x20, 0);
    int pos = 0x38;
    // resident attribute 0x10, value 8 bytes at 0x18
    b.putInt(pos, 0x10);
    b.putInt(pos + 4, 0x20);
    b.put(pos + 8, (byte) 0);
    b.putShort(pos + 10, (short) 0x18);
    b.putInt(pos + 0x10, 8);
    b.putShort(pos + 0x14, (short) 0x18);
    b.putLong(pos + 0x18, 0x0102030405060708L);
    pos += 0x20;
    // non-resident $DATA named "ads", runs at 0x48
    int runsLength = (runs.length + 7) & ~7;
    int length = 0x48 + runsLength;
    b.putInt(pos, 0x80);
    b.putInt(pos + 4, length);
    b.put(pos + 8, (byte) 1);
    b.put(pos + 9, (byte) 3);
    b.putShort(pos + 10, (short) 0x40);
    b.putShort(pos + 12, (short) 0x8000);
    b.putShort(pos + 14, (short) 1);
    b.putLong(pos + 0x10, 0);
    b.putLong(pos + 0x18, lastVcn);
    b.putShort(pos + 0x20, (short) 0x48);
    long size = (lastVcn + 1) * 4096;
    b.putLong(pos + 0x28, size);
    b.putLong(pos + 0x30, size - 100);
    b.putLong(pos + 0x38, size - 200);
    b.put(pos + 0x40, "ads".getBytes(StandardCharsets.UTF_16LE));
    b.put(pos + 0x48, runs);
    pos += length;
    b.putInt(pos, 0xffffffff);
    pos += 8;
    b.putInt(0x18, pos);
    protect(b, (short) 2);
    return b;
  }

  /** Writes the update sequence array as a disk write does. */
  static void protect(ByteBuffer b, short usn) {
    int usa = b.getShort(4);
    int count = b.getShort(6);
    b.putShort(usa, usn);
    for (int i = 1; i < count; i++) {
      b.putShort(usa + 2 * i, b.getShort(i * 512 - 2));
      b.putShort(i * 512 - 2, usn);
    }
  }
}
