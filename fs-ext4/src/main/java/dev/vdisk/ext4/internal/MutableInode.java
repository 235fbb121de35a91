package dev.vdisk.ext4.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;

/**
 * An inode being changed by the writer: the raw {@code struct ext4_inode} bytes with typed
 * accessors for every field the writer touches. Changes stay in these bytes until
 * {@link Ext4Writer#putInode(MutableInode)} stores them (with a fresh checksum) in the inode
 * table block of the running transaction.
 */
public final class MutableInode {
  /** {@code S_IFMT}: the file-type bits of {@code i_mode}. */
  public static final int S_IFMT = 0xF000;
  /** Regular file. */
  public static final int S_IFREG = 0x8000;
  /** Directory. */
  public static final int S_IFDIR = 0x4000;
  /** Symbolic link. */
  public static final int S_IFLNK = 0xA000;
  /** Offset of {@code i_block} (60 bytes: extent root, block map, fast symlink, inline data). */
  public static final int I_BLOCK = 0x28;
  /** Size of {@code i_block}. */
  public static final int I_BLOCK_SIZE = 60;

  private final long ino;
  private final byte[] raw;
  private final ByteBuffer b;
  private final Superblock sb;

  MutableInode(long ino, byte[] raw, Superblock sb) {
    this.ino = ino;
    this.raw = raw;
    this.b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    this.sb = sb;
  }

  /** @return the inode number */
  public long ino() {
    return ino;
  }

  /** @return the raw bytes ({@code s_inode_size} long), changed in place by the setters */
  public byte[] raw() {
    return raw;
  }

  /** @return a little-endian view of the raw bytes */
  public ByteBuffer buffer() {
    return b;
  }

  /** @return the inode parsed (for the read-side helpers such as {@link FileMap}) */
  public Inode parsed() {
    return Inode.unchecked(raw.clone(), ino, sb);
  }

  /** @return {@code i_mode} */
  public int mode() {
    return b.getShort(0) & 0xFFFF;
  }

  /** @param mode the new {@code i_mode} (type and permission bits) */
  public void setMode(int mode) {
    b.putShort(0, (short) mode);
  }

  /** @return the type bits of {@code i_mode} */
  public int type() {
    return mode() & S_IFMT;
  }

  /** @return whether this is a directory */
  public boolean isDirectory() {
    return type() == S_IFDIR;
  }

  /** @return the 32-bit owner */
  public long uid() {
    return (b.getShort(2) & 0xFFFF) | ((long) (b.getShort(0x78) & 0xFFFF) << 16);
  }

  /** @return the 32-bit group */
  public long gid() {
    return (b.getShort(0x18) & 0xFFFF) | ((long) (b.getShort(0x7A) & 0xFFFF) << 16);
  }

  /**
   * Sets the 32-bit owner and group.
   *
   * @param uid the user id
   * @param gid the group id
   */
  public void setOwner(long uid, long gid) {
    b.putShort(2, (short) uid);
    b.putShort(0x78, (short) (uid >>> 16));
    b.putShort(0x18, (short) gid);
    b.putShort(0x7A, (short) (gid >>> 16));
  }

  /** @return {@code i_size} (64-bit) */
  public long size() {
    return (b.getInt(4) & 0xFFFFFFFFL) | ((long) b.getInt(0x6C) << 32);
  }

  /** @param size the new {@code i_size} */
  public void setSize(long size) {
    b.putInt(4, (int) size);
    b.putInt(0x6C, (int) (size >>> 32));
  }

  /** @return {@code i_links_count} */
  public int links() {
    return b.getShort(0x1A) & 0xFFFF;
  }

  /** @param n the new {@code i_links_count} */
  public void setLinks(int n) {
    b.putShort(0x1A, (short) n);
  }

  /** @return {@code i_flags} */
  public int flags() {
    return b.getInt(0x20);
  }

  /** @param f the new {@code i_flags} */
  public void setFlags(int f) {
    b.putInt(0x20, f);
  }

  /**
   * @param f a flag
   * @return whether it is set
   */
  public boolean hasFlag(int f) {
    return (flags() & f) != 0;
  }

  /** @return {@code i_generation} */
  public int generation() {
    return b.getInt(0x64);
  }

  /** @return {@code i_dtime} */
  public long dtime() {
    return b.getInt(0x14) & 0xFFFFFFFFL;
  }

  /** @param t the new {@code i_dtime} */
  public void setDtime(long t) {
    b.putInt(0x14, (int) t);
  }

  /** @return {@code i_file_acl} (the xattr block, 48-bit with 64bit) */
  public long fileAcl() {
    return (b.getInt(0x68) & 0xFFFFFFFFL)
        | (sb.hasIncompat(Superblock.INCOMPAT_64BIT) ? (long) (b.getShort(0x76) & 0xFFFF) << 32
            : 0);
  }

  /** @param block the new xattr block (0 for none) */
  public void setFileAcl(long block) {
    b.putInt(0x68, (int) block);
    if (sb.hasIncompat(Superblock.INCOMPAT_64BIT)) {
      b.putShort(0x76, (short) (block >>> 32));
    }
  }

  /** @return {@code i_extra_isize} (0 for 128-byte inodes) */
  public int extraIsize() {
    return raw.length > 128 ? b.getShort(0x80) & 0xFFFF : 0;
  }

  /** @return the offset of the in-inode xattr area, or -1 if there is none */
  public int inlineXattrOffset() {
    int off = 128 + extraIsize();
    return raw.length > 128 && off + 4 <= raw.length ? off : -1;
  }

  /**
   * The 512-byte sectors this inode uses ({@code i_blocks}, honouring huge_file).
   *
   * @return the count in 512-byte units
   */
  public long sectors() {
    long lo = b.getInt(0x1C) & 0xFFFFFFFFL;
    if (!sb.hasRoCompat(Superblock.RO_COMPAT_HUGE_FILE)) {
      return lo;
    }
    long count = lo | ((long) (b.getShort(0x74) & 0xFFFF) << 32);
    return hasFlag(Inode.FL_HUGE_FILE) ? count * (sb.blockSize() / 512) : count;
  }

  /**
   * Sets {@code i_blocks} from a count of 512-byte sectors, switching to block units
   * ({@code EXT4_HUGE_FILE_FL}) only when the 48-bit sector count overflows.
   *
   * @param sectors the count in 512-byte units
   */
  public void setSectors(long sectors) {
    int f = flags() & ~Inode.FL_HUGE_FILE;
    long v = sectors;
    if (sb.hasRoCompat(Superblock.RO_COMPAT_HUGE_FILE)) {
      if (sectors >= 1L << 48) {
        f |= Inode.FL_HUGE_FILE;
        v = sectors / (sb.blockSize() / 512);
      }
      b.putShort(0x74, (short) (v >>> 32));
    } else if (sectors > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("i_blocks overflows without huge_file: " + sectors);
    }
    b.putInt(0x1C, (int) v);
    setFlags(f);
  }

  /**
   * Adds file-system blocks to {@code i_blocks}.
   *
   * @param blocks how many blocks (negative to subtract)
   */
  public void addBlocks(long blocks) {
    setSectors(sectors() + blocks * (sb.blockSize() / 512));
  }

  /** Which timestamp. */
  public enum Time {
    /** {@code i_atime}. */
    ACCESS(0x08, 0x8C),
    /** {@code i_ctime}. */
    CHANGE(0x0C, 0x84),
    /** {@code i_mtime}. */
    MODIFY(0x10, 0x88),
    /** {@code i_crtime}. */
    CREATE(0x90, 0x94);

    final int sec;
    final int extra;

    Time(int sec, int extra) {
      this.sec = sec;
      this.extra = extra;
    }
  }

  private boolean fits(int off) {
    return raw.length > 128 && off + 4 <= 128 + extraIsize();
  }

  /**
   * Sets a timestamp: 32 bits of seconds in the base field, and, where the inode has the extra
   * field, the nanoseconds and the two epoch bits that carry dates up to 2446.
   *
   * @param which the timestamp
   * @param t the time
   */
  public void setTime(Time which, Instant t) {
    long sec = t.getEpochSecond();
    if (which == Time.CREATE && !fits(which.sec)) {
      return;
    }
    b.putInt(which.sec, (int) sec);
    if (fits(which.extra)) {
      b.putInt(which.extra, (t.getNano() << 2) | (int) (((sec - (int) sec) >> 32) & 3));
    }
  }

  /**
   * @param which the timestamp
   * @return its value
   */
  public Instant time(Time which) {
    if (which == Time.CREATE && !fits(which.sec)) {
      return null;
    }
    long seconds = b.getInt(which.sec);
    long nanos = 0;
    if (fits(which.extra)) {
      int extra = b.getInt(which.extra);
      seconds += ((long) (extra & 3)) << 32;
      nanos = Math.min(999_999_999, (extra >>> 2) & 0x3FFFFFFF);
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /**
   * Sets the times a change of content sets: modification and status change.
   *
   * @param t the time
   */
  public void touchModified(Instant t) {
    setTime(Time.MODIFY, t);
    setTime(Time.CHANGE, t);
  }

  /** @return a copy of the 60 bytes of {@code i_block} */
  public byte[] iBlock() {
    byte[] out = new byte[I_BLOCK_SIZE];
    System.arraycopy(raw, I_BLOCK, out, 0, I_BLOCK_SIZE);
    return out;
  }

  /** @param data the new 60 bytes of {@code i_block} */
  public void setIBlock(byte[] data) {
    if (data.length != I_BLOCK_SIZE) {
      throw new IllegalArgumentException("i_block is 60 bytes, not " + data.length);
    }
    System.arraycopy(data, 0, raw, I_BLOCK, I_BLOCK_SIZE);
  }

  /** @return the seed of this inode's extent, directory and xattr checksums */
  public int checksumSeed() {
    return Crc32c.updateLe32(Crc32c.updateLe32(sb.checksumSeed(), (int) ino), generation());
  }
}
