package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The jbd2 journal superblock ({@code journal_superblock_t}, big-endian, in block 0 of the
 * journal): version 1 or 2, geometry, the start of the log, and the features that decide the tag
 * format (64bit, csum v2/v3) and whether revoke records exist.
 */
public final class JournalSuperblock {
  public static final int MAGIC = 0xC03B3998;
  public static final int DESCRIPTOR_BLOCK = 1;
  public static final int COMMIT_BLOCK = 2;
  public static final int SUPERBLOCK_V1 = 3;
  public static final int SUPERBLOCK_V2 = 4;
  public static final int REVOKE_BLOCK = 5;
  public static final int INCOMPAT_REVOKE = 0x1;
  public static final int INCOMPAT_64BIT = 0x2;
  public static final int INCOMPAT_ASYNC_COMMIT = 0x4;
  public static final int INCOMPAT_CSUM_V2 = 0x8;
  public static final int INCOMPAT_CSUM_V3 = 0x10;
  public static final int INCOMPAT_FAST_COMMIT = 0x20;
  private static final int INCOMPAT_KNOWN = 0x3F;

  public final int blockType;
  public final int blockSize;
  public final long maxLen;
  public final long first;
  public final int sequence;
  public final long start;
  public final int incompat;
  public final byte[] uuid = new byte[16];
  public final int numFcBlocks;

  private JournalSuperblock(ByteBuffer b) {
    blockType = b.getInt(4);
    blockSize = b.getInt(0xC);
    maxLen = b.getInt(0x10) & 0xFFFFFFFFL;
    first = b.getInt(0x14) & 0xFFFFFFFFL;
    sequence = b.getInt(0x18);
    start = b.getInt(0x1C) & 0xFFFFFFFFL;
    incompat = blockType == SUPERBLOCK_V2 ? b.getInt(0x28) : 0;
    b.duplicate().position(0x30).get(uuid);
    numFcBlocks = blockType == SUPERBLOCK_V2 ? b.getInt(0x54) : 0;
  }

  /**
   * Parses and validates the journal superblock.
   *
   * @param block the journal's block 0
   * @param fsBlockSize the file system's block size (must match)
   * @param journalBlocks the journal file's length in blocks
   * @param source the device description
   * @param offset the block's byte offset
   * @return the superblock
   * @throws CorruptStructureException if the magic, type or geometry is bad
   * @throws UnsupportedFeatureException for an unknown incompatible journal feature
   */
  public static JournalSuperblock parse(byte[] block, int fsBlockSize, long journalBlocks,
      String source, long offset) throws CorruptStructureException, UnsupportedFeatureException {
    ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.BIG_ENDIAN);
    if (block.length < 1024 || b.getInt(0) != MAGIC) {
      throw new CorruptStructureException(source, offset, "journal superblock", "bad magic");
    }
    JournalSuperblock j = new JournalSuperblock(b);
    if (j.blockType != SUPERBLOCK_V1 && j.blockType != SUPERBLOCK_V2) {
      throw new CorruptStructureException(source, offset, "journal superblock",
          "h_blocktype " + j.blockType + " is not a superblock");
    }
    if (j.blockSize != fsBlockSize) {
      throw new CorruptStructureException(source, offset, "journal superblock",
          "s_blocksize " + j.blockSize + " differs from the file system's " + fsBlockSize);
    }
    if (j.maxLen < 2 || j.maxLen > journalBlocks || j.first < 1 || j.first >= j.maxLen
        || (j.start != 0 && (j.start < j.first || j.start >= j.maxLen))) {
      throw new CorruptStructureException(source, offset, "journal superblock",
          "s_maxlen " + j.maxLen + " / s_first " + j.first + " / s_start " + j.start
              + " do not fit the " + journalBlocks + "-block journal");
    }
    int unknown = j.incompat & ~INCOMPAT_KNOWN;
    if (unknown != 0) {
      throw new UnsupportedFeatureException(null, String.format("jbd2 incompat 0x%x", unknown),
          source + ": unknown incompatible journal feature");
    }
    return j;
  }

  public boolean has(int feature) {
    return (incompat & feature) != 0;
  }

  public boolean csumV2orV3() {
    return has(INCOMPAT_CSUM_V2) || has(INCOMPAT_CSUM_V3);
  }

  /** @return the size of one block tag in a descriptor block */
  public int tagBytes() {
    if (has(INCOMPAT_CSUM_V3)) {
      return 16;
    }
    int sz = 12;
    if (has(INCOMPAT_CSUM_V2)) {
      sz += 2;
    }
    return has(INCOMPAT_64BIT) ? sz : sz - 4;
  }

  /** @return the last block of the regular log (fast-commit blocks follow it) */
  public long logEnd() {
    if (has(INCOMPAT_FAST_COMMIT)) {
      long fc = numFcBlocks == 0 ? 256 : numFcBlocks;
      return maxLen - fc > first ? maxLen - fc : maxLen;
    }
    return maxLen;
  }
}
