package dev.vdisk.vhdx.internal;

import dev.vdisk.core.util.Guids;
import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One of the two VHDX headers (at 64 KiB and 128 KiB): 4 KiB protected by a CRC-32C, carrying the
 * sequence number that decides which header is current, the write GUIDs, the log GUID and the
 * log's location.
 *
 * @param sequenceNumber higher means newer
 * @param fileWriteGuid changed on the first write to the file in a session
 * @param dataWriteGuid changed on the first write to user-visible data in a session
 * @param logGuid non-zero when the log may hold entries to replay
 * @param logVersion must be 0
 * @param version must be 1
 * @param logLength bytes of the log, a multiple of 1 MiB
 * @param logOffset file offset of the log, a multiple of 1 MiB
 */
public record VhdxHeader(
    long sequenceNumber,
    UUID fileWriteGuid,
    UUID dataWriteGuid,
    UUID logGuid,
    int logVersion,
    int version,
    long logLength,
    long logOffset) {

  /** Size of a header. */
  public static final int SIZE = 4096;
  /** Signature {@code "head"} as a little-endian int. */
  public static final int SIGNATURE = 0x64616568;
  /** File offset of the first header. */
  public static final long HEADER1_OFFSET = 64 << 10;
  /** File offset of the second header. */
  public static final long HEADER2_OFFSET = 128 << 10;
  private static final long MIB = 1 << 20;

  /**
   * Parses and validates a header: signature, checksum, version, log version and log placement.
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @param file the image, for messages
   * @param offset the header's file offset, for messages
   * @return the header
   * @throws CorruptStructureException if it is invalid
   */
  public static VhdxHeader parse(ByteBuffer buffer, Path file, long offset)
      throws CorruptStructureException {
    String what = "VHDX header";
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(file, offset, what, "truncated");
    }
    byte[] raw = new byte[SIZE];
    buffer.duplicate().get(raw);
    ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (le.getInt(0) != SIGNATURE) {
      throw new CorruptStructureException(file, offset, what, "signature \"head\" not found");
    }
    int stored = le.getInt(4);
    int computed = Checksums.crc32c(raw, 0, SIZE, 4);
    if (stored != computed) {
      throw new CorruptStructureException(file, offset, what, String.format(
          "checksum mismatch (stored 0x%08x, computed 0x%08x)", stored, computed));
    }
    VhdxHeader h = new VhdxHeader(le.getLong(8), Guids.read(le, 16), Guids.read(le, 32),
        Guids.read(le, 48), le.getShort(64) & 0xFFFF, le.getShort(66) & 0xFFFF,
        le.getInt(68) & 0xFFFF_FFFFL, le.getLong(72));
    if (h.version != 1) {
      throw new CorruptStructureException(file, offset, what, "version " + h.version
          + " (only 1 is defined)");
    }
    if (h.logVersion != 0) {
      throw new CorruptStructureException(file, offset, what, "log version " + h.logVersion
          + " (only 0 is defined)");
    }
    if (h.logLength % MIB != 0 || h.logOffset < 0 || h.logOffset % MIB != 0
        || (h.logLength > 0 && h.logOffset < MIB)) {
      throw new CorruptStructureException(file, offset, what, "log offset " + h.logOffset
          + " or length " + h.logLength + " is not a multiple of 1 MiB at or after 1 MiB");
    }
    return h;
  }

  /**
   * Writes the header with its checksum at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position
   */
  public void writeTo(ByteBuffer buffer) {
    byte[] raw = new byte[SIZE];
    ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(0, SIGNATURE);
    le.putLong(8, sequenceNumber);
    Guids.write(le, 16, fileWriteGuid);
    Guids.write(le, 32, dataWriteGuid);
    Guids.write(le, 48, logGuid);
    le.putShort(64, (short) logVersion);
    le.putShort(66, (short) version);
    le.putInt(68, (int) logLength);
    le.putLong(72, logOffset);
    le.putInt(4, Checksums.crc32c(raw, 0, SIZE, 4));
    buffer.duplicate().put(raw);
  }

  /**
   * The header as its 4 KiB on disk.
   *
   * @return a new array
   */
  public byte[] toBytes() {
    byte[] raw = new byte[SIZE];
    writeTo(ByteBuffer.wrap(raw));
    return raw;
  }

  /**
   * A copy with another sequence number.
   *
   * @param sequence the new number
   * @return the copy
   */
  public VhdxHeader withSequenceNumber(long sequence) {
    return new VhdxHeader(sequence, fileWriteGuid, dataWriteGuid, logGuid, logVersion, version,
        logLength, logOffset);
  }

  /**
   * A copy with other GUIDs.
   *
   * @param fileWrite the file write GUID
   * @param dataWrite the data write GUID
   * @param log the log GUID
   * @return the copy
   */
  public VhdxHeader withGuids(UUID fileWrite, UUID dataWrite, UUID log) {
    return new VhdxHeader(sequenceNumber, fileWrite, dataWrite, log, logVersion, version,
        logLength, logOffset);
  }
}
