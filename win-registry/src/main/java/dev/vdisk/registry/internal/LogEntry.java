package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A log entry ({@code HvLE}) of a new-format transaction log (Windows 8.1 and later): a 40-byte
 * header (signature, size, flags, sequence number, hive bins data size, dirty pages count, Hash-1,
 * Hash-2), the dirty page references (offset relative to the hive bins data, size), then the pages
 * in the same order. Hash-1 is Marvin32 over everything after the header up to {@code size};
 * Hash-2 is Marvin32 over the first 32 bytes (including Hash-1).
 *
 * @param size bytes of this entry, a multiple of 512
 * @param flags copy of the base block's flags field (offset 144)
 * @param sequence sequence number the base block takes when the entry is applied
 * @param hiveBinsDataSize hive bins data size after the entry, a multiple of 4096
 * @param pages the dirty pages, in stored order
 */
public record LogEntry(int size, int flags, int sequence, int hiveBinsDataSize,
    List<Page> pages) {

  /** Entries start and are aligned on this. */
  public static final int ALIGNMENT = 512;
  /** Size of the fixed header. */
  public static final int HEADER = 40;
  private static final int SIGNATURE = 0x454c7648; // "HvLE"

  /**
   * One dirty page of an entry.
   *
   * @param offset where it goes, relative to the start of the hive bins data
   * @param data its bytes (a read-only view into the log)
   */
  public record Page(int offset, ByteBuffer data) {}

  /** Whether {@code log} holds the {@code HvLE} signature at absolute index {@code at}. */
  public static boolean startsAt(ByteBuffer log, int at) {
    return at >= 0 && log.limit() - at >= 4
        && log.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(at) == SIGNATURE;
  }

  /**
   * Parses and validates the entry at absolute index {@code at} of a log held in memory: sizes
   * within the log, page references within the entry's hive bins data size, both hashes.
   *
   * @param log the whole log file
   * @param at where the entry starts (a multiple of 512)
   * @param source file name for messages
   * @throws CorruptStructureException naming what is wrong (the replay stops there)
   */
  public static LogEntry parse(ByteBuffer log, int at, String source)
      throws CorruptStructureException {
    ByteBuffer b = log.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (at < 0 || b.limit() - at < HEADER) {
      throw new CorruptStructureException(source, at, "HvLE log entry", "the log ends early");
    }
    if (b.getInt(at) != SIGNATURE) {
      throw new CorruptStructureException(source, at, "HvLE log entry", "signature is not HvLE");
    }
    int size = b.getInt(at + 4);
    if (size < HEADER || size % ALIGNMENT != 0 || size > b.limit() - at) {
      throw new CorruptStructureException(source, at + 4, "HvLE log entry", "size "
          + Integer.toUnsignedString(size) + " is not a multiple of 512 within the log of "
          + b.limit() + " bytes");
    }
    int flags = b.getInt(at + 8);
    int sequence = b.getInt(at + 12);
    int binsSize = b.getInt(at + 16);
    if (binsSize <= 0 || binsSize % BaseBlock.ALIGNMENT != 0) {
      throw new CorruptStructureException(source, at + 16, "HvLE log entry",
          "hive bins data size " + Integer.toUnsignedString(binsSize)
              + " is not a positive multiple of 4096");
    }
    int count = b.getInt(at + 20);
    if (count < 0 || count > (size - HEADER) / 8) {
      throw new CorruptStructureException(source, at + 20, "HvLE log entry", "dirty pages count "
          + Integer.toUnsignedString(count) + " does not fit in an entry of " + size + " bytes");
    }
    long hash1 = b.getLong(at + 24);
    long hash2 = b.getLong(at + 32);
    long computed2 = Marvin32.hash(b, at, 32, Marvin32.REGISTRY_SEED);
    if (hash2 != computed2) {
      throw new CorruptStructureException(source, at + 32, "HvLE log entry", String.format(
          "Hash-2 %016x does not match the computed %016x", hash2, computed2));
    }
    long computed1 = Marvin32.hash(b, at + HEADER, size - HEADER, Marvin32.REGISTRY_SEED);
    if (hash1 != computed1) {
      throw new CorruptStructureException(source, at + 24, "HvLE log entry", String.format(
          "Hash-1 %016x does not match the computed %016x", hash1, computed1));
    }
    List<Page> pages = new ArrayList<>(count);
    long data = at + HEADER + 8L * count;
    long end = at + (long) size;
    for (int i = 0; i < count; i++) {
      int ref = at + HEADER + 8 * i;
      int offset = b.getInt(ref);
      int length = b.getInt(ref + 4);
      if (offset < 0 || length <= 0 || (long) offset + length > binsSize) {
        throw new CorruptStructureException(source, ref, "HvLE dirty page reference",
            "page of " + Integer.toUnsignedString(length) + " bytes at "
                + Integer.toUnsignedString(offset) + " is outside the hive bins data of "
                + binsSize + " bytes");
      }
      if (data + length > end) {
        throw new CorruptStructureException(source, ref, "HvLE dirty page reference",
            "page data runs past the end of the entry");
      }
      pages.add(new Page(offset, b.slice((int) data, length).asReadOnlyBuffer()));
      data += length;
    }
    return new LogEntry(size, flags, sequence, binsSize, List.copyOf(pages));
  }

  /**
   * Builds an entry: header, references and pages, padded to a multiple of 512, with both
   * hashes.
   */
  public static ByteBuffer build(int flags, int sequence, int hiveBinsDataSize,
      List<Page> pages) {
    long length = HEADER + 8L * pages.size();
    for (Page p : pages) {
      length += p.data().remaining();
    }
    length = (length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    if (length > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("log entry too large: " + length);
    }
    ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, SIGNATURE).putInt(4, (int) length).putInt(8, flags).putInt(12, sequence)
        .putInt(16, hiveBinsDataSize).putInt(20, pages.size());
    int ref = HEADER;
    int data = HEADER + 8 * pages.size();
    for (Page p : pages) {
      int n = p.data().remaining();
      b.putInt(ref, p.offset()).putInt(ref + 4, n);
      b.put(data, p.data(), p.data().position(), n);
      ref += 8;
      data += n;
    }
    b.putLong(24, Marvin32.hash(b, HEADER, (int) length - HEADER, Marvin32.REGISTRY_SEED));
    b.putLong(32, Marvin32.hash(b, 0, 32, Marvin32.REGISTRY_SEED));
    return b;
  }
}
