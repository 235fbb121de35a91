package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A streamOptimized marker (VMware Virtual Disk Format 1.1, "Stream-Optimized Compressed Sparse
 * Extents"): every structure after the header and descriptor starts at a sector boundary with one.
 *
 * <p>A <em>grain marker</em> has a non-zero {@code size}: {@code value} is the grain's first
 * sector (LBA) and {@code size} the length of the compressed data that follows the 12-byte marker
 * at once. A <em>metadata marker</em> fills a whole sector: {@code value} is the number of sectors
 * of metadata that follow it, {@code size} is 0 and {@code type} says what they are ({@link
 * #TYPE_END_OF_STREAM}, {@link #TYPE_GRAIN_TABLE}, {@link #TYPE_GRAIN_DIRECTORY}, {@link
 * #TYPE_FOOTER}). Little-endian.
 *
 * @param value the LBA (grain marker) or the metadata's sector count (metadata marker)
 * @param size the compressed size (grain marker) or 0 (metadata marker)
 * @param type the metadata type (meaningless for a grain marker: it is the start of its data)
 */
public record Marker(long value, int size, int type) {
  /** Bytes of a grain marker before its compressed data. */
  public static final int GRAIN_MARKER_SIZE = 12;
  /** Bytes of a metadata marker (a whole sector). */
  public static final int METADATA_MARKER_SIZE = 512;
  /** Metadata marker type: end of stream. */
  public static final int TYPE_END_OF_STREAM = 0;
  /** Metadata marker type: a grain table follows. */
  public static final int TYPE_GRAIN_TABLE = 1;
  /** Metadata marker type: the grain directory follows. */
  public static final int TYPE_GRAIN_DIRECTORY = 2;
  /** Metadata marker type: the footer (a copy of the header with the real gdOffset) follows. */
  public static final int TYPE_FOOTER = 3;

  /**
   * Parses the 16 bytes of a marker at the buffer's position (the position is unchanged).
   *
   * @param file the file, for messages
   * @param fileOffset where the marker is in the file, for messages
   * @param buffer at least 16 bytes from its position
   * @return the marker
   * @throws CorruptStructureException if fewer than 16 bytes are present
   */
  public static Marker parse(Path file, long fileOffset, ByteBuffer buffer)
      throws CorruptStructureException {
    if (buffer.remaining() < 16) {
      throw new CorruptStructureException(file, fileOffset, "stream marker",
          "only " + buffer.remaining() + " of 16 bytes present");
    }
    ByteBuffer b = buffer.slice(buffer.position(), 16).order(ByteOrder.LITTLE_ENDIAN);
    return new Marker(b.getLong(0), b.getInt(8), b.getInt(12));
  }

  /**
   * A metadata marker.
   *
   * @param numSectors the sectors of metadata that follow
   * @param type the metadata type
   * @return the marker
   */
  public static Marker metadata(long numSectors, int type) {
    return new Marker(numSectors, 0, type);
  }

  /**
   * Whether this is a grain marker (non-zero size).
   *
   * @return {@code true} for a grain marker
   */
  public boolean isGrain() {
    return size != 0;
  }

  /**
   * The compressed size as an unsigned number (grain markers).
   *
   * @return the size in bytes
   */
  public long compressedSize() {
    return Integer.toUnsignedLong(size);
  }

  /**
   * Writes a metadata marker's whole sector ({@value #METADATA_MARKER_SIZE} bytes, zero padded) at
   * the buffer's position and advances it.
   *
   * @param dst the buffer
   */
  public void writeMetadataTo(ByteBuffer dst) {
    ByteBuffer b = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < METADATA_MARKER_SIZE; i++) {
      b.put(i, (byte) 0);
    }
    b.putLong(0, value);
    b.putInt(8, size);
    b.putInt(12, type);
    dst.position(dst.position() + METADATA_MARKER_SIZE);
  }

  /**
   * Writes a grain marker's {@value #GRAIN_MARKER_SIZE} bytes at the buffer's position and
   * advances it.
   *
   * @param dst the buffer
   */
  public void writeGrainTo(ByteBuffer dst) {
    ByteBuffer b = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, value);
    b.putInt(8, size);
    dst.position(dst.position() + GRAIN_MARKER_SIZE);
  }
}
