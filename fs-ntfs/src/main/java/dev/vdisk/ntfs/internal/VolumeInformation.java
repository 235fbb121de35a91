package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code $VOLUME_INFORMATION} attribute (type 0x70) of {@code $Volume} (MFT entry 3): the NTFS
 * version and the volume flags.
 *
 * @param majorVersion the major version (1 for NT 4, 3 for Windows 2000 and later)
 * @param minorVersion the minor version (0, 1 or 2)
 * @param flags the volume flags ({@link #VOLUME_IS_DIRTY} ...)
 */
public record VolumeInformation(int majorVersion, int minorVersion, int flags) {
  /** The structure's name in error messages. */
  public static final String STRUCTURE = "$VOLUME_INFORMATION";

  /** The attribute type. */
  public static final int TYPE = 0x70;

  /** Flag: the volume is dirty (chkdsk runs at the next Windows boot). */
  public static final int VOLUME_IS_DIRTY = 0x0001;
  /** Flag: resize the $LogFile. */
  public static final int VOLUME_RESIZE_LOG_FILE = 0x0002;
  /** Flag: upgrade the volume version on the next mount. */
  public static final int VOLUME_UPGRADE_ON_MOUNT = 0x0004;
  /** Flag: mounted on NT 4. */
  public static final int VOLUME_MOUNTED_ON_NT4 = 0x0008;
  /** Flag: deletion of the USN journal is underway. */
  public static final int VOLUME_DELETE_USN_UNDERWAY = 0x0010;
  /** Flag: repair object ids. */
  public static final int VOLUME_REPAIR_OBJECT_ID = 0x0020;
  /** Flag: chkdsk is underway. */
  public static final int VOLUME_CHKDSK_UNDERWAY = 0x4000;
  /** Flag: modified by chkdsk. */
  public static final int VOLUME_MODIFIED_BY_CHKDSK = 0x8000;

  private static final int[] BITS = {VOLUME_IS_DIRTY, VOLUME_RESIZE_LOG_FILE,
      VOLUME_UPGRADE_ON_MOUNT, VOLUME_MOUNTED_ON_NT4, VOLUME_DELETE_USN_UNDERWAY,
      VOLUME_REPAIR_OBJECT_ID, VOLUME_CHKDSK_UNDERWAY, VOLUME_MODIFIED_BY_CHKDSK};
  private static final String[] NAMES = {"VOLUME_IS_DIRTY", "VOLUME_RESIZE_LOG_FILE",
      "VOLUME_UPGRADE_ON_MOUNT", "VOLUME_MOUNTED_ON_NT4", "VOLUME_DELETE_USN_UNDERWAY",
      "VOLUME_REPAIR_OBJECT_ID", "VOLUME_CHKDSK_UNDERWAY", "VOLUME_MODIFIED_BY_CHKDSK"};

  /**
   * Parses the attribute's value.
   *
   * @param value the value (at least 12 bytes), position to limit
   * @param source the device or file, for error messages
   * @param offset byte offset of the value on {@code source}, for error messages
   * @return the volume information
   * @throws CorruptStructureException if the value is shorter than 12 bytes or the version is not
   *     1.x or 3.x
   */
  public static VolumeInformation parse(ByteBuffer value, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(value.slice());
    Bytes.require(b, 0, 12, source, offset, STRUCTURE);
    int major = b.get(8) & 0xff;
    int minor = b.get(9) & 0xff;
    int flags = b.getShort(10) & 0xffff;
    if (major != 1 && major != 3 || minor > 2) {
      throw new CorruptStructureException(source, offset, STRUCTURE,
          "NTFS version " + major + "." + minor + " is not 1.x or 3.0-3.2");
    }
    return new VolumeInformation(major, minor, flags);
  }

  /** {@return whether the dirty flag is set} */
  public boolean dirty() {
    return (flags & VOLUME_IS_DIRTY) != 0;
  }

  /** {@return the version as {@code major.minor}} */
  public String version() {
    return majorVersion + "." + minorVersion;
  }

  /** {@return the names of the set flags, and {@code 0x....} for undefined bits} */
  public List<String> flagNames() {
    List<String> out = new ArrayList<>();
    int left = flags;
    for (int i = 0; i < BITS.length; i++) {
      if ((flags & BITS[i]) != 0) {
        out.add(NAMES[i]);
        left &= ~BITS[i];
      }
    }
    if (left != 0) {
      out.add(String.format("0x%04x", left));
    }
    return out;
  }
}
