package dev.vdisk.vhdx.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The File Parameters metadata item: block size and the LeaveBlocksAllocated and HasParent flags.
 *
 * @param blockSize the payload block size, a power of two from 1 MiB to 256 MiB
 * @param leaveBlocksAllocated whether blocks must stay allocated (fixed disks)
 * @param hasParent whether this is a differencing disk
 */
public record FileParameters(long blockSize, boolean leaveBlocksAllocated, boolean hasParent) {
  /** Size of the item. */
  public static final int SIZE = 8;
  /** Smallest block size. */
  public static final long MIN_BLOCK_SIZE = 1 << 20;
  /** Largest block size. */
  public static final long MAX_BLOCK_SIZE = 256 << 20;

  /**
   * Parses and validates the item.
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @param file the image, for messages
   * @param offset the item's file offset, for messages
   * @return the parameters
   * @throws CorruptStructureException if the block size is invalid or the item is short
   */
  public static FileParameters parse(ByteBuffer buffer, Path file, long offset)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, "VHDX file parameters", "item too short");
    }
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long blockSize = le.getInt(buffer.position()) & 0xFFFF_FFFFL;
    int flags = le.getInt(buffer.position() + 4);
    if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
      throw new CorruptStructureException(file, offset, "VHDX file parameters", "block size "
          + blockSize + " is not a power of two from 1 MiB to 256 MiB");
    }
    return new FileParameters(blockSize, (flags & 1) != 0, (flags & 2) != 0);
  }

  /**
   * Writes the item at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(buffer.position(), (int) blockSize);
    le.putInt(buffer.position() + 4, (leaveBlocksAllocated ? 1 : 0) | (hasParent ? 2 : 0));
  }
}
