package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * One entry of the metadata table: an item's GUID, its offset and length within the metadata
 * region, and the IsUser, IsVirtualDisk and IsRequired flags.
 *
 * @param itemId the item's GUID
 * @param offset byte offset of the item from the start of the metadata region
 * @param length the item's length in bytes
 * @param isUser whether it is a user item
 * @param isVirtualDisk whether it describes the virtual disk (copied to a differencing child)
 * @param isRequired whether an implementation must understand it to open the file
 */
public record MetadataTableEntry(UUID itemId, long offset, long length, boolean isUser,
    boolean isVirtualDisk, boolean isRequired) {
  /** Size of an entry. */
  public static final int SIZE = 32;
  /** File Parameters item. */
  public static final UUID FILE_PARAMETERS = UUID.fromString("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
  /** Virtual Disk Size item. */
  public static final UUID VIRTUAL_DISK_SIZE =
      UUID.fromString("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
  /** Page 83 Data (virtual disk id) item. */
  public static final UUID PAGE_83_DATA = UUID.fromString("BECA12AB-B2E6-4523-93EF-C309E000C746");
  /** Logical Sector Size item. */
  public static final UUID LOGICAL_SECTOR_SIZE =
      UUID.fromString("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
  /** Physical Sector Size item. */
  public static final UUID PHYSICAL_SECTOR_SIZE =
      UUID.fromString("CDA348C7-445D-4471-9CC9-E9885251C556");
  /** Parent Locator item. */
  public static final UUID PARENT_LOCATOR = UUID.fromString("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

  /**
   * Parses an entry (bounds are checked by {@link MetadataTable#parse}).
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @return the entry
   */
  public static MetadataTableEntry parse(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    int flags = le.getInt(p + 24);
    return new MetadataTableEntry(Guids.read(le, p), le.getInt(p + 16) & 0xFFFF_FFFFL,
        le.getInt(p + 20) & 0xFFFF_FFFFL, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
  }

  /**
   * Writes the entry at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    Guids.write(le, p, itemId);
    le.putInt(p + 16, (int) offset);
    le.putInt(p + 20, (int) length);
    le.putInt(p + 24, (isUser ? 1 : 0) | (isVirtualDisk ? 2 : 0) | (isRequired ? 4 : 0));
    le.putInt(p + 28, 0);
  }
}
