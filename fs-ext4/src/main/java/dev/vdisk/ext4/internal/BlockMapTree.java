package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The classic ext2/ext3 block map being edited: 12 direct pointers in {@code i_block}, then one
 * single, one double and one triple indirect block. Indirect blocks are metadata (journaled);
 * they are allocated as pointers need them and freed when truncation leaves them empty.
 */
final class BlockMapTree implements BlockMapping {
  private static final int DIRECT = 12;

  private final Ext4Writer w;
  private final MutableInode inode;
  private final int bs;
  private final long per;
  private final BlockFreer freer;

  BlockMapTree(Ext4Writer w, MutableInode inode, BlockFreer freer) {
    this.w = w;
    this.inode = inode;
    this.bs = w.blockSize();
    this.per = bs / 4;
    this.freer = freer;
  }

  /** Logical blocks covered by one pointer at each level (1, per, per², per³). */
  private long span(int level) {
    long s = 1;
    for (int i = 0; i < level; i++) {
      s *= per;
    }
    return s;
  }

  /** First logical block under the i_block slot of the single (1), double (2), triple (3). */
  private long levelStart(int level) {
    long s = DIRECT;
    for (int l = 1; l < level; l++) {
      s += span(l);
    }
    return s;
  }

  @Override
  public long limit() {
    return levelStart(3) + span(3);
  }

  private long pointer(byte[] blk, long i) {
    return ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN).getInt((int) (4 * i))
        & 0xFFFFFFFFL;
  }

  private void setPointer(byte[] blk, long i, long v) {
    ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (4 * i), (int) v);
  }

  private long slot(int i) {
    return inode.buffer().getInt(MutableInode.I_BLOCK + 4 * i) & 0xFFFFFFFFL;
  }

  private void setSlot(int i, long v) {
    inode.buffer().putInt(MutableInode.I_BLOCK + 4 * i, (int) v);
  }

  private byte[] indirect(long block) throws IOException {
    if (block < w.superblock().firstDataBlock || block >= w.superblock().blocksCount) {
      throw new CorruptStructureException(w.source(), -1, "indirect block",
          "inode " + inode.ino() + ": block " + block + " is outside the volume");
    }
    return w.metaBlock(block);
  }

  /** The level (0 direct, 1..3) and offset below that level's slot. */
  private int levelOf(long logical) {
    if (logical < DIRECT) {
      return 0;
    }
    for (int level = 1; level <= 3; level++) {
      if (logical < levelStart(level) + span(level)) {
        return level;
      }
    }
    return -1;
  }

  /** The physical block at a logical block, or 0 for a hole. */
  private long map(long logical) throws IOException {
    int level = levelOf(logical);
    if (level < 0) {
      return 0;
    }
    if (level == 0) {
      return slot((int) logical);
    }
    long p = slot(DIRECT + level - 1);
    long off = logical - levelStart(level);
    for (int l = level; l >= 1 && p != 0; l--) {
      long s = span(l - 1);
      p = pointer(indirect(p), off / s);
      off %= s;
    }
    return p;
  }

  @Override
  public Run lookup(long logical) throws IOException {
    long p = map(logical);
    if (p != 0) {
      long n = 1;
      while (n < 4096 && logical + n < limit() && map(logical + n) == p + n) {
        n++;
      }
      return new Run(logical, p, n, false);
    }
    long n = 1;
    while (n < 4096 && logical + n < limit() && map(logical + n) == 0) {
      n++;
    }
    return new Run(logical, -1, logical + n >= limit() ? Long.MAX_VALUE : n, false);
  }

  @Override
  public long goal(long logical) throws IOException {
    if (logical > 0) {
      long p = map(logical - 1);
      if (p != 0) {
        return p + 1;
      }
    }
    return -1;
  }

  @Override
  public void insert(long logical, long physical, int length) throws IOException {
    if (logical < 0 || logical + length > limit()) {
      throw new IllegalArgumentException("blocks " + logical + "+" + length
          + " are past the block map's limit");
    }
    if (physical + length > 1L << 32) {
      throw new java.nio.file.FileSystemException(w.source(), null, "inode " + inode.ino()
          + ": block " + (physical + length - 1) + " cannot be stored in a 32-bit block map");
    }
    int i = 0;
    try {
      for (; i < length; i++) {
        set(logical + i, physical + i, physical + length);
      }
    } catch (IOException | RuntimeException e) {
      // leave the run wholly unmapped: the caller frees it
      for (int k = 0; k < i; k++) {
        unset(logical + k);
      }
      throw e;
    }
  }

  private void unset(long logical) throws IOException {
    int level = levelOf(logical);
    if (level == 0) {
      setSlot((int) logical, 0);
      return;
    }
    long p = slot(DIRECT + level - 1);
    long off = logical - levelStart(level);
    for (int l = level; l >= 1 && p != 0; l--) {
      long s = span(l - 1);
      byte[] blk = indirect(p);
      if (l == 1) {
        setPointer(blk, off / s, 0);
        w.markDirty(p, blk);
        return;
      }
      p = pointer(blk, off / s);
      off %= s;
    }
  }

  private void set(long logical, long physical, long goal) throws IOException {
    int level = levelOf(logical);
    if (level == 0) {
      if (slot((int) logical) != 0) {
        throw new IllegalArgumentException("logical block " + logical + " is mapped");
      }
      setSlot((int) logical, physical);
      return;
    }
    int s0 = DIRECT + level - 1;
    long p = slot(s0);
    if (p == 0) {
      p = newIndirect(goal);
      setSlot(s0, p);
    }
    long off = logical - levelStart(level);
    for (int l = level; l >= 1; l--) {
      long s = span(l - 1);
      byte[] blk = indirect(p);
      long i = off / s;
      off %= s;
      long next = pointer(blk, i);
      if (l == 1) {
        if (next != 0) {
          throw new IllegalArgumentException("logical block " + logical + " is mapped");
        }
        setPointer(blk, i, physical);
        w.markDirty(p, blk);
        return;
      }
      if (next == 0) {
        next = newIndirect(goal);
        setPointer(blk, i, next);
        w.markDirty(p, blk);
      }
      p = next;
    }
  }

  private long newIndirect(long goal) throws IOException {
    long b = w.allocateBlocks(goal, 1).start();
    if (b >= 1L << 32) {
      w.freeBlocks(b, 1);
      throw new java.nio.file.FileSystemException(w.source(), null, "inode " + inode.ino()
          + ": block " + b + " cannot be stored in a 32-bit block map");
    }
    w.newMetaBlock(b);
    inode.addBlocks(1);
    return b;
  }

  @Override
  public void markInitialized(long logical, long length) {
    throw new IllegalStateException("block maps have no unwritten extents");
  }

  @Override
  public void truncate(long from) throws IOException {
    for (int i = DIRECT - 1; i >= 0; i--) {
      if (i >= from && slot(i) != 0) {
        freer.free(slot(i), 1);
        inode.addBlocks(-1);
        setSlot(i, 0);
      }
    }
    for (int level = 1; level <= 3; level++) {
      long p = slot(DIRECT + level - 1);
      long start = levelStart(level);
      if (p == 0 || start + span(level) <= from) {
        continue;
      }
      if (truncate(p, level, start, from)) {
        freer.free(p, 1);
        inode.addBlocks(-1);
        setSlot(DIRECT + level - 1, 0);
      }
    }
  }

  /**
   * Frees what an indirect block of {@code level} maps at or after {@code from}.
   *
   * @return whether the block is left without pointers (the caller frees it)
   */
  private boolean truncate(long block, int level, long start, long from) throws IOException {
    byte[] blk = indirect(block);
    long s = span(level - 1);
    boolean empty = true;
    for (long i = 0; i < per; i++) {
      long p = pointer(blk, i);
      if (p == 0) {
        continue;
      }
      long first = start + i * s;
      if (first + s <= from) {
        empty = false;
        continue;
      }
      boolean gone;
      if (level == 1) {
        freer.free(p, 1);
        inode.addBlocks(-1);
        gone = true;
      } else {
        gone = truncate(p, level - 1, first, from);
        if (gone) {
          freer.free(p, 1);
          inode.addBlocks(-1);
        }
      }
      if (gone) {
        blk = indirect(block);
        setPointer(blk, i, 0);
        w.markDirty(block, blk);
      } else {
        empty = false;
      }
    }
    return empty;
  }
}
