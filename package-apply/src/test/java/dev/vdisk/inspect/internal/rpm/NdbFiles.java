package dev.vdisk.inspect.internal.rpm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.zip.Adler32;

/** Builds small NDB {@code Packages.db} files (fuzz seeds) laid out as rpm's rpmpkg.c lays them. */
final class NdbFiles {
  private NdbFiles() {}

  /** One slot page; blobs at package indexes 1.., one after another from the first block. */
  static byte[] build(List<byte[]> blobs) {
    int[] offsets = new int[blobs.size()];
    int[] counts = new int[blobs.size()];
    long at = NdbPackages.PAGE_SIZE;
    for (int i = 0; i < blobs.size(); i++) {
      int len = NdbPackages.BLOB_HEAD + blobs.get(i).length + NdbPackages.BLOB_TAIL;
      offsets[i] = (int) (at / NdbPackages.BLOCK_SIZE);
      counts[i] = (len + NdbPackages.BLOCK_SIZE - 1) / NdbPackages.BLOCK_SIZE;
      at += (long) counts[i] * NdbPackages.BLOCK_SIZE;
    }
    ByteBuffer f = ByteBuffer.allocate((int) at).order(ByteOrder.LITTLE_ENDIAN);
    f.putInt(0, NdbPackages.MAGIC).putInt(4, 0).putInt(8, 1).putInt(12, 1)
        .putInt(16, blobs.size() + 1);
    for (int s = NdbPackages.SLOT_START; s < NdbPackages.PAGE_SIZE; s += NdbPackages.SLOT_SIZE) {
      f.putInt(s, NdbPackages.SLOT_MAGIC);
    }
    for (int i = 0; i < blobs.size(); i++) {
      int slot = NdbPackages.SLOT_START + i * NdbPackages.SLOT_SIZE;
      f.putInt(slot + 4, i + 1).putInt(slot + 8, offsets[i]).putInt(slot + 12, counts[i]);
      int off = offsets[i] * NdbPackages.BLOCK_SIZE;
      byte[] blob = blobs.get(i);
      f.putInt(off, NdbPackages.BLOB_MAGIC_START).putInt(off + 4, i + 1).putInt(off + 8, 1)
          .putInt(off + 12, blob.length);
      f.put(off + NdbPackages.BLOB_HEAD, blob);
      int tail = off + counts[i] * NdbPackages.BLOCK_SIZE - NdbPackages.BLOB_TAIL;
      Adler32 a = new Adler32();
      a.update(f.array(), off, tail - off);
      f.putInt(tail, (int) a.getValue()).putInt(tail + 4, blob.length)
          .putInt(tail + 8, NdbPackages.BLOB_MAGIC_END);
    }
    return f.array();
  }
}
