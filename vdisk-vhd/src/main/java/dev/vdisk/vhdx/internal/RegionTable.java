package dev.vdisk.vhdx.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The region table (two copies, at 192 KiB and 256 KiB): 64 KiB protected by a CRC-32C, listing
 * where the BAT, the metadata and any other regions are.
 *
 * @param entries the regions, in table order
 */
public record RegionTable(List<RegionTableEntry> entries) {
  /** Size of a region table. */
  public static final int SIZE = 64 << 10;
  /** Signature {@code "regi"} as a little-endian int. */
  public static final int SIGNATURE = 0x69676572;
  /** File offset of the first copy. */
  public static final long TABLE1_OFFSET = 192 << 10;
  /** File offset of the second copy. */
  public static final long TABLE2_OFFSET = 256 << 10;
  /** The most entries a table may have. */
  public static final int MAX_ENTRIES = 2047;
  private static final long MIB = 1 << 20;

  /**
   * Copies the list.
   *
   * @param entries the regions
   */
  public RegionTable {
    entries = List.copyOf(entries);
  }

  /**
   * Parses and validates a region table: signature, checksum, entry count, and each region's
   * alignment; regions must not overlap each other or the first MiB, and no GUID may repeat.
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @param file the image, for messages
   * @param offset the table's file offset, for messages
   * @return the table
   * @throws CorruptStructureException if it is invalid
   */
  public static RegionTable parse(ByteBuffer buffer, Path file, long offset)
      throws CorruptStructureException {
    String what = "VHDX region table";
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, what, "truncated");
    }
    byte[] raw = new byte[SIZE];
    buffer.duplicate().get(raw);
    ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (le.getInt(0) != SIGNATURE) {
      throw new CorruptStructureException(file, offset, what, "signature \"regi\" not found");
    }
    int stored = le.getInt(4);
    int computed = Checksums.crc32c(raw, 0, SIZE, 4);
    if (stored != computed) {
      throw new CorruptStructureException(file, offset, what, String.format(
          "checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, computed));
    }
    long count = le.getInt(8) & 0xFFFF_FFFFL;
    if (count > MAX_ENTRIES) {
      throw new CorruptStructureException(file, offset, what, count + " entries (at most "
          + MAX_ENTRIES + " allowed)");
    }
    List<RegionTableEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      RegionTableEntry e = RegionTableEntry.parse(le.duplicate().position(16 + i * 32));
      long at = offset + 16 + i * 32L;
      if (e.fileOffset() < MIB || e.fileOffset() % MIB != 0 || e.length() % MIB != 0
          || e.length() == 0 || e.fileOffset() > Long.MAX_VALUE - e.length()) {
        throw new CorruptStructureException(file, at, "VHDX region table entry", "region "
            + e.guid() + " at " + e.fileOffset() + " with length " + e.length()
            + " is not a non-empty 1 MiB-aligned range after the first MiB");
      }
      for (RegionTableEntry other : entries) {
        if (other.guid().equals(e.guid())) {
          throw new CorruptStructureException(file, at, "VHDX region table entry",
              "region " + e.guid() + " listed twice");
        }
        if (e.fileOffset() < other.end() && other.fileOffset() < e.end()) {
          throw new CorruptStructureException(file, at, "VHDX region table entry",
              "region " + e.guid() + " overlaps region " + other.guid());
        }
      }
      entries.add(e);
    }
    return new RegionTable(entries);
  }

  /**
   * Writes the table with its checksum at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    byte[] raw = new byte[SIZE];
    ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(0, SIGNATURE);
    le.putInt(8, entries.size());
    for (int i = 0; i < entries.size(); i++) {
      entries.get(i).writeTo(le.duplicate().position(16 + i * 32));
    }
    le.putInt(4, Checksums.crc32c(raw, 0, SIZE, 4));
    buffer.duplicate().put(raw);
  }

  /**
   * The entry for a region type.
   *
   * @param guid the region type
   * @return the entry, if listed
   */
  public Optional<RegionTableEntry> find(UUID guid) {
    return entries.stream().filter(e -> e.guid().equals(guid)).findFirst();
  }
}
