package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A big data ({@code db}) cell (hive version 1.4 and later): the value's data is split into
 * segments of at most {@link #SEGMENT} bytes, listed in a separate cell.
 *
 * @param segmentCount number of segments
 * @param segmentList offset of the cell holding the segment offsets
 */
public record BigData(int segmentCount, int segmentList) {

  /** Largest data stored in one cell; bigger data uses a db cell. */
  public static final int SEGMENT = 16344;

  /** Bytes of a db cell's data. */
  public static final int LENGTH = 8;

  /** Writes this db cell's data at {@code at} (cell offset + 4). */
  public void writeTo(ByteBuffer b, int at) {
    b.put(at, (byte) 'd').put(at + 1, (byte) 'b').putShort(at + 2, (short) segmentCount)
        .putInt(at + 4, segmentList);
  }

  /** Parses and validates a db cell's data. */
  public static BigData parse(ByteBuffer data, String source, long at)
      throws CorruptStructureException {
    Bytes.need(data, 8, source, at, "db");
    ByteBuffer b = Bytes.le(data);
    if (b.get(0) != 'd' || b.get(1) != 'b') {
      throw new CorruptStructureException(source, at, "db", "signature is not db");
    }
    int count = b.getShort(2) & 0xffff;
    if (count == 0) {
      throw new CorruptStructureException(source, at, "db", "no segments");
    }
    return new BigData(count, b.getInt(4));
  }
}
