package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A security key ({@code sk}) cell: a reference-counted security descriptor shared by keys and
 * linked into a circular list.
 *
 * @param flink offset of the next sk cell
 * @param blink offset of the previous sk cell
 * @param referenceCount number of key nodes using it
 * @param descriptor the self-relative security descriptor
 */
public record SecurityKey(int flink, int blink, int referenceCount, byte[] descriptor) {

  /** Offset of the forward link in the cell data. */
  public static final int FLINK = 4;
  /** Offset of the backward link. */
  public static final int BLINK = 8;
  /** Offset of the reference count. */
  public static final int REFERENCE_COUNT = 12;
  /** Fixed part before the descriptor. */
  public static final int FIXED = 20;

  /** Writes this sk cell's data at {@code at} (cell offset + 4); FIXED + descriptor bytes. */
  public void writeTo(ByteBuffer b, int at) {
    b.put(at, (byte) 's').put(at + 1, (byte) 'k').putShort(at + 2, (short) 0)
        .putInt(at + FLINK, flink).putInt(at + BLINK, blink)
        .putInt(at + REFERENCE_COUNT, referenceCount).putInt(at + 16, descriptor.length);
    b.put(at + FIXED, descriptor);
  }

  /** Parses and validates an sk cell's data. */
  public static SecurityKey parse(ByteBuffer data, String source, long at)
      throws CorruptStructureException {
    Bytes.need(data, 20, source, at, "sk");
    ByteBuffer b = Bytes.le(data);
    if (b.get(0) != 's' || b.get(1) != 'k') {
      throw new CorruptStructureException(source, at, "sk", "signature is not sk");
    }
    int length = b.getInt(16);
    if (length < 0 || length > b.limit() - 20) {
      throw new CorruptStructureException(source, at, "sk", "descriptor length "
          + Integer.toUnsignedString(length) + " exceeds the cell");
    }
    byte[] sd = new byte[length];
    b.get(20, sd);
    return new SecurityKey(b.getInt(4), b.getInt(8), b.getInt(12), sd);
  }
}
