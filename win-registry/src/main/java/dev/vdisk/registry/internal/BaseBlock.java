package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;

/**
 * The regf base block: the first 4096 bytes of a hive file (signature {@code regf}, primary and
 * secondary sequence numbers, last-written time, format version, file type, root cell offset,
 * length of the hive bins data, and an XOR checksum over the first 508 bytes).
 *
 * @param primarySequence sequence number incremented before a write
 * @param secondarySequence sequence number incremented after a write; differs when dirty
 * @param lastWritten FILETIME of the last write
 * @param majorVersion always 1
 * @param minorVersion 3 to 6
 * @param fileType 0 for a primary hive file (1 and 2 are old logs, 6 the new log)
 * @param rootCellOffset offset of the root key node, relative to the first hive bin
 * @param hiveBinsDataSize total length of the hive bins, a multiple of 4096
 * @param checksum stored checksum
 */
public record BaseBlock(int primarySequence, int secondarySequence, long lastWritten,
    int majorVersion, int minorVersion, int fileType, int rootCellOffset, int hiveBinsDataSize,
    int checksum) {

  /** Size of the base block on disk. */
  public static final int SIZE = 4096;
  /** Hive bins and their data are aligned to this. */
  public static final int ALIGNMENT = 4096;

  /** The XOR of the 127 little-endian 32-bit words before the checksum, as stored (0 and -1 mapped). */
  public static int computeChecksum(ByteBuffer le) {
    int x = 0;
    for (int i = 0; i < 508; i += 4) {
      x ^= le.getInt(i);
    }
    if (x == -1) {
      return -2;
    }
    if (x == 0) {
      return 1;
    }
    return x;
  }

  /**
   * Parses and validates a base block.
   *
   * @param buffer at least 512 bytes from the start of the file
   * @param source file name for messages
   * @throws CorruptStructureException for a wrong signature, checksum or field
   * @throws UnsupportedFeatureException for a log file or an unknown version
   */
  public static BaseBlock parse(ByteBuffer buffer, String source)
      throws CorruptStructureException, UnsupportedFeatureException {
    Bytes.need(buffer, 512, source, 0, "regf base block");
    ByteBuffer b = Bytes.le(buffer);
    if (b.getInt(0) != 0x66676572) {
      throw new CorruptStructureException(source, 0, "regf base block", "signature is not regf");
    }
    int stored = b.getInt(508);
    int computed = computeChecksum(b);
    if (stored != computed) {
      throw new CorruptStructureException(source, 508, "regf base block", String.format(
          "checksum %08x does not match the computed %08x", stored, computed));
    }
    int major = b.getInt(20);
    int minor = b.getInt(24);
    if (major != 1 || minor < 3 || minor > 6) {
      throw new UnsupportedFeatureException(null, "regf version " + major + "." + minor,
          source + ": only versions 1.3 to 1.6 are supported");
    }
    int type = b.getInt(28);
    if (type != 0) {
      throw new UnsupportedFeatureException(null, "regf file type " + type,
          source + ": not a primary hive file (a transaction log?)");
    }
    int format = b.getInt(32);
    if (format != 1) {
      throw new CorruptStructureException(source, 32, "regf base block",
          "file format " + format + " is not 1 (direct memory load)");
    }
    int root = b.getInt(36);
    int size = b.getInt(40);
    if (size <= 0 || size % ALIGNMENT != 0) {
      throw new CorruptStructureException(source, 40, "regf base block",
          "hive bins data size " + Integer.toUnsignedString(size) + " is not a positive multiple of 4096");
    }
    if (root < 0x20 || root >= size || (root & 7) != 0) {
      throw new CorruptStructureException(source, 36, "regf base block",
          "root cell offset " + Integer.toUnsignedString(root) + " outside the hive bins data");
    }
    return new BaseBlock(b.getInt(4), b.getInt(8), b.getLong(12), major, minor, type, root, size,
        stored);
  }

  /**
   * A new primary file's base block: sequence numbers 1 and 1, format 1.{@code minor}, file type
   * 0 (primary), file format 1 (direct memory load), clustering factor 1, checksum set.
   */
  public static ByteBuffer newPrimary(long lastWritten, int minor, int rootCellOffset,
      int hiveBinsDataSize) {
    ByteBuffer f = ByteBuffer.allocate(SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    f.putInt(0, 0x66676572).putInt(4, 1).putInt(8, 1).putLong(12, lastWritten).putInt(20, 1)
        .putInt(24, minor).putInt(28, 0).putInt(32, 1).putInt(36, rootCellOffset)
        .putInt(40, hiveBinsDataSize).putInt(44, 1);
    f.putInt(508, computeChecksum(f));
    return f;
  }

  /** True when both sequence numbers agree (the hive was cleanly written). */
  public boolean clean() {
    return primarySequence == secondarySequence;
  }
}
