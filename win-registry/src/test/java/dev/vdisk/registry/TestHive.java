package dev.vdisk.registry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds small regf hives byte by byte for unit and fuzz tests: one hive bin, cells appended. */
final class TestHive {
  final ByteBuffer bins;
  private int next = 0x20;
  int minor = 5;

  TestHive(int binSize) {
    bins = ByteBuffer.allocate(binSize).order(ByteOrder.LITTLE_ENDIAN);
    bins.put(0, "hbin".getBytes(StandardCharsets.US_ASCII));
    bins.putInt(4, 0);
    bins.putInt(8, binSize);
  }

  /** Appends an allocated cell holding DATA, returns its offset. */
  int cell(byte[] data) {
    int size = (data.length + 4 + 7) & ~7;
    int at = next;
    bins.putInt(at, -size);
    bins.put(at + 4, data);
    next += size;
    return at;
  }

  static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A key node; NAME stored compressed when all characters are below U+0100. */
  static byte[] nk(String name, int flags, int parent, int subkeys, int subkeyList, int values,
      int valueList, int classOffset, int classLength) {
    boolean compressed = name.chars().allMatch(c -> c < 0x100);
    byte[] n = name.getBytes(compressed ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_16LE);
    ByteBuffer b = le(76 + n.length);
    b.put(0, (byte) 'n').put(1, (byte) 'k').putShort(2, (short) (flags | (compressed ? 0x20 : 0)));
    b.putLong(4, 0x01d0000000000000L).putInt(16, parent).putInt(20, subkeys)
        .putInt(28, subkeyList).putInt(32, -1).putInt(36, values).putInt(40, valueList)
        .putInt(44, -1).putInt(48, classOffset).putShort(72, (short) n.length)
        .putShort(74, (short) classLength);
    b.put(76, n);
    return b.array();
  }

  static byte[] list(String type, int... offsets) {
    int stride = type.equals("lf") || type.equals("lh") ? 8 : 4;
    ByteBuffer b = le(4 + offsets.length * stride);
    b.put(0, (byte) type.charAt(0)).put(1, (byte) type.charAt(1)).putShort(2,
        (short) offsets.length);
    for (int i = 0; i < offsets.length; i++) {
      b.putInt(4 + i * stride, offsets[i]);
    }
    return b.array();
  }

  static byte[] offsets(int... offsets) {
    ByteBuffer b = le(offsets.length * 4);
    for (int i = 0; i < offsets.length; i++) {
      b.putInt(i * 4, offsets[i]);
    }
    return b.array();
  }

  static byte[] vk(String name, int type, int dataSize, int dataOffset) {
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = le(20 + n.length);
    b.put(0, (byte) 'v').put(1, (byte) 'k').putShort(2, (short) n.length).putInt(4, dataSize)
        .putInt(8, dataOffset).putInt(12, type).putShort(16, (short) 1);
    b.put(20, n);
    return b.array();
  }

  static byte[] db(int count, int list) {
    return le(8).put(0, (byte) 'd').put(1, (byte) 'b').putShort(2, (short) count)
        .putInt(4, list).array();
  }

  /** The whole file: base block (with a valid checksum) and the hive bin. */
  byte[] build(int root) {
    ByteBuffer f = le(4096 + bins.capacity());
    f.put(0, "regf".getBytes(StandardCharsets.US_ASCII)).putInt(4, 1).putInt(8, 1)
        .putInt(20, 1).putInt(24, minor).putInt(28, 0).putInt(32, 1).putInt(36, root)
        .putInt(40, bins.capacity()).putInt(44, 1);
    int x = 0;
    for (int i = 0; i < 508; i += 4) {
      x ^= f.getInt(i);
    }
    f.putInt(508, x);
    f.put(4096, bins.array());
    return f.array();
  }
}
