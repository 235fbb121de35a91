package dev.vdisk.ntfs.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;

/**
 * The NTFS boot sector (volume header): the first sector of the volume, with a backup copy in the
 * volume's last sector.
 *
 * @param bytesPerSector bytes per sector (256 to 4096, a power of two)
 * @param sectorsPerCluster sectors per cluster, decoded (values above 128 are stored as 2^-n)
 * @param totalSectors the number of sectors in the volume (the backup boot sector lies after them)
 * @param mftCluster the cluster number of the first cluster of $MFT
 * @param mftMirrCluster the cluster number of the first cluster of $MFTMirr
 * @param mftRecordSize bytes per MFT entry (decoded from the signed clusters-per-record field)
 * @param indexRecordSize bytes per index record (decoded the same way)
 * @param serialNumber the volume serial number
 */
public record BootSector(
    int bytesPerSector,
    int sectorsPerCluster,
    long totalSectors,
    long mftCluster,
    long mftMirrCluster,
    int mftRecordSize,
    int indexRecordSize,
    long serialNumber) {

  /** The structure's name in error messages. */
  public static final String STRUCTURE = "NTFS boot sector";

  /** Size of the boot sector as parsed. */
  public static final int SIZE = 512;

  /** Largest cluster size supported by NTFS (2 MiB). */
  public static final int MAX_CLUSTER_SIZE = 2 * 1024 * 1024;

  /**
   * Parses and validates a boot sector.
   *
   * @param buffer at least 512 bytes, from its position
   * @param source the device or file, for error messages
   * @param offset byte offset of the boot sector on {@code source}, for error messages
   * @return the boot sector
   * @throws CorruptStructureException if the signature, geometry or references are invalid
   */
  public static BootSector parse(ByteBuffer buffer, String source, long offset)
      throws CorruptStructureException {
    ByteBuffer b = Bytes.le(buffer.slice());
    if (b.remaining() < SIZE) {
      throw corrupt(source, offset, "only " + b.remaining() + " bytes, need " + SIZE);
    }
    byte[] oem = new byte[8];
    b.get(3, oem);
    if (!"NTFS    ".equals(new String(oem, java.nio.charset.StandardCharsets.US_ASCII))) {
      throw corrupt(source, offset, "no \"NTFS    \" file system signature at 3");
    }
    if ((b.get(510) & 0xff) != 0x55 || (b.get(511) & 0xff) != 0xaa) {
      throw corrupt(source, offset, "no 0x55 0xAA sector signature at 510");
    }
    int bytesPerSector = b.getShort(0x0b) & 0xffff;
    if (bytesPerSector < 256 || bytesPerSector > 4096 || Integer.bitCount(bytesPerSector) != 1) {
      throw corrupt(source, offset, "bytes per sector " + bytesPerSector
          + " is not a power of two from 256 to 4096");
    }
    int spcRaw = b.get(0x0d) & 0xff;
    int sectorsPerCluster;
    if (spcRaw == 0) {
      throw corrupt(source, offset, "sectors per cluster is 0");
    } else if (spcRaw <= 0x80) {
      sectorsPerCluster = spcRaw;
    } else {
      int shift = 256 - spcRaw;
      if (shift > 20) {
        throw corrupt(source, offset, "sectors per cluster 2^" + shift + " is too large");
      }
      sectorsPerCluster = 1 << shift;
    }
    if (Integer.bitCount(sectorsPerCluster) != 1) {
      throw corrupt(source, offset, "sectors per cluster " + sectorsPerCluster
          + " is not a power of two");
    }
    long clusterSize = (long) bytesPerSector * sectorsPerCluster;
    if (clusterSize > MAX_CLUSTER_SIZE) {
      throw corrupt(source, offset, "cluster size " + clusterSize + " exceeds 2 MiB");
    }
    long totalSectors = b.getLong(0x28);
    if (totalSectors <= 0 || totalSectors > Long.MAX_VALUE / bytesPerSector) {
      throw corrupt(source, offset, "total sectors " + Long.toUnsignedString(totalSectors)
          + " is out of range");
    }
    long clusterCount = totalSectors / sectorsPerCluster;
    long mft = b.getLong(0x30);
    long mftMirr = b.getLong(0x38);
    if (mft < 0 || mft >= clusterCount) {
      throw corrupt(source, offset, "$MFT cluster " + Long.toUnsignedString(mft)
          + " is outside the " + clusterCount + " clusters of the volume");
    }
    if (mftMirr < 0 || mftMirr >= clusterCount) {
      throw corrupt(source, offset, "$MFTMirr cluster " + Long.toUnsignedString(mftMirr)
          + " is outside the " + clusterCount + " clusters of the volume");
    }
    int mftRecordSize = recordSize(b.get(0x40), clusterSize, source, offset, "MFT entry");
    int indexRecordSize = recordSize(b.get(0x44), clusterSize, source, offset, "index entry");
    if (mftRecordSize < bytesPerSector) {
      throw corrupt(source, offset, "MFT entry size " + mftRecordSize
          + " is smaller than a sector");
    }
    return new BootSector(bytesPerSector, sectorsPerCluster, totalSectors, mft, mftMirr,
        mftRecordSize, indexRecordSize, b.getLong(0x48));
  }

  private static int recordSize(
      byte raw, long clusterSize, String source, long offset, String what)
      throws CorruptStructureException {
    long size;
    if (raw > 0) {
      size = raw * clusterSize;
    } else if (raw < 0 && raw >= -31) {
      size = 1L << -raw;
    } else {
      throw corrupt(source, offset, "clusters per " + what + " field " + raw + " is invalid");
    }
    if (size < 256 || size > 65536 * 4L) {
      throw corrupt(source, offset, what + " size " + size + " is out of range");
    }
    return (int) size;
  }

  private static CorruptStructureException corrupt(String source, long offset, String detail) {
    return new CorruptStructureException(source, offset, STRUCTURE, detail);
  }

  /**
   * Bytes per cluster.
   *
   * @return the cluster size
   */
  public int clusterSize() {
    return bytesPerSector * sectorsPerCluster;
  }

  /**
   * Number of clusters in the volume.
   *
   * @return {@code totalSectors / sectorsPerCluster}
   */
  public long clusterCount() {
    return totalSectors / sectorsPerCluster;
  }

  /**
   * Byte offset of the backup boot sector: the sector after the {@code totalSectors} counted ones,
   * the last sector of the partition holding the volume.
   *
   * @return the offset relative to the start of the volume
   */
  public long backupOffset() {
    return totalSectors * bytesPerSector;
  }
}
