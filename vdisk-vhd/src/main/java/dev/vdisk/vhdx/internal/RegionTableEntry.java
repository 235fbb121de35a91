package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * One entry of the region table: a region's GUID, file offset, length and Required flag.
 *
 * @param guid the region type
 * @param fileOffset the region's file offset, a multiple of 1 MiB
 * @param length the region's length, a multiple of 1 MiB
 * @param required whether an implementation must understand the region to open the file
 */
public record RegionTableEntry(UUID guid, long fileOffset, long length, boolean required) {
  /** Size of an entry. */
  public static final int SIZE = 32;
  /** The Block Allocation Table region. */
  public static final UUID BAT = UUID.fromString("2DC27766-F623-4200-9D64-115E9BFD4A08");
  /** The metadata region. */
  public static final UUID METADATA = UUID.fromString("8B7CA206-4790-4B9A-B8FE-575F050F886E");

  /**
   * Parses an entry (validation of offsets happens in {@link RegionTable#parse}).
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @return the entry
   */
  public static RegionTableEntry parse(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    return new RegionTableEntry(Guids.read(le, p), le.getLong(p + 16),
        le.getInt(p + 24) & 0xFFFF_FFFFL, (le.getInt(p + 28) & 1) != 0);
  }

  /**
   * Writes the entry at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    Guids.write(le, p, guid);
    le.putLong(p + 16, fileOffset);
    le.putInt(p + 24, (int) length);
    le.putInt(p + 28, required ? 1 : 0);
  }

  /**
   * The first byte after the region.
   *
   * @return {@code fileOffset + length}
   */
  public long end() {
    return fileOffset + length;
  }
}
