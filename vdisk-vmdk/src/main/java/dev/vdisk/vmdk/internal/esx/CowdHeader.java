package dev.vdisk.vmdk.internal.esx;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The 2048-byte header of an ESX vmfsSparse ("COWD") extent ({@code COWDisk_Header} in VMware's
 * Virtual Disk Format 1.1): magic {@code "COWD"}, version 1, capacity and grain size in sectors,
 * the grain directory's sector and entry count. Little-endian.
 *
 * <p>Grain tables always hold {@link #GT_ENTRIES} entries; each entry, like each directory entry,
 * is the 32-bit sector number of its grain or table, 0 meaning not allocated.
 *
 * @param version the format version (1)
 * @param flags the header flags (not interpreted)
 * @param numSectors the extent's capacity in sectors
 * @param grainSize sectors per grain
 * @param gdOffset sector of the grain directory
 * @param numGdEntries entries in the grain directory
 * @param freeSector the next free sector in the file
 * @param parentFileName the parent's file name from a child header (empty in a root header)
 * @param generation the header's generation number
 * @param uncleanShutdown whether the extent was left open for writing
 */
public record CowdHeader(int version, int flags, long numSectors, long grainSize, long gdOffset,
    long numGdEntries, long freeSector, String parentFileName, int generation,
    boolean uncleanShutdown) {

  /** Size of the header in bytes. */
  public static final int SIZE = 2048;
  /** The magic number, the bytes {@code "COWD"}. */
  public static final int MAGIC = 0x44574f43;
  /** Grain table entries per grain table. */
  public static final int GT_ENTRIES = 4096;
  /** The largest grain qemu accepts (1 GiB, in sectors); larger grains are treated as corrupt. */
  public static final long MAX_GRAIN_SECTORS = 0x200000;
  /** The most grain directory entries read (as qemu's limit). */
  public static final long MAX_GD_ENTRIES = 32L * 1024 * 1024;

  private static final String STRUCTURE = "COWD header";
  private static final int PARENT_NAME_OFFSET = 32;
  private static final int PARENT_NAME_LENGTH = 1024;
  private static final int GENERATION_OFFSET = 1060;
  private static final int UNCLEAN_SHUTDOWN_OFFSET = 1648;

  /**
   * A header with {@code uncleanShutdown} clear.
   *
   * @param version the format version (1)
   * @param flags the header flags
   * @param numSectors the capacity in sectors
   * @param grainSize sectors per grain
   * @param gdOffset sector of the grain directory
   * @param numGdEntries entries in the grain directory
   * @param freeSector the next free sector
   * @param parentFileName the parent's file name, or empty
   * @param generation the generation number
   */
  public CowdHeader(int version, int flags, long numSectors, long grainSize, long gdOffset,
      long numGdEntries, long freeSector, String parentFileName, int generation) {
    this(version, flags, numSectors, grainSize, gdOffset, numGdEntries, freeSector,
        parentFileName, generation, false);
  }

  /**
   * Parses and validates the header.
   *
   * @param file the extent file, for errors
   * @param buffer at least {@link #SIZE} bytes from the file's start (position is used)
   * @return the header
   * @throws CorruptStructureException on a bad magic or impossible field values
   * @throws UnsupportedFeatureException on a version other than 1
   */
  public static CowdHeader parse(Path file, ByteBuffer buffer)
      throws CorruptStructureException, UnsupportedFeatureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, 0, STRUCTURE,
          "needs " + SIZE + " bytes, the file has " + buffer.remaining());
    }
    ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    int magic = b.getInt(0);
    if (magic != MAGIC) {
      throw new CorruptStructureException(file, 0, STRUCTURE,
          String.format("bad magic 0x%08x (expected \"COWD\")", magic));
    }
    int version = b.getInt(4);
    if (version != 1) {
      throw new UnsupportedFeatureException(file, "COWD version " + Integer.toUnsignedString(version),
          "only version 1 is defined");
    }
    int flags = b.getInt(8);
    long numSectors = Integer.toUnsignedLong(b.getInt(12));
    long grainSize = Integer.toUnsignedLong(b.getInt(16));
    long gdOffset = Integer.toUnsignedLong(b.getInt(20));
    long numGdEntries = Integer.toUnsignedLong(b.getInt(24));
    long freeSector = Integer.toUnsignedLong(b.getInt(28));
    if (grainSize == 0 || grainSize > MAX_GRAIN_SECTORS) {
      throw new CorruptStructureException(file, 16, STRUCTURE,
          "grain size " + grainSize + " sectors is outside 1.." + MAX_GRAIN_SECTORS);
    }
    long needed = neededGdEntries(numSectors, grainSize);
    if (numGdEntries < needed) {
      throw new CorruptStructureException(file, 24, STRUCTURE,
          numGdEntries + " grain directory entries cannot cover " + numSectors + " sectors of "
              + grainSize + "-sector grains (" + needed + " needed)");
    }
    if (numGdEntries > MAX_GD_ENTRIES) {
      throw new CorruptStructureException(file, 24, STRUCTURE,
          numGdEntries + " grain directory entries exceed the limit of " + MAX_GD_ENTRIES);
    }
    if (gdOffset == 0) {
      throw new CorruptStructureException(file, 20, STRUCTURE,
          "the grain directory cannot start at sector 0 (the header)");
    }
    byte[] name = new byte[PARENT_NAME_LENGTH];
    b.get(PARENT_NAME_OFFSET, name);
    int end = 0;
    while (end < name.length && name[end] != 0) {
      end++;
    }
    String parent = new String(name, 0, end, StandardCharsets.UTF_8);
    int generation = b.getInt(GENERATION_OFFSET);
    boolean unclean = b.getInt(UNCLEAN_SHUTDOWN_OFFSET) != 0;
    return new CowdHeader(version, flags, numSectors, grainSize, gdOffset, numGdEntries,
        freeSector, parent, generation, unclean);
  }

  /**
   * Grain directory entries needed to cover a capacity.
   *
   * @param numSectors the capacity in sectors
   * @param grainSize sectors per grain, at least 1
   * @return the number of entries
   */
  public static long neededGdEntries(long numSectors, long grainSize) {
    long perTable = grainSize * GT_ENTRIES;
    return (numSectors + perTable - 1) / perTable;
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
    b.putInt(0, MAGIC);
    b.putInt(4, version);
    b.putInt(8, flags);
    b.putInt(12, (int) numSectors);
    b.putInt(16, (int) grainSize);
    b.putInt(20, (int) gdOffset);
    b.putInt(24, (int) numGdEntries);
    b.putInt(28, (int) freeSector);
    byte[] name = parentFileName.getBytes(StandardCharsets.UTF_8);
    b.put(PARENT_NAME_OFFSET, name, 0, Math.min(name.length, PARENT_NAME_LENGTH - 1));
    b.putInt(GENERATION_OFFSET, generation);
    b.putInt(UNCLEAN_SHUTDOWN_OFFSET, uncleanShutdown ? 1 : 0);
    dst.position(dst.position() + SIZE);
  }
}
