package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ext2/3/4 superblock ({@code struct ext4_super_block}, 1024 bytes at byte 1024 of the
 * volume), with the feature flags named as the kernel's documentation names them.
 */
public final class Superblock {
  /** Byte offset of the primary superblock. */
  public static final int OFFSET = 1024;
  /** Size of the superblock. */
  public static final int SIZE = 1024;
  /** {@code s_magic}. */
  public static final int MAGIC = 0xEF53;

  // s_feature_compat
  public static final int COMPAT_HAS_JOURNAL = 0x4;
  public static final int COMPAT_EXT_ATTR = 0x8;
  public static final int COMPAT_DIR_INDEX = 0x20;
  public static final int COMPAT_SPARSE_SUPER2 = 0x200;
  // s_feature_incompat
  public static final int INCOMPAT_COMPRESSION = 0x1;
  public static final int INCOMPAT_FILETYPE = 0x2;
  public static final int INCOMPAT_RECOVER = 0x4;
  public static final int INCOMPAT_JOURNAL_DEV = 0x8;
  public static final int INCOMPAT_META_BG = 0x10;
  public static final int INCOMPAT_EXTENTS = 0x40;
  public static final int INCOMPAT_64BIT = 0x80;
  public static final int INCOMPAT_MMP = 0x100;
  public static final int INCOMPAT_FLEX_BG = 0x200;
  public static final int INCOMPAT_EA_INODE = 0x400;
  public static final int INCOMPAT_DIRDATA = 0x1000;
  public static final int INCOMPAT_CSUM_SEED = 0x2000;
  public static final int INCOMPAT_LARGEDIR = 0x4000;
  public static final int INCOMPAT_INLINE_DATA = 0x8000;
  public static final int INCOMPAT_ENCRYPT = 0x10000;
  public static final int INCOMPAT_CASEFOLD = 0x20000;
  // s_feature_ro_compat
  public static final int RO_COMPAT_SPARSE_SUPER = 0x1;
  public static final int RO_COMPAT_LARGE_FILE = 0x2;
  public static final int RO_COMPAT_BTREE_DIR = 0x4;
  public static final int RO_COMPAT_HUGE_FILE = 0x8;
  public static final int RO_COMPAT_GDT_CSUM = 0x10;
  public static final int RO_COMPAT_BIGALLOC = 0x200;
  public static final int RO_COMPAT_METADATA_CSUM = 0x400;

  private static final String[] COMPAT_NAMES = {
    "dir_prealloc", "imagic_inodes", "has_journal", "ext_attr", "resize_inode", "dir_index",
    "lazy_bg", "exclude_inode", "exclude_bitmap", "sparse_super2", "fast_commit", "stable_inodes",
    "orphan_file"
  };
  private static final String[] INCOMPAT_NAMES = {
    "compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", "incompat_0x20",
    "extent", "64bit", "mmp", "flex_bg", "ea_inode", "incompat_0x800", "dirdata", "metadata_csum_seed",
    "large_dir", "inline_data", "encrypt", "casefold"
  };
  private static final String[] RO_COMPAT_NAMES = {
    "sparse_super", "large_file", "btree_dir", "huge_file", "uninit_bg", "dir_nlink",
    "extra_isize", "has_snapshot", "quota", "bigalloc", "metadata_csum", "replica", "read-only",
    "project", "shared_blocks", "verity", "orphan_present"
  };

  /** The INCOMPAT flags this driver reads. */
  public static final int INCOMPAT_SUPPORTED = INCOMPAT_FILETYPE | INCOMPAT_RECOVER
      | INCOMPAT_META_BG | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG
      | INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA
      | INCOMPAT_ENCRYPT | INCOMPAT_CASEFOLD;

  public final long inodesCount;
  public final long blocksCount;
  public final long freeBlocksCount;
  public final long freeInodesCount;
  public final long firstDataBlock;
  public final int logBlockSize;
  public final int logClusterSize;
  public final long blocksPerGroup;
  public final long clustersPerGroup;
  public final long inodesPerGroup;
  public final int state;
  public final int revLevel;
  public final long firstIno;
  public final int inodeSize;
  public final int featureCompat;
  public final int featureIncompat;
  public final int featureRoCompat;
  public final byte[] uuid = new byte[16];
  public final String volumeName;
  public final long journalInum;
  public final long journalDev;
  public final int[] hashSeed = new int[4];
  public final int defHashVersion;
  public final int descSize;
  public final int jnlBackupType;
  public final int[] jnlBlocks = new int[17];
  public final long firstMetaBg;
  public final int minExtraIsize;
  public final int flags;
  public final int logGroupsPerFlex;
  public final int checksumType;
  public final long[] backupBgs = new long[2];
  public final int checksumSeedField;
  public final int encoding;
  public final int checksum;
  public final int computedChecksum;
  public final byte[] raw;

  private Superblock(byte[] b) {
    raw = b;
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    inodesCount = u32(bb, 0x0);
    freeInodesCount = u32(bb, 0x10);
    firstDataBlock = u32(bb, 0x14);
    logBlockSize = bb.getInt(0x18);
    logClusterSize = bb.getInt(0x1C);
    blocksPerGroup = u32(bb, 0x20);
    clustersPerGroup = u32(bb, 0x24);
    inodesPerGroup = u32(bb, 0x28);
    state = u16(bb, 0x3A);
    revLevel = bb.getInt(0x4C);
    firstIno = revLevel == 0 ? 11 : u32(bb, 0x54);
    inodeSize = revLevel == 0 ? 128 : u16(bb, 0x58);
    featureCompat = revLevel == 0 ? 0 : bb.getInt(0x5C);
    featureIncompat = revLevel == 0 ? 0 : bb.getInt(0x60);
    featureRoCompat = revLevel == 0 ? 0 : bb.getInt(0x64);
    System.arraycopy(b, 0x68, uuid, 0, 16);
    int n = 0;
    while (n < 16 && b[0x78 + n] != 0) {
      n++;
    }
    volumeName = new String(b, 0x78, n, StandardCharsets.UTF_8);
    journalInum = u32(bb, 0xE0);
    journalDev = u32(bb, 0xE4);
    for (int i = 0; i < 4; i++) {
      hashSeed[i] = bb.getInt(0xEC + 4 * i);
    }
    defHashVersion = b[0xFC] & 0xFF;
    jnlBackupType = b[0xFD] & 0xFF;
    for (int i = 0; i < 17; i++) {
      jnlBlocks[i] = bb.getInt(0x10C + 4 * i);
    }
    boolean is64 = (featureIncompat & INCOMPAT_64BIT) != 0;
    descSize = is64 ? u16(bb, 0xFE) : 32;
    firstMetaBg = u32(bb, 0x104);
    blocksCount = u32(bb, 0x4) | (is64 ? u32(bb, 0x150) << 32 : 0);
    freeBlocksCount = u32(bb, 0xC) | (is64 ? u32(bb, 0x158) << 32 : 0);
    minExtraIsize = u16(bb, 0x15C);
    flags = bb.getInt(0x160);
    logGroupsPerFlex = b[0x174] & 0xFF;
    checksumType = b[0x175] & 0xFF;
    backupBgs[0] = u32(bb, 0x24C);
    backupBgs[1] = u32(bb, 0x250);
    checksumSeedField = bb.getInt(0x270);
    encoding = u16(bb, 0x27C);
    checksum = bb.getInt(0x3FC);
    computedChecksum = Crc32c.update(~0, b, 0, 0x3FC);
  }

  static long u32(ByteBuffer b, int off) {
    return b.getInt(off) & 0xFFFFFFFFL;
  }

  static int u16(ByteBuffer b, int off) {
    return b.getShort(off) & 0xFFFF;
  }

  /**
   * Whether 1024 bytes look like a superblock (magic only).
   *
   * @param b the bytes at offset 1024
   * @return {@code true} if {@code s_magic} matches
   */
  public static boolean hasMagic(ByteBuffer b) {
    return b.remaining() >= SIZE
        && (b.order(ByteOrder.LITTLE_ENDIAN).getShort(b.position() + 0x38) & 0xFFFF) == MAGIC;
  }

  /**
   * Parses and validates a superblock: magic, sizes, counts, and (with metadata_csum) its CRC32C.
   * Feature support is checked separately by {@link #checkFeatures(String)}.
   *
   * @param buffer the 1024 bytes
   * @param source the device description, for errors
   * @param deviceSize the volume's size in bytes, to bound counts
   * @return the superblock
   * @throws CorruptStructureException if it is not valid
   */
  public static Superblock parse(ByteBuffer buffer, String source, long deviceSize)
      throws CorruptStructureException {
    if (buffer.remaining() < SIZE) {
      throw new CorruptStructureException(source, OFFSET, "superblock", "shorter than 1024 bytes");
    }
    byte[] b = new byte[SIZE];
    buffer.duplicate().get(b);
    Superblock sb = new Superblock(b);
    String bad = sb.validate(deviceSize);
    if (bad != null) {
      throw new CorruptStructureException(source, OFFSET, "superblock", bad);
    }
    if (sb.hasRoCompat(RO_COMPAT_METADATA_CSUM) && sb.checksum != sb.computedChecksum) {
      throw new CorruptStructureException(source, OFFSET, "superblock", String.format(
          "s_checksum 0x%08x does not match the computed CRC32C 0x%08x", sb.checksum,
          sb.computedChecksum));
    }
    return sb;
  }

  private String validate(long deviceSize) {
    if ((u16(ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN), 0x38)) != MAGIC) {
      return "bad magic (s_magic is not 0xEF53)";
    }
    if (logBlockSize < 0 || logBlockSize > 6) {
      return "s_log_block_size " + logBlockSize + " is out of range (block size 1 KiB to 64 KiB)";
    }
    if (hasRoCompat(RO_COMPAT_BIGALLOC)) {
      if (logClusterSize < logBlockSize || logClusterSize > logBlockSize + 16) {
        return "s_log_cluster_size " + logClusterSize + " is out of range";
      }
      if (clustersPerGroup == 0 || clustersPerGroup > 8L * blockSize()) {
        return "s_clusters_per_group " + clustersPerGroup + " is out of range";
      }
    }
    if (blocksPerGroup == 0 || (!hasRoCompat(RO_COMPAT_BIGALLOC) && blocksPerGroup > 8L * blockSize())
        || blocksPerGroup > (1L << 31)) {
      return "s_blocks_per_group " + blocksPerGroup + " is out of range";
    }
    if (inodesPerGroup == 0 || inodesPerGroup > 8L * blockSize()) {
      return "s_inodes_per_group " + inodesPerGroup + " is out of range";
    }
    if (inodeSize < 128 || inodeSize > blockSize() || Integer.bitCount(inodeSize) != 1) {
      return "s_inode_size " + inodeSize + " is not a power of two from 128 to the block size";
    }
    if (blocksCount == 0 || firstDataBlock >= blocksCount) {
      return "s_blocks_count " + blocksCount + " / s_first_data_block " + firstDataBlock
          + " are inconsistent";
    }
    if (hasIncompat(INCOMPAT_64BIT) && (descSize < 32 || descSize > 1024
        || Integer.bitCount(descSize) != 1)) {
      return "s_desc_size " + descSize + " is not a power of two from 32 to 1024";
    }
    if (groupCount() > Integer.MAX_VALUE / 2) {
      return "too many block groups: " + groupCount();
    }
    if (inodesCount > inodesPerGroup * groupCount()) {
      return "s_inodes_count " + inodesCount + " exceeds groups x s_inodes_per_group";
    }
    if (firstIno < 1 || (revLevel != 0 && firstIno > inodesCount)) {
      return "s_first_ino " + firstIno + " is out of range";
    }
    if (deviceSize > 0 && deviceSize < 2048) {
      return "the volume is too small";
    }
    return null;
  }

  /**
   * Refuses INCOMPAT flags this driver does not implement, naming them.
   *
   * @param source the device description
   * @throws UnsupportedFeatureException naming the first unsupported flag
   */
  public void checkFeatures(String source) throws UnsupportedFeatureException {
    int unsupported = featureIncompat & ~INCOMPAT_SUPPORTED;
    if (unsupported != 0) {
      List<String> names = names(unsupported, INCOMPAT_NAMES, "incompat");
      throw new UnsupportedFeatureException(null, names.get(0), source
          + ": ext4 INCOMPAT feature" + (names.size() > 1 ? "s " : " ") + String.join(", ", names)
          + " not supported");
    }
  }

  private static List<String> names(int bits, String[] table, String prefix) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      if ((bits & (1 << i)) != 0) {
        out.add(i < table.length ? table[i]
            : String.format(Locale.ROOT, "%s_0x%x", prefix, 1 << i));
      }
    }
    return out;
  }

  /** @return the feature names, as {@code dumpe2fs} lists them */
  public List<String> featureNames() {
    List<String> out = new ArrayList<>(names(featureCompat, COMPAT_NAMES, "compat"));
    out.addAll(names(featureIncompat, INCOMPAT_NAMES, "incompat"));
    out.addAll(names(featureRoCompat, RO_COMPAT_NAMES, "ro_compat"));
    return out;
  }

  public boolean hasCompat(int f) {
    return (featureCompat & f) != 0;
  }

  public boolean hasIncompat(int f) {
    return (featureIncompat & f) != 0;
  }

  public boolean hasRoCompat(int f) {
    return (featureRoCompat & f) != 0;
  }

  public int blockSize() {
    return 1024 << logBlockSize;
  }

  public long groupCount() {
    return (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
  }

  /** @return the seed of every metadata checksum */
  public int checksumSeed() {
    return hasIncompat(INCOMPAT_CSUM_SEED) ? checksumSeedField : Crc32c.update(~0, uuid, 0, 16);
  }

  public boolean metadataCsum() {
    return hasRoCompat(RO_COMPAT_METADATA_CSUM);
  }

  /** @return {@code ext2}, {@code ext3} or {@code ext4}, as blkid decides */
  public String typeName() {
    int ext3Incompat = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;
    int ext3Ro = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;
    if ((featureIncompat & ~ext3Incompat) != 0 || (featureRoCompat & ~ext3Ro) != 0) {
      return "ext4";
    }
    return hasCompat(COMPAT_HAS_JOURNAL) ? "ext3" : "ext2";
  }

  /** @return the UUID in its text form */
  public String uuidString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        sb.append('-');
      }
      sb.append(String.format("%02x", uuid[i] & 0xFF));
    }
    return sb.toString();
  }

  /**
   * Whether group {@code g} holds a superblock backup (and so group descriptor copies).
   *
   * @param g the group
   * @return {@code true} if it does
   */
  public boolean groupHasSuper(long g) {
    if (g == 0) {
      return true;
    }
    if (hasCompat(COMPAT_SPARSE_SUPER2)) {
      return g == backupBgs[0] || g == backupBgs[1];
    }
    if (g <= 1 || !hasRoCompat(RO_COMPAT_SPARSE_SUPER)) {
      return true;
    }
    if ((g & 1) == 0) {
      return false;
    }
    return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
  }

  private static boolean isPower(long g, int base) {
    long n = base;
    while (n < g) {
      n *= base;
    }
    return n == g;
  }
}
