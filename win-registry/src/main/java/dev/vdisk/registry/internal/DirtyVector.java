package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

/**
 * The dirty vector of an old-format transaction log ({@code .LOG}, Windows XP to 8): the signature
 * {@code DIRT} at the log's second sector, then one bit per 512-byte page of the hive bins data
 * (bit 0 of byte 0 is the first page); the dirty pages follow from the next sector on, 512 bytes
 * each, in bit order.
 *
 * @param dirty the dirty 512-byte pages of the hive bins data
 * @param pagesStart offset in the log of the first dirty page
 */
public record DirtyVector(BitSet dirty, int pagesStart) {
  /** Where the vector starts in the log. */
  public static final int START = 512;
  /** Size of a page. */
  public static final int PAGE = 512;
  private static final int SIGNATURE = 0x54524944; // "DIRT"

  /** Whether {@code log} holds the {@code DIRT} signature at offset 512. */
  public static boolean present(ByteBuffer log) {
    return log.limit() >= START + 4
        && log.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(START) == SIGNATURE;
  }

  /**
   * Parses the vector of a log held in memory, for a hive bins data of {@code hiveBinsDataSize}
   * bytes, and checks that every dirty page it announces is present in the log.
   */
  public static DirtyVector parse(ByteBuffer log, int hiveBinsDataSize, String source)
      throws CorruptStructureException {
    if (!present(log)) {
      throw new CorruptStructureException(source, START, "DIRT dirty vector",
          "signature is not DIRT");
    }
    if (hiveBinsDataSize <= 0 || hiveBinsDataSize % BaseBlock.ALIGNMENT != 0) {
      throw new CorruptStructureException(source, 40, "regf base block", "hive bins data size "
          + Integer.toUnsignedString(hiveBinsDataSize) + " is not a positive multiple of 4096");
    }
    int bits = hiveBinsDataSize / PAGE;
    int bytes = bits / 8;
    if ((long) START + 4 + bytes > log.limit()) {
      throw new CorruptStructureException(source, START, "DIRT dirty vector", "a bitmap of "
          + bytes + " bytes does not fit in the log of " + log.limit() + " bytes");
    }
    byte[] map = new byte[bytes];
    log.get(START + 4, map);
    BitSet dirty = BitSet.valueOf(map);
    long pagesStart = (START + 4L + bytes + PAGE - 1) / PAGE * PAGE;
    long end = pagesStart + (long) dirty.cardinality() * PAGE;
    if (end > log.limit()) {
      throw new CorruptStructureException(source, pagesStart, "DIRT dirty pages",
          dirty.cardinality() + " dirty pages do not fit in the log of " + log.limit() + " bytes");
    }
    return new DirtyVector(dirty, (int) pagesStart);
  }
}
