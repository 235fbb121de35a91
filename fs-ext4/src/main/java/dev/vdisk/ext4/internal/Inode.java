package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.fs.NodeType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * An inode ({@code struct ext4_inode}) of any size: the 128-byte base, the extra fields
 * ({@code i_extra_isize}, nanosecond and 34-bit timestamps, {@code i_crtime},
 * {@code i_checksum_hi}) and the in-inode extended-attribute space after them.
 */
public final class Inode {
  public static final int FL_INDEX = 0x1000;
  public static final int FL_ENCRYPT = 0x800;
  public static final int FL_HUGE_FILE = 0x40000;
  public static final int FL_EXTENTS = 0x80000;
  public static final int FL_EA_INODE = 0x200000;
  public static final int FL_INLINE_DATA = 0x10000000;
  public static final int FL_CASEFOLD = 0x40000000;

  public final long ino;
  public final byte[] raw;
  public final int mode;
  public final long uid;
  public final long gid;
  public final long size;
  public final int linksCount;
  public final long blocks;
  public final int flags;
  public final int generation;
  public final long fileAcl;
  public final int extraIsize;
  public final FileTime atime;
  public final FileTime ctime;
  public final FileTime mtime;
  public final FileTime crtime;
  public final long dtime;

  private Inode(long ino, byte[] r, Superblock sb) {
    this.ino = ino;
    this.raw = r;
    ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
    mode = b.getShort(0) & 0xFFFF;
    uid = (b.getShort(2) & 0xFFFF) | ((long) (b.getShort(0x78) & 0xFFFF) << 16);
    gid = (b.getShort(0x18) & 0xFFFF) | ((long) (b.getShort(0x7A) & 0xFFFF) << 16);
    size = (b.getInt(4) & 0xFFFFFFFFL) | ((long) b.getInt(0x6C) << 32);
    dtime = b.getInt(0x14) & 0xFFFFFFFFL;
    linksCount = b.getShort(0x1A) & 0xFFFF;
    flags = b.getInt(0x20);
    long blocksLo = b.getInt(0x1C) & 0xFFFFFFFFL;
    long blocksHi = b.getShort(0x74) & 0xFFFF;
    if (sb.hasRoCompat(Superblock.RO_COMPAT_HUGE_FILE)) {
      long count = blocksLo | (blocksHi << 32);
      blocks = (flags & FL_HUGE_FILE) != 0 ? count * (sb.blockSize() / 512) : count;
    } else {
      blocks = blocksLo;
    }
    generation = b.getInt(0x64);
    fileAcl = (b.getInt(0x68) & 0xFFFFFFFFL)
        | (sb.hasIncompat(Superblock.INCOMPAT_64BIT) ? (long) (b.getShort(0x76) & 0xFFFF) << 32 : 0);
    extraIsize = r.length > 128 ? b.getShort(0x80) & 0xFFFF : 0;
    atime = time(b, 0x08, 0x8C);
    ctime = time(b, 0x0C, 0x84);
    mtime = time(b, 0x10, 0x88);
    crtime = fits(0x94) ? time(b, 0x90, 0x94) : null;
  }

  private boolean fits(int extraOffset) {
    return raw.length > 128 && extraOffset + 4 <= 128 + extraIsize;
  }

  private FileTime time(ByteBuffer b, int secOff, int extraOff) {
    long seconds = b.getInt(secOff);
    long nanos = 0;
    if (fits(extraOff)) {
      int extra = b.getInt(extraOff);
      seconds += ((long) (extra & 3)) << 32;
      nanos = (extra >>> 2) & 0x3FFFFFFF;
      if (nanos > 999_999_999) {
        nanos = 999_999_999;
      }
    }
    return FileTime.from(Instant.ofEpochSecond(seconds, nanos));
  }

  /**
   * Parses an inode and verifies its checksum (metadata_csum).
   *
   * @param r the inode's bytes ({@code s_inode_size} of them)
   * @param ino the inode number
   * @param sb the superblock
   * @param source the device description
   * @param offset the byte offset of the inode, for errors
   * @return the inode
   * @throws CorruptStructureException if the checksum or {@code i_extra_isize} is bad
   */
  public static Inode parse(byte[] r, long ino, Superblock sb, String source, long offset)
      throws CorruptStructureException {
    Inode inode = new Inode(ino, r, sb);
    if (r.length > 128 && (inode.extraIsize > r.length - 128 || (inode.extraIsize & 3) != 0)) {
      throw new CorruptStructureException(source, offset, "inode " + ino,
          "i_extra_isize " + inode.extraIsize + " does not fit the " + r.length + "-byte inode");
    }
    if (sb.metadataCsum()) {
      ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
      boolean hasHi = r.length > 128 && inode.extraIsize >= 4;
      int stored = (b.getShort(0x7C) & 0xFFFF) | (hasHi ? (b.getShort(0x82) & 0xFFFF) << 16 : 0);
      int crc = Crc32c.updateLe32(sb.checksumSeed(), (int) ino);
      crc = Crc32c.updateLe32(crc, inode.generation);
      crc = Crc32c.update(crc, r, 0, 0x7C);
      crc = Crc32c.updateZeros(crc, 2);
      crc = Crc32c.update(crc, r, 0x7E, 128 - 0x7E);
      if (r.length > 128) {
        crc = Crc32c.update(crc, r, 128, 2);
        if (hasHi) {
          crc = Crc32c.updateZeros(crc, 2);
          crc = Crc32c.update(crc, r, 0x84, r.length - 0x84);
        } else {
          crc = Crc32c.update(crc, r, 0x82, r.length - 0x82);
        }
      }
      int computed = hasHi ? crc : crc & 0xFFFF;
      if (computed != stored && !allZero(r)) {
        throw new CorruptStructureException(source, offset, "inode " + ino, String.format(
            "i_checksum 0x%08x does not match the computed CRC32C 0x%08x", stored, computed));
      }
    }
    return inode;
  }

  /**
   * Parses an inode without verifying its checksum (for an inode the writer is changing).
   *
   * @param r the inode's bytes
   * @param ino the inode number
   * @param sb the superblock
   * @return the inode
   */
  public static Inode unchecked(byte[] r, long ino, Superblock sb) {
    return new Inode(ino, r, sb);
  }

  /**
   * The journal inode rebuilt from the superblock's backup ({@code s_jnl_blocks}: {@code i_block}
   * then {@code i_size_high} and {@code i_size}), as e2fsck does when inode 8 is damaged.
   *
   * @param sb the superblock
   * @param ino the journal inode number
   * @return the inode
   */
  public static Inode fromJournalBackup(Superblock sb, long ino) {
    byte[] r = new byte[128];
    ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(0, (short) 0100600);
    for (int i = 0; i < 15; i++) {
      b.putInt(0x28 + 4 * i, sb.jnlBlocks[i]);
    }
    b.putInt(0x6C, sb.jnlBlocks[15]);
    b.putInt(4, sb.jnlBlocks[16]);
    b.putShort(0x1A, (short) 1);
    if ((b.getShort(0x28) & 0xFFFF) == ExtentHeader.MAGIC) {
      b.putInt(0x20, FL_EXTENTS);
    }
    return new Inode(ino, r, sb);
  }

  private static boolean allZero(byte[] r) {
    for (byte x : r) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  public NodeType type() {
    return NodeType.fromMode(mode);
  }

  public boolean hasFlag(int f) {
    return (flags & f) != 0;
  }

  /** @return the 60 bytes of {@code i_block} */
  public byte[] iBlock() {
    byte[] out = new byte[60];
    System.arraycopy(raw, 0x28, out, 0, 60);
    return out;
  }

  /** @return the device number of a device node, as {@code makedev(major, minor)} */
  public long rdev() {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int old = b.getInt(0x28);
    long major;
    long minor;
    if (old != 0) {
      major = (old >>> 8) & 0xFF;
      minor = old & 0xFF;
    } else {
      int nw = b.getInt(0x2C);
      major = (nw >>> 8) & 0xFFF;
      minor = (nw & 0xFF) | ((nw >>> 12) & 0xFFF00);
    }
    return ((major & 0xFFFFF000L) << 32) | ((major & 0xFFF) << 8) | ((minor & 0xFFFFFF00L) << 12)
        | (minor & 0xFF);
  }

  /** @return the seed of this inode's extent, directory and xattr checksums */
  public int checksumSeed(Superblock sb) {
    return Crc32c.updateLe32(Crc32c.updateLe32(sb.checksumSeed(), (int) ino), generation);
  }

  /** @return offset of the in-inode xattr area (after the extra fields), or -1 if there is none */
  public int inlineXattrOffset() {
    int off = 128 + extraIsize;
    return raw.length > 128 && off + 4 <= raw.length ? off : -1;
  }
}
