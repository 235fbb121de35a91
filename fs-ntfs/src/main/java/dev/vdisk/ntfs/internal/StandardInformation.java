package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * A {@code $STANDARD_INFORMATION} attribute value: times, DOS attributes, and (NTFS 3.0+) the
 * security id.
 *
 * @param creationTime creation time (NTFS units)
 * @param modificationTime data modification time
 * @param mftChangeTime MFT entry change time
 * @param accessTime access time
 * @param fileAttributes the file attribute flags (DOS bits and NTFS ones)
 * @param securityId the key into {@code $Secure}, 0 when the value is the short NTFS 1.x form
 */
public record StandardInformation(
    long creationTime,
    long modificationTime,
    long mftChangeTime,
    long accessTime,
    int fileAttributes,
    int securityId) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "$STANDARD_INFORMATION";

  /** File attribute: read-only. */
  public static final int READ_ONLY = 0x1;

  /** File attribute: hidden. */
  public static final int HIDDEN = 0x2;

  /** File attribute: system. */
  public static final int SYSTEM = 0x4;

  /** File attribute: sparse file. */
  public static final int SPARSE = 0x200;

  /** File attribute: reparse point. */
  public static final int REPARSE_POINT = 0x400;

  /** File attribute: compressed. */
  public static final int COMPRESSED = 0x800;

  /** File attribute: encrypted. */
  public static final int ENCRYPTED = 0x4000;

  /**
   * Parses the value.
   *
   * @param value the value, from its position to its limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the value on {@code source} (or -1), for error messages
   * @return the standard information
   * @throws CorruptStructureException if it is shorter than the 48-byte NTFS 1.x form
   */
  public static StandardInformation parse(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    Bytes.require(b, 0, 0x30, source, offset, STRUCTURE);
    int securityId = b.limit() >= 0x38 ? b.getInt(0x34) : 0;
    return new StandardInformation(b.getLong(0), b.getLong(8), b.getLong(0x10), b.getLong(0x18),
        b.getInt(0x20), securityId);
  }
}
