package dev.vdisk.vhd.internal;

/**
 * The cylinder/head/sector geometry a VHD footer records ("Disk Geometry": cylinders in two bytes,
 * heads in one, sectors per track in one, big-endian).
 *
 * @param cylinders the number of cylinders, 0 to 65535
 * @param heads heads per cylinder, 0 to 255
 * @param sectorsPerTrack sectors per track, 0 to 255
 */
public record DiskGeometry(int cylinders, int heads, int sectorsPerTrack) {

  /** The largest number of sectors a geometry can describe: 65535 cylinders, 16 heads, 255. */
  public static final long MAX_SECTORS = 65535L * 16 * 255;

  /**
   * Validates the ranges.
   *
   * @param cylinders cylinders
   * @param heads heads
   * @param sectorsPerTrack sectors per track
   */
  public DiskGeometry {
    if (cylinders < 0 || cylinders > 0xFFFF || heads < 0 || heads > 0xFF
        || sectorsPerTrack < 0 || sectorsPerTrack > 0xFF) {
      throw new IllegalArgumentException(
          "geometry out of range: " + cylinders + "/" + heads + "/" + sectorsPerTrack);
    }
  }

  /**
   * Decodes the footer's 4-byte geometry field.
   *
   * @param field the field as a big-endian int
   * @return the geometry
   */
  public static DiskGeometry parse(int field) {
    return new DiskGeometry(field >>> 16, (field >>> 8) & 0xFF, field & 0xFF);
  }

  /**
   * The geometry the VHD specification's CHS algorithm computes for a disk of {@code totalSectors}
   * 512-byte sectors (Appendix: CHS Calculation). Disks larger than {@link #MAX_SECTORS} get the
   * maximum geometry 65535/16/255.
   *
   * @param totalSectors the disk's size in sectors, not negative
   * @return the geometry
   */
  public static DiskGeometry fromTotalSectors(long totalSectors) {
    if (totalSectors < 0) {
      throw new IllegalArgumentException("negative sector count " + totalSectors);
    }
    long sectors = Math.min(totalSectors, MAX_SECTORS);
    long sectorsPerTrack;
    long heads;
    long cylinderTimesHeads;
    if (sectors >= 65535L * 16 * 63) {
      sectorsPerTrack = 255;
      heads = 16;
      cylinderTimesHeads = sectors / sectorsPerTrack;
    } else {
      sectorsPerTrack = 17;
      cylinderTimesHeads = sectors / sectorsPerTrack;
      heads = (cylinderTimesHeads + 1023) / 1024;
      if (heads < 4) {
        heads = 4;
      }
      if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
        sectorsPerTrack = 31;
        heads = 16;
        cylinderTimesHeads = sectors / sectorsPerTrack;
      }
      if (cylinderTimesHeads >= heads * 1024) {
        sectorsPerTrack = 63;
        heads = 16;
        cylinderTimesHeads = sectors / sectorsPerTrack;
      }
    }
    long cylinders = cylinderTimesHeads / heads;
    return new DiskGeometry((int) cylinders, (int) heads, (int) sectorsPerTrack);
  }

  /**
   * Encodes the geometry as the footer's 4-byte field.
   *
   * @return the field as a big-endian int
   */
  public int toField() {
    return (cylinders << 16) | (heads << 8) | sectorsPerTrack;
  }

  /**
   * The number of bytes the geometry describes: cylinders × heads × sectors × 512.
   *
   * @return the size in bytes
   */
  public long sizeInBytes() {
    return (long) cylinders * heads * sectorsPerTrack * 512L;
  }

  /**
   * The geometry as {@code C/H/S}.
   *
   * @return for example {@code "65278/16/255"}
   */
  @Override
  public String toString() {
    return cylinders + "/" + heads + "/" + sectorsPerTrack;
  }
}
