package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A block group descriptor ({@code struct ext4_group_desc}): 32 bytes, or {@code s_desc_size}
 * (64) with the 64bit feature. Checked with CRC32C (metadata_csum) or CRC16 (gdt_csum).
 */
public final class GroupDescriptor {
  public final long blockBitmap;
  public final long inodeBitmap;
  public final long inodeTable;
  public final int flags;
  public final int checksum;

  private GroupDescriptor(long blockBitmap, long inodeBitmap, long inodeTable, int flags,
      int checksum) {
    this.blockBitmap = blockBitmap;
    this.inodeBitmap = inodeBitmap;
    this.inodeTable = inodeTable;
    this.flags = flags;
    this.checksum = checksum;
  }

  /**
   * Parses one descriptor and verifies its checksum.
   *
   * @param buf the bytes, at the descriptor (position) with at least the descriptor size left
   * @param sb the superblock
   * @param group the group number
   * @param source the device description
   * @param offset the descriptor's byte offset on the device, for errors
   * @return the descriptor
   * @throws CorruptStructureException if the checksum does not match or the inode table is outside
   *     the volume
   */
  public static GroupDescriptor parse(ByteBuffer buf, Superblock sb, long group, String source,
      long offset) throws CorruptStructureException {
    int size = sb.descSize;
    if (buf.remaining() < size) {
      throw new CorruptStructureException(source, offset, "group descriptor " + group,
          "truncated");
    }
    byte[] d = new byte[size];
    buf.duplicate().get(d);
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    boolean wide = sb.hasIncompat(Superblock.INCOMPAT_64BIT) && size >= 64;
    long blockBitmap = u32(b, 0) | (wide ? u32(b, 0x20) << 32 : 0);
    long inodeBitmap = u32(b, 4) | (wide ? u32(b, 0x24) << 32 : 0);
    long inodeTable = u32(b, 8) | (wide ? u32(b, 0x28) << 32 : 0);
    int flags = b.getShort(0x12) & 0xFFFF;
    int stored = b.getShort(0x1E) & 0xFFFF;
    if (sb.metadataCsum()) {
      int crc = Crc32c.updateLe32(sb.checksumSeed(), (int) group);
      crc = Crc32c.update(crc, d, 0, 0x1E);
      crc = Crc32c.updateZeros(crc, 2);
      crc = Crc32c.update(crc, d, 0x20, size - 0x20);
      if ((crc & 0xFFFF) != stored) {
        throw new CorruptStructureException(source, offset, "group descriptor " + group,
            String.format("bg_checksum 0x%04x does not match the computed 0x%04x", stored,
                crc & 0xFFFF));
      }
    } else if (sb.hasRoCompat(Superblock.RO_COMPAT_GDT_CSUM)) {
      int crc = Crc16.update(0xFFFF, sb.uuid, 0, 16);
      byte[] g = {(byte) group, (byte) (group >>> 8), (byte) (group >>> 16), (byte) (group >>> 24)};
      crc = Crc16.update(crc, g, 0, 4);
      crc = Crc16.update(crc, d, 0, 0x1E);
      if (size > 0x20) {
        crc = Crc16.update(crc, d, 0x20, size - 0x20);
      }
      if (crc != stored) {
        throw new CorruptStructureException(source, offset, "group descriptor " + group,
            String.format("bg_checksum (crc16) 0x%04x does not match the computed 0x%04x",
                stored, crc));
      }
    }
    long inodeTableBlocks = (sb.inodesPerGroup * sb.inodeSize + sb.blockSize() - 1)
        / sb.blockSize();
    if (inodeTable == 0 || inodeTable >= sb.blocksCount
        || inodeTable + inodeTableBlocks > sb.blocksCount) {
      throw new CorruptStructureException(source, offset, "group descriptor " + group,
          "bg_inode_table " + inodeTable + " is outside the volume (" + sb.blocksCount
              + " blocks)");
    }
    return new GroupDescriptor(blockBitmap, inodeBitmap, inodeTable, flags, stored);
  }

  private static long u32(ByteBuffer b, int off) {
    return b.getInt(off) & 0xFFFFFFFFL;
  }
}
