package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Where a file's logical blocks are: sorted, non-overlapping runs of (logical block, physical
 * block, length, uninitialised), built from an extent tree of any depth or from the classic block
 * map (direct, indirect, double and triple indirect). Gaps are holes.
 */
public final class FileMap {
  /** Reads metadata blocks for the builders. */
  public interface Blocks {
    /**
     * Reads one file-system block.
     *
     * @param block the block number
     * @return its bytes (not to be modified)
     * @throws IOException on an I/O error, or a block outside the volume
     */
    byte[] block(long block) throws IOException;

    /** @return the block size */
    int blockSize();

    /** @return the number of blocks in the volume */
    long blocksCount();

    /** @return the device description, for errors */
    String source();

    /** @return the superblock */
    Superblock superblock();
  }

  private long[] logical = new long[8];
  private long[] physical = new long[8];
  private int[] length = new int[8];
  private boolean[] uninit = new boolean[8];
  private int count;
  private long mapped;

  private FileMap() {}

  /** @return the number of runs */
  public int size() {
    return count;
  }

  private void add(long lblk, long pblk, long len, boolean unwritten, Blocks io, String where)
      throws CorruptStructureException {
    if (len <= 0) {
      return;
    }
    if (pblk < 0 || pblk + len > io.blocksCount() || pblk + len < pblk) {
      throw new CorruptStructureException(io.source(), -1, "extent",
          where + ": blocks " + pblk + "+" + len + " are outside the volume (" + io.blocksCount()
              + " blocks)");
    }
    mapped += len;
    if (mapped > io.blocksCount()) {
      throw new CorruptStructureException(io.source(), -1, "extent",
          where + ": maps more blocks than the volume has");
    }
    if (count > 0) {
      int i = count - 1;
      if (logical[i] + length[i] == lblk && physical[i] + length[i] == pblk && uninit[i] == unwritten
          && length[i] + len <= Integer.MAX_VALUE) {
        length[i] += (int) len;
        return;
      }
      if (lblk < logical[i] + length[i]) {
        throw new CorruptStructureException(io.source(), -1, "extent",
            where + ": logical block " + lblk + " overlaps or precedes the previous extent");
      }
    }
    if (count == logical.length) {
      int n = count * 2;
      logical = Arrays.copyOf(logical, n);
      physical = Arrays.copyOf(physical, n);
      length = Arrays.copyOf(length, n);
      uninit = Arrays.copyOf(uninit, n);
    }
    logical[count] = lblk;
    physical[count] = pblk;
    length[count] = (int) len;
    uninit[count] = unwritten;
    count++;
  }

  /**
   * Finds the run holding a logical block, or the first run after it.
   *
   * @param lblk the logical block
   * @return the run's index, or {@code -(insertion point) - 1} when {@code lblk} is in a hole
   *     (the insertion point being the next run, possibly {@link #size()})
   */
  public int find(long lblk) {
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (logical[mid] + length[mid] <= lblk) {
        lo = mid + 1;
      } else if (logical[mid] > lblk) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -lo - 1;
  }

  public long logical(int i) {
    return logical[i];
  }

  public long physical(int i) {
    return physical[i];
  }

  public int length(int i) {
    return length[i];
  }

  public boolean uninitialized(int i) {
    return uninit[i];
  }

  /**
   * Maps a file by its extent tree.
   *
   * @param inode the inode (with {@code EXTENTS_FL})
   * @param io block access
   * @return the map
   * @throws IOException on an I/O error or a corrupt tree (bad magic, depth not decreasing by one
   *     per level, entries out of order, checksum mismatch)
   */
  public static FileMap ofExtents(Inode inode, Blocks io) throws IOException {
    FileMap map = new FileMap();
    byte[] root = inode.iBlock();
    String where = "inode " + inode.ino;
    ExtentHeader h = ExtentHeader.parse(root, where + " (i_block)", io.source(), -1);
    map.walk(root, h, -1, inode, io, where, new int[] {0});
    return map;
  }

  private void walk(byte[] node, ExtentHeader h, long blockNr, Inode inode, Blocks io,
      String where, int[] nodesVisited) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(node).order(ByteOrder.LITTLE_ENDIAN);
    long previous = -1;
    for (int i = 0; i < h.entries; i++) {
      int off = 12 + 12 * i;
      long first = b.getInt(off) & 0xFFFFFFFFL;
      if (first <= previous && i > 0) {
        throw new CorruptStructureException(io.source(), -1, "extent",
            where + ": entries out of order at logical block " + first);
      }
      previous = first;
      if (h.depth == 0) {
        int len = b.getShort(off + 4) & 0xFFFF;
        boolean unwritten = len > 32768;
        if (unwritten) {
          len -= 32768;
        }
        long start = ((long) (b.getShort(off + 6) & 0xFFFF) << 32) | (b.getInt(off + 8) & 0xFFFFFFFFL);
        add(first, start, len, unwritten, io, where);
      } else {
        long leaf = (b.getInt(off + 4) & 0xFFFFFFFFL) | ((long) (b.getShort(off + 8) & 0xFFFF) << 32);
        if (leaf == 0 || leaf >= io.blocksCount()) {
          throw new CorruptStructureException(io.source(), -1, "extent index",
              where + ": child block " + leaf + " is outside the volume");
        }
        if (++nodesVisited[0] > io.blocksCount()) {
          throw new CorruptStructureException(io.source(), -1, "extent tree",
              where + ": more nodes than blocks in the volume");
        }
        byte[] child = io.block(leaf);
        long childOffset = leaf * io.blockSize();
        String childWhere = where + " extent block " + leaf;
        ExtentHeader ch = ExtentHeader.parse(child, childWhere, io.source(), childOffset);
        if (ch.depth != h.depth - 1) {
          throw new CorruptStructureException(io.source(), childOffset, "extent header",
              childWhere + ": depth " + ch.depth + " under a node of depth " + h.depth);
        }
        if (io.superblock().metadataCsum()) {
          int tail = 12 + 12 * ch.max;
          if (tail + 4 <= child.length) {
            int stored = ByteBuffer.wrap(child).order(ByteOrder.LITTLE_ENDIAN).getInt(tail);
            int crc = Crc32c.update(inode.checksumSeed(io.superblock()), child, 0, tail);
            if (crc != stored) {
              throw new CorruptStructureException(io.source(), childOffset, "extent block",
                  String.format("%s: et_checksum 0x%08x does not match the computed 0x%08x",
                      childWhere, stored, crc));
            }
          }
        }
        walk(child, ch, leaf, inode, io, where, nodesVisited);
      }
    }
  }

  /**
   * Maps a file by the classic block map in {@code i_block}.
   *
   * @param inode the inode
   * @param io block access
   * @return the map
   * @throws IOException on an I/O error or a pointer outside the volume
   */
  public static FileMap ofBlockMap(Inode inode, Blocks io) throws IOException {
    FileMap map = new FileMap();
    int bs = io.blockSize();
    long blocksNeeded = (inode.size + bs - 1) / bs;
    ByteBuffer ib = ByteBuffer.wrap(inode.iBlock()).order(ByteOrder.LITTLE_ENDIAN);
    String where = "inode " + inode.ino;
    long per = bs / 4;
    long lblk = 0;
    for (int i = 0; i < 12 && lblk < blocksNeeded; i++, lblk++) {
      long p = ib.getInt(4 * i) & 0xFFFFFFFFL;
      if (p != 0) {
        map.addPointer(lblk, p, io, where);
      }
    }
    long span = per;
    for (int level = 1; level <= 3 && lblk < blocksNeeded; level++) {
      long p = ib.getInt(4 * (11 + level)) & 0xFFFFFFFFL;
      if (p != 0) {
        map.indirect(p, level, lblk, blocksNeeded, io, where);
      }
      lblk += span;
      span *= per;
    }
    return map;
  }

  private void addPointer(long lblk, long p, Blocks io, String where)
      throws CorruptStructureException {
    add(lblk, p, 1, false, io, where);
  }

  private void indirect(long block, int level, long firstLblk, long limit, Blocks io, String where)
      throws IOException {
    if (block >= io.blocksCount()) {
      throw new CorruptStructureException(io.source(), -1, "indirect block",
          where + ": block " + block + " is outside the volume");
    }
    byte[] data = io.block(block);
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long per = io.blockSize() / 4;
    long span = 1;
    for (int i = 1; i < level; i++) {
      span *= per;
    }
    long lblk = firstLblk;
    for (int i = 0; i < per && lblk < limit; i++, lblk += span) {
      long p = b.getInt(4 * i) & 0xFFFFFFFFL;
      if (p == 0) {
        continue;
      }
      if (level == 1) {
        addPointer(lblk, p, io, where);
      } else {
        indirect(p, level - 1, lblk, limit, io, where);
      }
    }
  }
}
