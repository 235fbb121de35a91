package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header of an extent-tree node ({@code struct ext4_extent_header}): magic 0xF30A, entry
 * count, capacity and depth; 12-byte entries follow it (index entries above depth 0, extents at
 * depth 0).
 */
public final class ExtentHeader {
  public static final int MAGIC = 0xF30A;
  public static final int MAX_DEPTH = 5;

  public final int entries;
  public final int max;
  public final int depth;

  private ExtentHeader(int entries, int max, int depth) {
    this.entries = entries;
    this.max = max;
    this.depth = depth;
  }

  /**
   * Parses and validates a node header.
   *
   * @param node the node's bytes (60 for the root in {@code i_block}, a block otherwise)
   * @param where a description of the node for errors ({@code "extent block 1234 of inode 12"})
   * @param source the device description
   * @param offset the node's byte offset, or -1
   * @return the header
   * @throws CorruptStructureException if the magic, counts or depth are bad
   */
  public static ExtentHeader parse(byte[] node, String where, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = ByteBuffer.wrap(node).order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getShort(0) & 0xFFFF;
    if (magic != MAGIC) {
      throw new CorruptStructureException(source, offset, "extent header",
          where + ": bad magic " + String.format("0x%04x", magic));
    }
    int entries = b.getShort(2) & 0xFFFF;
    int max = b.getShort(4) & 0xFFFF;
    int depth = b.getShort(6) & 0xFFFF;
    if (max == 0 || 12 + 12L * max > node.length || entries > max) {
      throw new CorruptStructureException(source, offset, "extent header",
          where + ": eh_entries " + entries + " / eh_max " + max + " do not fit the node");
    }
    if (depth > MAX_DEPTH) {
      throw new CorruptStructureException(source, offset, "extent header",
          where + ": eh_depth " + depth + " exceeds " + MAX_DEPTH);
    }
    return new ExtentHeader(entries, max, depth);
  }
}
