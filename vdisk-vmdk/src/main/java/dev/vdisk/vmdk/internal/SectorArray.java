package dev.vdisk.vmdk.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * An array of little-endian 32-bit sector numbers as hosted sparse extents store them: the common
 * representation of {@link GrainDirectory} and {@link GrainTable}.
 */
public abstract class SectorArray {
  /** The entries as stored (unsigned). */
  protected final int[] entries;

  /**
   * Wraps entries.
   *
   * @param entries the entries, not copied
   */
  protected SectorArray(int[] entries) {
    this.entries = entries;
  }

  /**
   * Reads {@code count} entries from the buffer's position (the position is unchanged).
   *
   * @param file for messages
   * @param fileOffset where the structure is, for messages
   * @param buffer the bytes
   * @param count the number of entries
   * @param structure the structure's name, for messages
   * @return the entries
   * @throws CorruptStructureException if the buffer is too short
   */
  protected static int[] parseEntries(Path file, long fileOffset, ByteBuffer buffer, int count,
      String structure) throws CorruptStructureException {
    if (count < 0 || (long) count * 4 > buffer.remaining()) {
      throw new CorruptStructureException(file, fileOffset, structure,
          count + " entries do not fit in " + buffer.remaining() + " bytes");
    }
    int[] entries = new int[count];
    buffer.slice(buffer.position(), count * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
        .get(entries);
    return entries;
  }

  /**
   * The number of entries.
   *
   * @return the count
   */
  public final int size() {
    return entries.length;
  }

  /**
   * Entry {@code index} as an unsigned sector number.
   *
   * @param index the entry's index
   * @return the sector (0: not allocated)
   */
  public final long entry(int index) {
    return Integer.toUnsignedLong(entries[index]);
  }

  /**
   * Sets an entry.
   *
   * @param index the entry's index
   * @param sector the sector
   */
  public final void set(int index, long sector) {
    entries[index] = (int) sector;
  }

  /**
   * Writes the entries at the buffer's position and advances it.
   *
   * @param buffer at least 4 × size() bytes remaining
   */
  public final void writeTo(ByteBuffer buffer) {
    buffer.slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(entries);
    buffer.position(buffer.position() + entries.length * 4);
  }
}
