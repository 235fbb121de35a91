package dev.vdisk.vmdk.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VdiskException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The hosted sparse extent header ("SparseExtentHeader" in the VMware Virtual Disk Format 1.1
 * specification): 512 bytes at the start of every hosted sparse extent (monolithicSparse,
 * twoGbMaxExtentSparse, streamOptimized), and again as the footer of a streamOptimized file. All
 * fields are little-endian; sizes and offsets count 512-byte sectors.
 *
 * <pre>
 *   0  magicNumber "KDMV"     4    48  rgdOffset              8
 *   4  version                4    56  gdOffset               8  (-1: GD_AT_END, see footer)
 *   8  flags                  4    64  overHead               8
 *  12  capacity               8    72  uncleanShutdown        1
 *  20  grainSize              8    73  singleEndLineChar '\n' 1
 *  28  descriptorOffset       8    74  nonEndLineChar ' '     1
 *  36  descriptorSize         8    75  doubleEndLineChar1 '\r' 1
 *  44  numGTEsPerGT           4    76  doubleEndLineChar2 '\n' 1
 *                                   77  compressAlgorithm      2
 *                                   79  pad                  433
 * </pre>
 *
 * <p>{@link #parse} checks the magic number, the version (1 to 3), the newline characters when
 * {@link #FLAG_VALID_NEWLINE_TEST} is set (a file copied in text mode fails this), the grain size
 * (a power of two, at most {@link #MAX_GRAIN_SECTORS}), the table size, the capacity (at most
 * {@link #MAX_CAPACITY_SECTORS}), the offsets (non-negative, below 2^56 sectors, or {@link
 * #GD_AT_END}) and the compression algorithm.
 *
 * @param version the format version, 1 to 3 (3: changed-block tracking may be in use)
 * @param flags the flag bits ({@link #FLAG_VALID_NEWLINE_TEST}, {@link #FLAG_REDUNDANT_GRAIN_TABLE},
 *     {@link #FLAG_ZEROED_GRAIN_GTE}, {@link #FLAG_COMPRESSED_GRAINS}, {@link #FLAG_MARKERS})
 * @param capacity the extent's capacity in sectors
 * @param grainSize the grain size in sectors
 * @param descriptorOffset the embedded descriptor's sector, or 0 when there is none
 * @param descriptorSize the embedded descriptor's size in sectors, or 0
 * @param numGTEsPerGT the number of entries in one grain table (512 in every VMware image)
 * @param rgdOffset the redundant grain directory's sector (meaningful with {@link
 *     #FLAG_REDUNDANT_GRAIN_TABLE})
 * @param gdOffset the grain directory's sector, or {@link #GD_AT_END} (streamOptimized: read the
 *     footer)
 * @param overHead the sectors of metadata before the first grain (header, descriptor, tables)
 * @param uncleanShutdown whether the extent was left open for writing (the byte is non-zero)
 * @param singleEndLineChar the newline test character, {@code '\n'}
 * @param nonEndLineChar the newline test character, {@code ' '}
 * @param doubleEndLineChar1 the newline test character, {@code '\r'}
 * @param doubleEndLineChar2 the newline test character, {@code '\n'}
 * @param compressAlgorithm {@link #COMPRESSION_NONE} or {@link #COMPRESSION_DEFLATE}
 */
public record SparseExtentHeader(
    int version,
    int flags,
    long capacity,
    long grainSize,
    long descriptorOffset,
    long descriptorSize,
    int numGTEsPerGT,
    long rgdOffset,
    long gdOffset,
    long overHead,
    boolean uncleanShutdown,
    byte singleEndLineChar,
    byte nonEndLineChar,
    byte doubleEndLineChar1,
    byte doubleEndLineChar2,
    int compressAlgorithm) {

  /** The structure's size in bytes. */
  public static final int SIZE = 512;
  /** The sector size every field counts in. */
  public static final int SECTOR = 512;
  /** The magic number "KDMV" read as a little-endian 32-bit integer. */
  public static final int MAGIC = 0x564d444b;
  /** The {@link #gdOffset} of a streamOptimized header whose grain directory is in the footer. */
  public static final long GD_AT_END = -1L;

  /** Flag bit 0: the newline characters are present and must be checked. */
  public static final int FLAG_VALID_NEWLINE_TEST = 1;
  /** Flag bit 1: a redundant grain directory and redundant grain tables are kept. */
  public static final int FLAG_REDUNDANT_GRAIN_TABLE = 1 << 1;
  /** Flag bit 2: a grain table entry of 1 means a zeroed grain. */
  public static final int FLAG_ZEROED_GRAIN_GTE = 1 << 2;
  /** Flag bit 16: grains are compressed (streamOptimized). */
  public static final int FLAG_COMPRESSED_GRAINS = 1 << 16;
  /** Flag bit 17: the file holds markers (streamOptimized). */
  public static final int FLAG_MARKERS = 1 << 17;

  /** {@link #compressAlgorithm}: no compression. */
  public static final int COMPRESSION_NONE = 0;
  /** {@link #compressAlgorithm}: RFC 1951 deflate inside an RFC 1950 zlib stream. */
  public static final int COMPRESSION_DEFLATE = 1;

  /** The largest grain accepted: 2^21 sectors (1 GiB), as qemu. */
  public static final long MAX_GRAIN_SECTORS = 1L << 21;
  /** The largest grain table accepted (entries); VMware always writes 512. */
  public static final int MAX_GTES_PER_GT = 1 << 16;
  /** The largest capacity accepted: 2^40 sectors (512 TiB). */
  public static final long MAX_CAPACITY_SECTORS = 1L << 40;
  /** Offsets at or above this sector are refused (2^56 sectors). */
  public static final long MAX_OFFSET_SECTORS = 1L << 56;

  private static final String STRUCTURE = "sparse extent header";

  /**
   * Parses and validates the 512 bytes at the buffer's position (the position is unchanged).
   *
   * @param file the file, for messages
   * @param buffer at least 512 bytes from its position
   * @return the header
   * @throws CorruptStructureException if a field is invalid
   * @throws UnsupportedFeatureException if the version or compression algorithm is unknown
   */
  public static SparseExtentHeader parse(Path file, ByteBuffer buffer) throws VdiskException {
    return parse(file, 0, buffer);
  }

  /**
   * Parses and validates the 512 bytes at the buffer's position (the position is unchanged).
   *
   * @param file the file, for messages
   * @param fileOffset where the bytes came from in {@code file} (0 for the header, the footer's
   *     offset for a streamOptimized footer), for messages
   * @param buffer at least 512 bytes from its position
   * @return the header
   * @throws CorruptStructureException if a field is invalid
   * @throws UnsupportedFeatureException if the version or compression algorithm is unknown
   */
  public static SparseExtentHeader parse(Path file, long fileOffset, ByteBuffer buffer)
      throws VdiskException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, fileOffset, STRUCTURE,
          "only " + buffer.remaining() + " of " + SIZE + " bytes present");
    }
    ByteBuffer b = buffer.slice(buffer.position(), SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(0);
    if (magic != MAGIC) {
      throw new CorruptStructureException(file, fileOffset, STRUCTURE,
          String.format("magic number is 0x%08x, not 'KDMV'", magic));
    }
    int version = b.getInt(4);
    if (version < 1 || version > 3) {
      throw new UnsupportedFeatureException(file, "sparse extent version " + Integer.toUnsignedString(version),
          "versions 1 to 3 are known");
    }
    int flags = b.getInt(8);
    long capacity = b.getLong(12);
    long grainSize = b.getLong(20);
    long descriptorOffset = b.getLong(28);
    long descriptorSize = b.getLong(36);
    int numGtes = b.getInt(44);
    long rgdOffset = b.getLong(48);
    long gdOffset = b.getLong(56);
    long overHead = b.getLong(64);
    boolean unclean = b.get(72) != 0;
    byte nl = b.get(73);
    byte sp = b.get(74);
    byte cr = b.get(75);
    byte nl2 = b.get(76);
    int compress = Short.toUnsignedInt(b.getShort(77));

    if ((flags & FLAG_VALID_NEWLINE_TEST) != 0
        && (nl != '\n' || sp != ' ' || cr != '\r' || nl2 != '\n')) {
      throw new CorruptStructureException(file, fileOffset + 73, STRUCTURE,
          "newline test characters are damaged (was the file copied in text mode?)");
    }
    if (capacity < 0 || capacity > MAX_CAPACITY_SECTORS) {
      throw new CorruptStructureException(file, fileOffset + 12, STRUCTURE,
          "capacity " + Long.toUnsignedString(capacity) + " sectors is out of range");
    }
    if (grainSize <= 0 || grainSize > MAX_GRAIN_SECTORS || Long.bitCount(grainSize) != 1) {
      throw new CorruptStructureException(file, fileOffset + 20, STRUCTURE,
          "grain size " + Long.toUnsignedString(grainSize)
              + " sectors is not a power of two up to " + MAX_GRAIN_SECTORS);
    }
    if (numGtes <= 0 || numGtes > MAX_GTES_PER_GT) {
      throw new CorruptStructureException(file, fileOffset + 44, STRUCTURE,
          "numGTEsPerGT " + Integer.toUnsignedString(numGtes) + " is out of range");
    }
    checkOffset(file, fileOffset + 28, "descriptorOffset", descriptorOffset);
    checkOffset(file, fileOffset + 36, "descriptorSize", descriptorSize);
    checkOffset(file, fileOffset + 48, "rgdOffset", rgdOffset);
    if (gdOffset != GD_AT_END) {
      checkOffset(file, fileOffset + 56, "gdOffset", gdOffset);
    }
    checkOffset(file, fileOffset + 64, "overHead", overHead);
    if (compress != COMPRESSION_NONE && compress != COMPRESSION_DEFLATE) {
      throw new UnsupportedFeatureException(file, "compressAlgorithm " + compress,
          "only 0 (none) and 1 (deflate) are defined");
    }
    if ((flags & FLAG_COMPRESSED_GRAINS) != 0 && compress != COMPRESSION_DEFLATE) {
      throw new CorruptStructureException(file, fileOffset + 77, STRUCTURE,
          "compressed grains flagged but compressAlgorithm is " + compress);
    }
    return new SparseExtentHeader(version, flags, capacity, grainSize, descriptorOffset,
        descriptorSize, numGtes, rgdOffset, gdOffset, overHead, unclean, nl, sp, cr, nl2, compress);
  }

  private static void checkOffset(Path file, long at, String name, long value)
      throws CorruptStructureException {
    if (value < 0 || value >= MAX_OFFSET_SECTORS) {
      throw new CorruptStructureException(file, at, STRUCTURE,
          name + " " + Long.toUnsignedString(value) + " is out of range");
    }
  }

  /**
   * A header with the standard newline characters and the given geometry.
   *
   * @param version 1 to 3
   * @param flags the flag bits
   * @param capacity capacity in sectors
   * @param grainSize grain size in sectors
   * @param descriptorOffset descriptor sector or 0
   * @param descriptorSize descriptor sectors or 0
   * @param numGTEsPerGT entries per grain table
   * @param rgdOffset redundant grain directory sector or 0
   * @param gdOffset grain directory sector or {@link #GD_AT_END}
   * @param overHead metadata sectors before the first grain
   * @param compressAlgorithm the compression algorithm
   * @return the header
   */
  public static SparseExtentHeader of(int version, int flags, long capacity, long grainSize,
      long descriptorOffset, long descriptorSize, int numGTEsPerGT, long rgdOffset, long gdOffset,
      long overHead, int compressAlgorithm) {
    return new SparseExtentHeader(version, flags, capacity, grainSize, descriptorOffset,
        descriptorSize, numGTEsPerGT, rgdOffset, gdOffset, overHead, false, (byte) '\n',
        (byte) ' ', (byte) '\r', (byte) '\n', compressAlgorithm);
  }

  /**
   * Writes the 512 bytes at the buffer's position and advances it.
   *
   * @param buffer at least 512 bytes remaining
   */
  public void writeTo(ByteBuffer buffer) {
    buffer.put(toBytes());
  }

  /**
   * The header's 512 bytes.
   *
   * @return a new array
   */
  public byte[] toBytes() {
    byte[] raw = new byte[SIZE];
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, MAGIC);
    b.putInt(4, version);
    b.putInt(8, flags);
    b.putLong(12, capacity);
    b.putLong(20, grainSize);
    b.putLong(28, descriptorOffset);
    b.putLong(36, descriptorSize);
    b.putInt(44, numGTEsPerGT);
    b.putLong(48, rgdOffset);
    b.putLong(56, gdOffset);
    b.putLong(64, overHead);
    b.put(72, (byte) (uncleanShutdown ? 1 : 0));
    b.put(73, singleEndLineChar);
    b.put(74, nonEndLineChar);
    b.put(75, doubleEndLineChar1);
    b.put(76, doubleEndLineChar2);
    b.putShort(77, (short) compressAlgorithm);
    return raw;
  }

  /**
   * This header with {@link #uncleanShutdown} set to {@code value}.
   *
   * @param value the new flag
   * @return a copy
   */
  public SparseExtentHeader withUncleanShutdown(boolean value) {
    return new SparseExtentHeader(version, flags, capacity, grainSize, descriptorOffset,
        descriptorSize, numGTEsPerGT, rgdOffset, gdOffset, overHead, value, singleEndLineChar,
        nonEndLineChar, doubleEndLineChar1, doubleEndLineChar2, compressAlgorithm);
  }

  /**
   * This header with {@link #gdOffset} set to {@code sector}.
   *
   * @param sector the grain directory's sector or {@link #GD_AT_END}
   * @return a copy
   */
  public SparseExtentHeader withGdOffset(long sector) {
    return new SparseExtentHeader(version, flags, capacity, grainSize, descriptorOffset,
        descriptorSize, numGTEsPerGT, rgdOffset, sector, overHead, uncleanShutdown,
        singleEndLineChar, nonEndLineChar, doubleEndLineChar1, doubleEndLineChar2,
        compressAlgorithm);
  }

  /**
   * Whether {@code flag} is set.
   *
   * @param flag one of the {@code FLAG_} constants
   * @return whether it is set
   */
  public boolean hasFlag(int flag) {
    return (flags & flag) == flag;
  }

  /**
   * The grain size in bytes.
   *
   * @return grainSize × 512
   */
  public long grainBytes() {
    return grainSize * SECTOR;
  }

  /**
   * The capacity in bytes.
   *
   * @return capacity × 512
   */
  public long capacityBytes() {
    return capacity * SECTOR;
  }

  /**
   * The bytes one grain table covers.
   *
   * @return numGTEsPerGT × grain bytes
   */
  public long bytesPerGrainTable() {
    return numGTEsPerGT * grainBytes();
  }

  /**
   * The number of grain directory entries the capacity needs: ceil(capacity / (numGTEsPerGT ×
   * grainSize)).
   *
   * @return the entry count
   */
  public long grainDirectoryEntries() {
    long perTable = (long) numGTEsPerGT * grainSize;
    return (capacity + perTable - 1) / perTable;
  }
}
