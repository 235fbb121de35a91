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
 * The metadata table at the start of the metadata region (64 KiB): signature {@code "metadata"}
 * and up to 2047 entries. It has no checksum.
 *
 * @param entries the items, in table order
 */
public record MetadataTable(List<MetadataTableEntry> entries) {
  /** Size of the table. */
  public static final int SIZE = 64 << 10;
  /** Signature {@code "metadata"} as a little-endian long. */
  public static final long SIGNATURE = 0x61746164_6174656DL;
  /** The most entries a table may have. */
  public static final int MAX_ENTRIES = 2047;
  /** The largest item. */
  public static final long MAX_ITEM_LENGTH = 1 << 20;

  /**
   * Copies the list.
   *
   * @param entries the items
   */
  public MetadataTable {
    entries = List.copyOf(entries);
  }

  /**
   * Parses and validates the table: signature, entry count, and each item inside the region after
   * the table, at most 1 MiB long, not repeated.
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @param regionLength the metadata region's length
   * @param file the image, for messages
   * @param offset the table's file offset, for messages
   * @return the table
   * @throws CorruptStructureException if it is invalid
   */
  public static MetadataTable parse(ByteBuffer buffer, long regionLength, Path file, long offset)
      throws CorruptStructureException {
    String what = "VHDX metadata table";
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, what, "truncated");
    }
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    if (le.getLong(p) != SIGNATURE) {
      throw new CorruptStructureException(file, offset, what, "signature \"metadata\" not found");
    }
    int count = le.getShort(p + 10) & 0xFFFF;
    if (count > MAX_ENTRIES) {
      throw new CorruptStructureException(file, offset, what, count + " entries (at most "
          + MAX_ENTRIES + " allowed)");
    }
    List<MetadataTableEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      MetadataTableEntry e = MetadataTableEntry.parse(le.duplicate().position(p + 32 + i * 32));
      long at = offset + 32 + i * 32L;
      boolean empty = e.length() == 0 && e.offset() == 0;
      if (!empty && (e.offset() < SIZE || e.length() > MAX_ITEM_LENGTH
          || e.offset() + e.length() > regionLength)) {
        throw new CorruptStructureException(file, at, "VHDX metadata table entry", "item "
            + e.itemId() + " at " + e.offset() + " with length " + e.length()
            + " is not inside the metadata region of " + regionLength + " bytes after the table");
      }
      for (MetadataTableEntry other : entries) {
        if (other.itemId().equals(e.itemId()) && other.isUser() == e.isUser()) {
          throw new CorruptStructureException(file, at, "VHDX metadata table entry",
              "item " + e.itemId() + " listed twice");
        }
      }
      entries.add(e);
    }
    return new MetadataTable(entries);
  }

  /**
   * Writes the table at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    for (int i = 0; i < SIZE; i++) {
      le.put(p + i, (byte) 0);
    }
    le.putLong(p, SIGNATURE);
    le.putShort(p + 10, (short) entries.size());
    for (int i = 0; i < entries.size(); i++) {
      entries.get(i).writeTo(le.duplicate().position(p + 32 + i * 32));
    }
  }

  /**
   * The system (non-user) item with a GUID.
   *
   * @param itemId the item's GUID
   * @return the entry, if listed
   */
  public Optional<MetadataTableEntry> find(UUID itemId) {
    return entries.stream().filter(e -> !e.isUser() && e.itemId().equals(itemId)).findFirst();
  }
}
