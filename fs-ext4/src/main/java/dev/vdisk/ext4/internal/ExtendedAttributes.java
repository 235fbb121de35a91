package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended attributes: the entries ({@code struct ext4_xattr_entry}) in an inode's extra space
 * (after {@code i_extra_isize}, behind the magic 0xEA020000) and in an xattr block ({@code struct
 * ext4_xattr_header}, 32 bytes, then entries). Names get their prefix from {@code e_name_index}.
 */
public final class ExtendedAttributes {
  public static final int MAGIC = 0xEA020000;

  /** One attribute; the value is inline unless {@link #valueInode} is non-zero (ea_inode). */
  public static final class Attribute {
    public final String name;
    public final int index;
    public final byte[] suffix;
    public final byte[] value;
    public final long valueInode;
    public final long valueSize;

    Attribute(String name, int index, byte[] suffix, byte[] value, long valueInode,
        long valueSize) {
      this.name = name;
      this.index = index;
      this.suffix = suffix;
      this.value = value;
      this.valueInode = valueInode;
      this.valueSize = valueSize;
    }
  }

  private ExtendedAttributes() {}

  static String prefix(int index) {
    switch (index) {
      case 1: return "user.";
      case 2: return "system.posix_acl_access";
      case 3: return "system.posix_acl_default";
      case 4: return "trusted.";
      case 6: return "security.";
      case 7: return "system.";
      case 8: return "system.richacl";
      default: return null;
    }
  }

  /**
   * Parses a list of entries.
   *
   * @param b the bytes
   * @param first where the first entry starts
   * @param end the end of the entry area
   * @param valueBase where {@code e_value_offs} counts from
   * @param valueEnd the end of the value area
   * @param source the device description
   * @param where which inode or block, for messages
   * @return the attributes in order
   * @throws CorruptStructureException if an entry or value does not fit
   */
  public static List<Attribute> parseEntries(byte[] b, int first, int end, int valueBase,
      int valueEnd, String source, String where) throws CorruptStructureException {
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    List<Attribute> out = new ArrayList<>();
    int pos = first;
    while (pos + 4 <= end && bb.getInt(pos) != 0) {
      if (pos + 16 > end) {
        throw new CorruptStructureException(source, -1, "xattr entry", where + ": truncated");
      }
      int nameLen = b[pos] & 0xFF;
      int index = b[pos + 1] & 0xFF;
      int valueOffs = bb.getShort(pos + 2) & 0xFFFF;
      long valueInum = bb.getInt(pos + 4) & 0xFFFFFFFFL;
      long valueSize = bb.getInt(pos + 8) & 0xFFFFFFFFL;
      if (pos + 16 + nameLen > end) {
        throw new CorruptStructureException(source, -1, "xattr entry",
            where + ": name runs past the entry area");
      }
      byte[] suffix = new byte[nameLen];
      System.arraycopy(b, pos + 16, suffix, 0, nameLen);
      String prefix = prefix(index);
      String name = (prefix == null ? "unknown" + index + "." : prefix)
          + new String(suffix, StandardCharsets.UTF_8);
      byte[] value = null;
      if (valueInum == 0) {
        long start = (long) valueBase + valueOffs;
        if (valueSize > valueEnd || start + valueSize > valueEnd) {
          throw new CorruptStructureException(source, -1, "xattr entry",
              where + ": value of " + name + " (" + valueSize + " bytes at " + valueOffs
                  + ") runs past the attribute area");
        }
        value = new byte[(int) valueSize];
        System.arraycopy(b, (int) start, value, 0, (int) valueSize);
      }
      out.add(new Attribute(name, index, suffix, value, valueInum, valueSize));
      pos += (16 + nameLen + 3) & ~3;
    }
    return out;
  }

  /**
   * The attributes in an inode's extra space.
   *
   * @param inode the inode
   * @param source the device description
   * @return the attributes, empty when there is no magic
   * @throws CorruptStructureException if an entry is bad
   */
  public static List<Attribute> inInode(Inode inode, String source)
      throws CorruptStructureException {
    int off = inode.inlineXattrOffset();
    if (off < 0) {
      return List.of();
    }
    byte[] r = inode.raw;
    if (ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN).getInt(off) != MAGIC) {
      return List.of();
    }
    return parseEntries(r, off + 4, r.length, off + 4, r.length, source,
        "inode " + inode.ino);
  }

  /**
   * The attributes in an xattr block.
   *
   * @param b the block
   * @param blockNr its number
   * @param inode the owning inode (for the checksum)
   * @param sb the superblock
   * @param source the device description
   * @return the attributes
   * @throws CorruptStructureException if the magic, checksum or an entry is bad
   */
  public static List<Attribute> inBlock(byte[] b, long blockNr, Inode inode, Superblock sb,
      String source) throws CorruptStructureException {
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long offset = blockNr * sb.blockSize();
    if (bb.getInt(0) != MAGIC) {
      throw new CorruptStructureException(source, offset, "xattr block",
          "block " + blockNr + " of inode " + inode.ino + ": bad magic");
    }
    if (sb.metadataCsum()) {
      int stored = bb.getInt(0x10);
      int crc = Crc32c.updateLe32(sb.checksumSeed(), (int) blockNr);
      crc = Crc32c.updateLe32(crc, (int) (blockNr >>> 32));
      crc = Crc32c.update(crc, b, 0, 0x10);
      crc = Crc32c.updateZeros(crc, 4);
      crc = Crc32c.update(crc, b, 0x14, b.length - 0x14);
      if (crc != stored) {
        throw new CorruptStructureException(source, offset, "xattr block", String.format(
            "block %d: h_checksum 0x%08x does not match the computed 0x%08x", blockNr, stored,
            crc));
      }
    }
    return parseEntries(b, 32, b.length, 0, b.length, source, "xattr block " + blockNr);
  }

  /**
   * Converts a POSIX ACL from ext4's on-disk form ({@code ext4_acl_header} version 1, with 4-byte
   * short entries for owner, group-owner, mask and other) to the Linux xattr form
   * ({@code posix_acl_xattr}, version 2, 8-byte entries) that {@code getfattr} shows.
   *
   * @param disk the stored value
   * @return the xattr form, or the value unchanged if it is not a version-1 ext4 ACL
   */
  public static byte[] aclToXattr(byte[] disk) {
    ByteBuffer in = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
    if (disk.length < 4 || in.getInt(0) != 1) {
      return disk;
    }
    ByteBuffer out = ByteBuffer.allocate(4 + disk.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(2);
    int pos = 4;
    while (pos + 4 <= disk.length) {
      int tag = in.getShort(pos) & 0xFFFF;
      int perm = in.getShort(pos + 2) & 0xFFFF;
      int id = -1;
      if (tag == 0x02 || tag == 0x08) {
        if (pos + 8 > disk.length) {
          return disk;
        }
        id = in.getInt(pos + 4);
        pos += 8;
      } else {
        pos += 4;
      }
      out.putShort((short) tag).putShort((short) perm).putInt(id);
    }
    byte[] r = new byte[out.position()];
    out.flip();
    out.get(r);
    return r;
  }
}
