package dev.vdisk.vmdk.internal.esx;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The constant header of an ESXi seSparse extent: the first 512 bytes of the file, 26 little-endian
 * 64-bit fields and zero padding. Offsets and sizes are in sectors.
 *
 * <p>The format is not publicly specified; like qemu, only the one known layout is accepted:
 * version {@code 0x0000000200000001}, 8-sector (4 KiB) grains, 64-sector (4096-entry) grain tables,
 * no flags, zero reserved fields and padding.
 *
 * @param capacity the extent's capacity in sectors
 * @param grainSize sectors per grain (8)
 * @param grainTableSize sectors per grain table (64)
 * @param volatileHeaderOffset sector of the volatile header
 * @param volatileHeaderSize its size in sectors
 * @param journalHeaderOffset sector of the journal header
 * @param journalHeaderSize its size in sectors
 * @param journalOffset sector of the journal
 * @param journalSize its size in sectors
 * @param grainDirOffset sector of the grain directory
 * @param grainDirSize its size in sectors
 * @param grainTablesOffset sector of the first grain table
 * @param grainTablesSize the grain tables' total size in sectors
 * @param freeBitmapOffset sector of the free bitmap
 * @param freeBitmapSize its size in sectors
 * @param backmapOffset sector of the back map
 * @param backmapSize its size in sectors
 * @param grainsOffset sector of the first grain
 * @param grainsSize the grain area's size in sectors
 */
public record SeSparseConstHeader(long capacity, long grainSize, long grainTableSize,
    long volatileHeaderOffset, long volatileHeaderSize, long journalHeaderOffset,
    long journalHeaderSize, long journalOffset, long journalSize, long grainDirOffset,
    long grainDirSize, long grainTablesOffset, long grainTablesSize, long freeBitmapOffset,
    long freeBitmapSize, long backmapOffset, long backmapSize, long grainsOffset,
    long grainsSize) {

  /** Size of the header in bytes. */
  public static final int SIZE = 512;
  /** The magic number. */
  public static final long MAGIC = 0xcafebabeL;
  /** The only version known. */
  public static final long VERSION = 0x0000000200000001L;
  /** Sectors per grain. */
  public static final long GRAIN_SECTORS = 8;
  /** Sectors per grain table. */
  public static final long GRAIN_TABLE_SECTORS = 64;
  /** Entries per grain table. */
  public static final int GT_ENTRIES = (int) (GRAIN_TABLE_SECTORS * 512 / 8);
  /** The largest capacity in sectors (64 TiB). */
  public static final long MAX_CAPACITY = 1L << 37;

  private static final String STRUCTURE = "seSparse const header";
  private static final int FIELDS = 26;

  /**
   * Parses and validates the header.
   *
   * @param file the extent file, for errors
   * @param buffer at least {@link #SIZE} bytes from the file's start (position is used)
   * @return the header
   * @throws CorruptStructureException on a bad magic or impossible values
   * @throws UnsupportedFeatureException on a version, geometry or flags other than the known ones
   */
  public static SeSparseConstHeader parse(Path file, ByteBuffer buffer)
      throws CorruptStructureException, UnsupportedFeatureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, 0, STRUCTURE,
          "needs " + SIZE + " bytes, the file has " + buffer.remaining());
    }
    ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    long[] f = new long[FIELDS];
    for (int i = 0; i < FIELDS; i++) {
      f[i] = b.getLong(i * 8);
    }
    if (f[0] != MAGIC) {
      throw new CorruptStructureException(file, 0, STRUCTURE,
          String.format("bad magic 0x%016x (expected 0x%016x)", f[0], MAGIC));
    }
    if (f[1] != VERSION) {
      throw new UnsupportedFeatureException(file, String.format("seSparse version 0x%016x", f[1]),
          String.format("only 0x%016x is known", VERSION));
    }
    if (f[3] != GRAIN_SECTORS) {
      throw new UnsupportedFeatureException(file, "seSparse grain size " + f[3] + " sectors",
          "only " + GRAIN_SECTORS + " is known");
    }
    if (f[4] != GRAIN_TABLE_SECTORS) {
      throw new UnsupportedFeatureException(file, "seSparse grain table size " + f[4] + " sectors",
          "only " + GRAIN_TABLE_SECTORS + " is known");
    }
    if (f[5] != 0) {
      throw new UnsupportedFeatureException(file, String.format("seSparse flags 0x%x", f[5]),
          "no flags are known");
    }
    for (int i = 6; i < 10; i++) {
      if (f[i] != 0) {
        throw new UnsupportedFeatureException(file, "seSparse reserved field " + (i - 5),
            String.format("holds 0x%x", f[i]));
      }
    }
    for (int i = FIELDS * 8; i < SIZE; i++) {
      if (b.get(i) != 0) {
        throw new UnsupportedFeatureException(file, "seSparse const header padding",
            "byte " + i + " is not zero");
      }
    }
    long capacity = f[2];
    if (capacity < 0 || capacity > MAX_CAPACITY) {
      throw new CorruptStructureException(file, 16, STRUCTURE,
          "capacity " + Long.toUnsignedString(capacity) + " sectors exceeds 64 TiB");
    }
    for (int i = 10; i < FIELDS; i++) {
      // every offset and size is a sector count inside a 64 TiB-class file
      if (f[i] < 0 || f[i] > (1L << 45)) {
        throw new CorruptStructureException(file, i * 8L, STRUCTURE,
            "field " + i + " holds an impossible sector value " + Long.toUnsignedString(f[i]));
      }
    }
    return new SeSparseConstHeader(capacity, f[3], f[4], f[10], f[11], f[12], f[13], f[14], f[15],
        f[16], f[17], f[18], f[19], f[20], f[21], f[22], f[23], f[24], f[25]);
  }

  /**
   * Grain directory entries needed to cover the capacity.
   *
   * @return the number of entries
   */
  public long neededGdEntries() {
    long perTable = grainSize * GT_ENTRIES;
    return (capacity + perTable - 1) / perTable;
  }

  /**
   * Writes the header ({@link #SIZE} bytes) at the buffer's position.
   *
   * @param dst the buffer
   */
  public void writeTo(ByteBuffer dst) {
    ByteBuffer b = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < SIZE; i++) {
      b.put(i, (byte) 0);
    }
    long[] f = {MAGIC, VERSION, capacity, grainSize, grainTableSize, 0, 0, 0, 0, 0,
        volatileHeaderOffset, volatileHeaderSize, journalHeaderOffset, journalHeaderSize,
        journalOffset, journalSize, grainDirOffset, grainDirSize, grainTablesOffset,
        grainTablesSize, freeBitmapOffset, freeBitmapSize, backmapOffset, backmapSize,
        grainsOffset, grainsSize};
    for (int i = 0; i < FIELDS; i++) {
      b.putLong(i * 8, f[i]);
    }
    dst.position(dst.position() + SIZE);
  }
}
