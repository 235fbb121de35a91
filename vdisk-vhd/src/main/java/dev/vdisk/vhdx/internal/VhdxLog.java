package dev.vdisk.vhdx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The VHDX metadata log: finding the active sequence of entries in the circular log region, and
 * building new entries.
 *
 * <p>An entry is valid when its header has the {@code "loge"} signature, a length that fits the
 * log, a non-zero sequence number and the header's LogGuid; its CRC-32C over the whole entry
 * matches; every descriptor is a {@code "zero"} or {@code "desc"} descriptor with the entry's
 * sequence number; and every data descriptor has a {@code "data"} sector whose sequence halves
 * match. The active sequence ends at the valid entry with the highest sequence number whose chain
 * from its tail consists of valid, physically consecutive entries with consecutive numbers.
 */
public final class VhdxLog {
  /** The log sector size. */
  public static final int SECTOR = LogEntryHeader.LOG_SECTOR;
  /** How many candidate heads are tried before giving up (bounds work on corrupt logs). */
  private static final int MAX_HEAD_CANDIDATES = 64;

  private VhdxLog() {}

  /**
   * One replay action: write a 4 KiB sector, or zero a range.
   *
   * @param fileOffset where in the file
   * @param sector the 4096 bytes to write, or {@code null} to zero {@code zeroLength} bytes
   * @param zeroLength for a zero action, the bytes to zero; 4096 for a sector write
   */
  public record Write(long fileOffset, byte[] sector, long zeroLength) {
    /**
     * The first byte after the action's range.
     *
     * @return the end offset
     */
    public long end() {
      return fileOffset + (sector != null ? SECTOR : zeroLength);
    }
  }

  /**
   * A valid log entry.
   *
   * @param logOffset where it starts in the log
   * @param header its header
   * @param writes its replay actions, in descriptor order
   */
  public record Entry(long logOffset, LogEntryHeader header, List<Write> writes) {}

  /**
   * The active sequence, tail first.
   *
   * @param entries the entries to replay, in order
   */
  public record Sequence(List<Entry> entries) {
    /**
     * The head (newest) entry.
     *
     * @return the last entry
     */
    public Entry head() {
      return entries.get(entries.size() - 1);
    }

    /**
     * The largest FlushedFileOffset of the sequence.
     *
     * @return bytes
     */
    public long flushedFileOffset() {
      return entries.stream().mapToLong(e -> e.header().flushedFileOffset()).max().orElse(0);
    }

    /**
     * The largest LastFileOffset of the sequence.
     *
     * @return bytes
     */
    public long lastFileOffset() {
      return entries.stream().mapToLong(e -> e.header().lastFileOffset()).max().orElse(0);
    }
  }

  /**
   * Finds the active sequence.
   *
   * @param log the whole log region's bytes (a multiple of 4 KiB long)
   * @param logGuid the active header's LogGuid
   * @return the sequence, or empty if the log holds no valid entry for this GUID
   */
  public static Optional<Sequence> findActiveSequence(byte[] log, UUID logGuid) {
    int length = log.length - log.length % SECTOR;
    if (length == 0) {
      return Optional.empty();
    }
    Map<Long, Entry> valid = new HashMap<>();
    for (long pos = 0; pos < length; pos += SECTOR) {
      parseEntry(log, length, pos, logGuid).ifPresent(e -> valid.put(e.logOffset(), e));
    }
    List<Entry> heads = new ArrayList<>(valid.values());
    heads.sort(Comparator.comparingLong((Entry e) -> e.header().sequenceNumber()).reversed());
    int tried = 0;
    for (Entry head : heads) {
      if (tried++ >= MAX_HEAD_CANDIDATES) {
        break;
      }
      List<Entry> chain = chain(valid, head, length);
      if (chain != null) {
        return Optional.of(new Sequence(chain));
      }
    }
    return Optional.empty();
  }

  private static List<Entry> chain(Map<Long, Entry> valid, Entry head, int length) {
    long tail = head.header().tail();
    if (tail >= length) {
      return null;
    }
    List<Entry> chain = new ArrayList<>();
    long pos = tail;
    long expected = -1;
    for (int steps = 0; steps <= valid.size(); steps++) {
      Entry e = valid.get(pos);
      if (e == null || (expected >= 0 && e.header().sequenceNumber() != expected)) {
        return null;
      }
      chain.add(e);
      if (e == head) {
        return chain;
      }
      if (e.header().sequenceNumber() >= head.header().sequenceNumber()) {
        return null;
      }
      expected = e.header().sequenceNumber() + 1;
      pos = (pos + e.header().entryLength()) % length;
    }
    return null;
  }

  /**
   * Parses and validates the entry starting at a log offset.
   *
   * @param log the log region's bytes
   * @param length the usable log length (a multiple of 4 KiB, at most {@code log.length})
   * @param pos the entry's offset in the log
   * @param logGuid the header's LogGuid
   * @return the entry, or empty if there is no valid entry there
   */
  public static Optional<Entry> parseEntry(byte[] log, int length, long pos, UUID logGuid) {
    Optional<LogEntryHeader> parsed = LogEntryHeader.parse(ByteBuffer.wrap(log, (int) pos,
        LogEntryHeader.SIZE));
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    LogEntryHeader h = parsed.get();
    if (!h.logGuid().equals(logGuid) || h.entryLength() > length) {
      return Optional.empty();
    }
    byte[] entry = wrapped(log, length, pos, (int) h.entryLength());
    if (Checksums.crc32c(entry, 0, entry.length, 4) != h.checksum()) {
      return Optional.empty();
    }
    long sectors = h.entryLength() / SECTOR;
    long dataSector = h.descriptorSectors();
    if (dataSector > sectors) {
      return Optional.empty();
    }
    ByteBuffer buf = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < h.descriptorCount(); i++) {
      ByteBuffer d = buf.duplicate().position(LogEntryHeader.SIZE + 32 * i);
      Optional<ZeroDescriptor> zero = ZeroDescriptor.parse(d);
      if (zero.isPresent()) {
        if (zero.get().sequenceNumber() != h.sequenceNumber()) {
          return Optional.empty();
        }
        writes.add(new Write(zero.get().fileOffset(), null, zero.get().zeroLength()));
        continue;
      }
      Optional<DataDescriptor> data = DataDescriptor.parse(d);
      if (data.isEmpty() || data.get().sequenceNumber() != h.sequenceNumber()
          || dataSector >= sectors) {
        return Optional.empty();
      }
      Optional<DataSector> sector =
          DataSector.parse(buf.duplicate().position((int) (dataSector * SECTOR)));
      if (sector.isEmpty() || sector.get().sequenceNumber() != h.sequenceNumber()) {
        return Optional.empty();
      }
      dataSector++;
      writes.add(new Write(data.get().fileOffset(), sector.get().sector(data.get()), SECTOR));
    }
    return Optional.of(new Entry(pos, h, List.copyOf(writes)));
  }

  private static byte[] wrapped(byte[] log, int length, long pos, int count) {
    byte[] out = new byte[count];
    int first = (int) Math.min(count, length - pos);
    System.arraycopy(log, (int) pos, out, 0, first);
    if (first < count) {
      System.arraycopy(log, 0, out, first, count - first);
    }
    return out;
  }

  /**
   * Builds a log entry that writes whole 4 KiB sectors.
   *
   * @param sequenceNumber the entry's sequence number, not 0
   * @param tail the log offset of the sequence's first entry (the entry's own offset when each
   *     entry is applied before the next is written)
   * @param logGuid the header's LogGuid
   * @param flushedFileOffset the flushed file length
   * @param lastFileOffset the file length
   * @param sectors file offsets (multiples of 4 KiB) and the 4096 bytes to write there
   * @return the entry's bytes, a multiple of 4 KiB long
   */
  public static byte[] buildEntry(long sequenceNumber, long tail, UUID logGuid,
      long flushedFileOffset, long lastFileOffset, List<Map.Entry<Long, byte[]>> sectors) {
    long descriptorSectors = (LogEntryHeader.SIZE + 32L * sectors.size() + SECTOR - 1) / SECTOR;
    int total = (int) ((descriptorSectors + sectors.size()) * SECTOR);
    byte[] entry = new byte[total];
    ByteBuffer buf = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    new LogEntryHeader(0, total, tail, sequenceNumber, sectors.size(), logGuid,
        flushedFileOffset, lastFileOffset).writeTo(buf.duplicate().position(0));
    for (int i = 0; i < sectors.size(); i++) {
      byte[] sector = sectors.get(i).getValue();
      DataDescriptor.of(sector, sectors.get(i).getKey(), sequenceNumber)
          .writeTo(buf.duplicate().position(LogEntryHeader.SIZE + 32 * i));
      DataSector.of(sector, sequenceNumber)
          .writeTo(buf.duplicate().position((int) ((descriptorSectors + i) * SECTOR)));
    }
    buf.putInt(4, Checksums.crc32c(entry, 0, total, 4));
    return entry;
  }

  /**
   * CRC-32C of a whole buffer, for tests and checks.
   *
   * @param bytes the bytes
   * @return the checksum
   */
  public static int crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
