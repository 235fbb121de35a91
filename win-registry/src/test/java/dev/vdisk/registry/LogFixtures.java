package dev.vdisk.registry;

import dev.vdisk.registry.internal.BaseBlock;
import dev.vdisk.registry.internal.KeyNode;
import dev.vdisk.registry.internal.LogEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/** Hand-made hives and transaction logs for the log and store tests. */
final class LogFixtures {
  private LogFixtures() {}

  /** A small valid hive: one 8 KiB hive bin with the root key, the rest one free cell. */
  static byte[] hive() {
    TestHive t = new TestHive(8192);
    int root = t.cell(TestHive.nk("ROOT", KeyNode.KEY_HIVE_ENTRY, 0, 0, -1, 0, -1, -1, 0));
    int next = root + ((4 + 76 + 4 + 7) & ~7);
    t.bins.putInt(next, 8192 - next);
    return t.build(root);
  }

  static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Sets both sequence numbers (or two different ones) and the checksum. */
  static byte[] withSequence(byte[] hive, int primary, int secondary) {
    byte[] out = hive.clone();
    le(out).putInt(4, primary).putInt(8, secondary);
    return rechecksum(out);
  }

  static byte[] rechecksum(byte[] f) {
    ByteBuffer b = le(f);
    b.putInt(508, BaseBlock.computeChecksum(b));
    return f;
  }

  /** The next state: random bytes inside a free cell, or a new empty hive bin. */
  static byte[] mutate(byte[] hive, Random random, boolean grow) {
    int size = le(hive).getInt(40);
    if (grow) {
      return grow(hive, 4096 * (1 + random.nextInt(2)));
    }
    byte[] out = hive.clone();
    List<int[]> free = freeCells(hive, size);
    int[] cell = free.get(random.nextInt(free.size()));
    int from = cell[0] + random.nextInt(cell[1] - cell[0]);
    int length = 1 + random.nextInt(Math.min(700, cell[1] - from));
    byte[] noise = new byte[length];
    random.nextBytes(noise);
    System.arraycopy(noise, 0, out, from, length);
    return out;
  }

  /** File offsets [from, to) of the bodies of the free cells (contents hivex never reads). */
  static List<int[]> freeCells(byte[] hive, int size) {
    ByteBuffer b = le(hive);
    List<int[]> out = new ArrayList<>();
    int bin = 0;
    while (bin < size) {
      int binSize = b.getInt(4096 + bin + 8);
      int at = bin + 32;
      while (at < bin + binSize) {
        int cell = b.getInt(4096 + at);
        if (cell > 8) {
          out.add(new int[] {4096 + at + 4, 4096 + at + cell});
        }
        at += Math.abs(cell);
      }
      bin += binSize;
    }
    return out;
  }

  /** The hive with one more empty hive bin of BINSIZE bytes (one free cell). */
  static byte[] grow(byte[] hive, int binSize) {
    int size = le(hive).getInt(40);
    {
      byte[] out = Arrays.copyOf(hive, hive.length + binSize);
      ByteBuffer b = le(out);
      int at = 4096 + size;
      b.put(at, "hbin".getBytes(StandardCharsets.US_ASCII)).putInt(at + 4, size)
          .putInt(at + 8, binSize).putInt(at + 32, binSize - 32);
      b.putInt(40, size + binSize);
      return rechecksum(out);
    }
  }

  /** The 512-byte sectors of the hive bins data that differ (or are new). */
  static BitSet dirty(byte[] before, byte[] after) {
    BitSet d = new BitSet();
    for (int s = 0; 4096 + s * 512 < after.length; s++) {
      int at = 4096 + s * 512;
      if (at + 512 > before.length || !Arrays.equals(before, at, at + 512, after, at, at + 512)) {
        d.set(s);
      }
    }
    return d;
  }

  /** One log entry taking BEFORE to AFTER: every differing 4096-byte page. */
  static ByteBuffer entry(byte[] before, byte[] after, int sequence) {
    List<LogEntry.Page> pages = new ArrayList<>();
    for (int p = 0; 4096 + p * 4096 < after.length; p++) {
      int at = 4096 + p * 4096;
      if (at + 4096 > before.length || !Arrays.equals(before, at, at + 4096, after, at, at + 4096)) {
        pages.add(new LogEntry.Page(p * 4096, ByteBuffer.wrap(after, at, 4096).slice()));
      }
    }
    return LogEntry.build(0, sequence, le(after).getInt(40), pages);
  }

  /** A new-format log: a base block copy of HIVE (file type 6, sequence SEQ) and the entries. */
  static byte[] newLog(byte[] hive, int seq, ByteBuffer... entries) {
    int length = 512;
    for (ByteBuffer e : entries) {
      length += e.remaining();
    }
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, hive, 0, 512).putInt(4, seq).putInt(8, seq).putInt(28, 6);
    b.putInt(508, BaseBlock.computeChecksum(b));
    int at = 512;
    for (ByteBuffer e : entries) {
      b.put(at, e, e.position(), e.remaining());
      at += e.remaining();
    }
    return b.array();
  }

  /** An old-format log taking BEFORE's bins to AFTER's: DIRT bitmap and the dirty sectors. */
  static byte[] oldLog(byte[] before, byte[] after) {
    int size = le(after).getInt(40);
    BitSet dirty = dirty(before, after);
    int bitmap = size / 512 / 8;
    int pagesStart = (512 + 4 + bitmap + 511) / 512 * 512;
    ByteBuffer b = ByteBuffer.allocate(pagesStart + dirty.cardinality() * 512)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, after, 0, 512).putInt(28, 1);
    b.putInt(508, BaseBlock.computeChecksum(b));
    b.put(512, "DIRT".getBytes(StandardCharsets.US_ASCII));
    byte[] map = Arrays.copyOf(dirty.toByteArray(), bitmap);
    b.put(516, map);
    int n = 0;
    for (int s = dirty.nextSetBit(0); s >= 0; s = dirty.nextSetBit(s + 1)) {
      b.put(pagesStart + 512 * n++, after, 4096 + 512 * s, 512);
    }
    return b.array();
  }

  /** Bytes from 4096 on (the hive bins data) of a whole hive. */
  static byte[] bins(byte[] whole) {
    return Arrays.copyOfRange(whole, 4096, 4096 + le(whole).getInt(40));
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
