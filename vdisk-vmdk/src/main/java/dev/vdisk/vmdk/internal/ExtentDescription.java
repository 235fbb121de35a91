package dev.vdisk.vmdk.internal;

import java.util.Locale;

/**
 * One line of a descriptor's extent description section: {@code ACCESS SECTORS TYPE ["FILE"
 * [OFFSET]]}, for example {@code RW 4192256 SPARSE "disk-s001.vmdk"} or {@code RW 2048 FLAT
 * "disk-flat.vmdk" 0}.
 *
 * @param access the access mode
 * @param sectors the extent's size in 512-byte sectors
 * @param type the extent type
 * @param fileName the file name as written (relative to the descriptor's folder), or {@code null}
 *     for ZERO extents
 * @param offset the sector offset of the data in a FLAT or VMFS file, else 0
 */
public record ExtentDescription(
    Access access, long sectors, Type type, String fileName, long offset) {

  /** The access mode of an extent. */
  public enum Access {
    /** Read-write. */
    RW,
    /** Read-only. */
    RDONLY,
    /** No access: the extent cannot be read or written. */
    NOACCESS
  }

  /** The extent types the specification names. */
  public enum Type {
    /** Raw data in a plain file at an offset. */
    FLAT,
    /** A hosted sparse (KDMV) extent. */
    SPARSE,
    /** No file: reads as zeros. */
    ZERO,
    /** An ESXi flat extent (like FLAT). */
    VMFS,
    /** An ESXi snapshot delta (COWD). */
    VMFSSPARSE,
    /** An ESXi raw device mapping (not readable from an image file). */
    VMFSRDM,
    /** An ESXi raw device (not readable from an image file). */
    VMFSRAW,
    /** An ESXi space-efficient sparse delta. */
    SESPARSE;

    /**
     * Parses a type name, case-insensitively.
     *
     * @param name the name
     * @return the type, or {@code null} if unknown
     */
    public static Type of(String name) {
      try {
        return Type.valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /**
   * The capacity in bytes.
   *
   * @return sectors × 512
   */
  public long bytes() {
    return sectors * 512;
  }

  /**
   * The line as a descriptor writes it.
   *
   * @return the text, without a line end
   */
  public String toLine() {
    StringBuilder sb = new StringBuilder();
    sb.append(access.name()).append(' ').append(sectors).append(' ').append(type.name());
    if (fileName != null) {
      sb.append(" \"").append(fileName).append('"');
      if (type == Type.FLAT || offset != 0) {
        sb.append(' ').append(offset);
      }
    }
    return sb.toString();
  }
}
