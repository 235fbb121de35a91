package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@code $FILE_NAME} attribute value (also the key of a {@code $I30} index entry).
 *
 * @param parentReference the parent directory's file reference (record number and sequence)
 * @param creationTime creation time (NTFS units)
 * @param modificationTime data modification time
 * @param mftChangeTime MFT entry change time
 * @param accessTime access time
 * @param allocatedSize allocated size as recorded here (often stale)
 * @param dataSize data size as recorded here (often stale)
 * @param fileAttributes the file attribute flags as recorded here
 * @param reparseTag the reparse tag when {@code fileAttributes} has the reparse bit, else the
 *     extended attribute size
 * @param namespace 0 POSIX, 1 Win32, 2 DOS, 3 Win32 and DOS
 * @param name the name
 */
public record FileName(
    long parentReference,
    long creationTime,
    long modificationTime,
    long mftChangeTime,
    long accessTime,
    long allocatedSize,
    long dataSize,
    int fileAttributes,
    int reparseTag,
    int namespace,
    String name) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "$FILE_NAME";

  /** Namespace: POSIX (case-sensitive, any character but NUL and '/'). */
  public static final int POSIX = 0;

  /** Namespace: Win32 long name. */
  public static final int WIN32 = 1;

  /** Namespace: DOS 8.3 short name only. */
  public static final int DOS = 2;

  /** Namespace: a name valid both as Win32 and as DOS. */
  public static final int WIN32_AND_DOS = 3;

  /** File attribute: directory (the "index present" bit of {@code $FILE_NAME}). */
  public static final int ATTR_DIRECTORY = 0x10000000;

  /** File attribute: has a reparse point. */
  public static final int ATTR_REPARSE_POINT = 0x400;

  /**
   * Parses a {@code $FILE_NAME} value.
   *
   * @param value the value, from its position to its limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the value on {@code source} (or -1), for error messages
   * @return the file name
   * @throws CorruptStructureException if it is truncated or the namespace is unknown
   */
  public static FileName parse(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    Bytes.require(b, 0, 0x42, source, offset, STRUCTURE);
    int length = b.get(0x40) & 0xff;
    int namespace = b.get(0x41) & 0xff;
    Bytes.require(b, 0x42, 2 * length, source, offset, STRUCTURE);
    if (namespace > 3) {
      throw new CorruptStructureException(source, offset, STRUCTURE,
          "namespace " + namespace + " is not 0..3");
    }
    if (length == 0) {
      throw new CorruptStructureException(source, offset, STRUCTURE, "the name is empty");
    }
    byte[] raw = new byte[2 * length];
    b.get(0x42, raw);
    return new FileName(b.getLong(0), b.getLong(8), b.getLong(0x10), b.getLong(0x18),
        b.getLong(0x20), b.getLong(0x28), b.getLong(0x30), b.getInt(0x38), b.getInt(0x3c),
        namespace, new String(raw, StandardCharsets.UTF_16LE));
  }

  /**
   * The parent's MFT record number.
   *
   * @return the low 48 bits of the parent reference
   */
  public long parentRecord() {
    return parentReference & 0xffff_ffff_ffffL;
  }

  /**
   * Whether this is a DOS 8.3 name only, hidden when the entry also has a Win32 name.
   *
   * @return {@code true} for namespace {@link #DOS}
   */
  public boolean isDosOnly() {
    return namespace == DOS;
  }
}
