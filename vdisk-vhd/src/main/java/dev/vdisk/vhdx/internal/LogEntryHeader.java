package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.UUID;

/**
 * The 64-byte header of a log entry: signature {@code "loge"}, a CRC-32C over the whole entry,
 * the entry's length, the tail of the active sequence, the sequence number, the number of
 * descriptors, the log GUID, and the flushed and last file offsets.
 *
 * @param checksum the stored CRC-32C of the entry
 * @param entryLength the entry's length, a multiple of 4 KiB
 * @param tail log offset of the sequence's first entry
 * @param sequenceNumber the entry's sequence number, never 0
 * @param descriptorCount how many descriptors follow
 * @param logGuid must equal the header's LogGuid
 * @param flushedFileOffset the file was at least this long, and flushed, when the entry was written
 * @param lastFileOffset the file's length when the entry was written
 */
public record LogEntryHeader(int checksum, long entryLength, long tail, long sequenceNumber,
    long descriptorCount, UUID logGuid, long flushedFileOffset, long lastFileOffset) {
  /** Size of the header. */
  public static final int SIZE = 64;
  /** Signature {@code "loge"} as a little-endian int. */
  public static final int SIGNATURE = 0x65676F6C;
  /** The log's sector size. */
  public static final int LOG_SECTOR = 4096;

  /**
   * Parses the header if it has the signature and self-consistent fields (the checksum is checked
   * by the log reader, which has the whole entry).
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @return the header, or empty if it is not a plausible log entry header
   */
  public static Optional<LogEntryHeader> parse(ByteBuffer buffer) {
    if (buffer.remaining() < SIZE) {
      return Optional.empty();
    }
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    if (le.getInt(p) != SIGNATURE) {
      return Optional.empty();
    }
    LogEntryHeader h = new LogEntryHeader(le.getInt(p + 4), le.getInt(p + 8) & 0xFFFF_FFFFL,
        le.getInt(p + 12) & 0xFFFF_FFFFL, le.getLong(p + 16), le.getInt(p + 24) & 0xFFFF_FFFFL,
        Guids.read(le, p + 32), le.getLong(p + 48), le.getLong(p + 56));
    if (h.entryLength == 0 || h.entryLength % LOG_SECTOR != 0 || h.sequenceNumber == 0
        || h.tail % LOG_SECTOR != 0 || SIZE + 32 * h.descriptorCount > h.entryLength
        || h.flushedFileOffset < 0 || h.lastFileOffset < 0) {
      return Optional.empty();
    }
    return Optional.of(h);
  }

  /**
   * Sectors occupied by the header and its descriptors.
   *
   * @return at least 1
   */
  public long descriptorSectors() {
    return (SIZE + 32 * descriptorCount + LOG_SECTOR - 1) / LOG_SECTOR;
  }

  /**
   * Writes the header at the buffer's position with the given checksum field.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    le.putInt(p, SIGNATURE);
    le.putInt(p + 4, checksum);
    le.putInt(p + 8, (int) entryLength);
    le.putInt(p + 12, (int) tail);
    le.putLong(p + 16, sequenceNumber);
    le.putInt(p + 24, (int) descriptorCount);
    le.putInt(p + 28, 0);
    Guids.write(le, p + 32, logGuid);
    le.putLong(p + 48, flushedFileOffset);
    le.putLong(p + 56, lastFileOffset);
  }
}
