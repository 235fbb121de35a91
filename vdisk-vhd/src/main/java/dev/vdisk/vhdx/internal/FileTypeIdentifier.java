package dev.vdisk.vhdx.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The File Type Identifier at offset 0 of every VHDX file: the signature {@code "vhdxfile"} and a
 * UTF-16LE creator string of up to 256 characters.
 *
 * @param creator the creator string (may be empty)
 */
public record FileTypeIdentifier(String creator) {
  /** Size of the structure's own fields; the whole region is 64 KiB. */
  public static final int SIZE = 8 + 512;
  /** The signature, {@code "vhdxfile"}, as a little-endian long. */
  public static final long SIGNATURE = 0x656C6966_78646876L;

  /**
   * Whether the buffer starts with the {@code "vhdxfile"} signature.
   *
   * @param buffer at least 8 bytes from its position
   * @return {@code true} if the signature matches
   */
  public static boolean hasSignature(ByteBuffer buffer) {
    return buffer.remaining() >= 8
        && buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(buffer.position()) == SIGNATURE;
  }

  /**
   * Parses and validates the identifier.
   *
   * @param buffer {@link #SIZE} bytes from its position
   * @param file the image, for messages
   * @return the identifier
   * @throws CorruptStructureException if the signature is wrong or the buffer is short
   */
  public static FileTypeIdentifier parse(ByteBuffer buffer, Path file)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE || !hasSignature(buffer)) {
      throw new CorruptStructureException(file, 0, "VHDX file type identifier",
          "signature \"vhdxfile\" not found");
    }
    byte[] raw = new byte[512];
    buffer.duplicate().position(buffer.position() + 8).get(raw);
    int end = 0;
    while (end + 1 < raw.length && (raw[end] != 0 || raw[end + 1] != 0)) {
      end += 2;
    }
    return new FileTypeIdentifier(new String(raw, 0, end, StandardCharsets.UTF_16LE));
  }

  /**
   * Writes the identifier (signature and creator) at the buffer's position.
   *
   * @param buffer at least {@link #SIZE} bytes from its position; the rest is left as is
   */
  public void writeTo(ByteBuffer buffer) {
    ByteBuffer le = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = buffer.position();
    le.putLong(p, SIGNATURE);
    byte[] text = creator.getBytes(StandardCharsets.UTF_16LE);
    int n = Math.min(text.length, 510);
    for (int i = 0; i < 512; i++) {
      le.put(p + 8 + i, i < n ? text[i] : 0);
    }
  }
}
