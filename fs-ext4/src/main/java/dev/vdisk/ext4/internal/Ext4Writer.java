package dev.vdisk.ext4.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of an ext2/3/4 volume (first slice): the checks that decide whether writing is
 * safe, and block and inode allocation through the bitmaps with the group descriptor and
 * superblock free counts and every checksum they carry (CRC32C under metadata_csum, CRC16 under
 * gdt_csum). Changed metadata blocks are collected in memory and written by {@link #commit()}.
 * Under bigalloc the block bitmaps and {@code bg_free_blocks_count} count clusters while
 * {@code s_free_blocks_count} counts blocks (as e2fsprogs and the kernel keep them); every
 * allocation takes whole clusters and a free releases every cluster it touches, so callers that
 * share a cluster between blocks (file data) decide when a cluster is no longer used.
 * Not thread-safe; one writer per device.
 */
public final class Ext4Writer {
  private static final Logger LOG = LoggerFactory.getLogger(Ext4Writer.class);

  /** {@code bg_flags}: the inode bitmap and table are not initialised. */
  public static final int BG_INODE_UNINIT = 0x1;
  /** {@code bg_flags}: the block bitmap is not initialised. */
  public static final int BG_BLOCK_UNINIT = 0x2;
  /** {@code bg_flags}: the inode table is zeroed. */
  public static final int BG_INODE_ZEROED = 0x4;

  /** {@code s_state}: cleanly unmounted. */
  public static final int STATE_VALID = 0x1;
  /** {@code s_state}: errors detected. */
  public static final int STATE_ERROR = 0x2;
  /** {@code s_state}: orphans being recovered. */
  public static final int STATE_ORPHAN = 0x4;

  /** MMP block magic ({@code EXT4_MMP_MAGIC}). */
  public static final int MMP_MAGIC = 0x004D4D50;
  /** MMP sequence of a cleanly unmounted file system. */
  public static final int MMP_SEQ_CLEAN = 0xFF4D4D50;

  /** INCOMPAT flags whose write rules this writer knows. */
  public static final int WRITE_INCOMPAT = Superblock.INCOMPAT_FILETYPE
      | Superblock.INCOMPAT_RECOVER | Superblock.INCOMPAT_META_BG | Superblock.INCOMPAT_EXTENTS
      | Superblock.INCOMPAT_64BIT | Superblock.INCOMPAT_MMP | Superblock.INCOMPAT_FLEX_BG
      | Superblock.INCOMPAT_CSUM_SEED | Superblock.INCOMPAT_LARGEDIR
      | Superblock.INCOMPAT_INLINE_DATA | Superblock.INCOMPAT_EA_INODE;
  /** RO_COMPAT flags whose write rules this writer knows. */
  public static final int WRITE_RO_COMPAT = Superblock.RO_COMPAT_SPARSE_SUPER
      | Superblock.RO_COMPAT_LARGE_FILE | Superblock.RO_COMPAT_BTREE_DIR
      | Superblock.RO_COMPAT_HUGE_FILE | Superblock.RO_COMPAT_GDT_CSUM | 0x20 /* dir_nlink */
      | 0x40 /* extra_isize */ | Superblock.RO_COMPAT_METADATA_CSUM
      | Superblock.RO_COMPAT_BIGALLOC;

  private static final int MAX_RUN = 32768;
  private static final int CLEAN_CACHE_BLOCKS = 4096;

  /**
   * Told about blocks and inodes whose contents change, so a reader's caches can drop them.
   */
  public interface ChangeListener {
    /** A listener that ignores everything. */
    ChangeListener NONE = new ChangeListener() {
      @Override
      public void blockChanged(long block) {}

      @Override
      public void inodeChanged(long ino) {}
    };

    /**
     * A block's contents changed (metadata in the running transaction, or data on the device).
     *
     * @param block the block number
     */
    void blockChanged(long block);

    /**
     * An inode changed.
     *
     * @param ino the inode number
     */
    void inodeChanged(long ino);

    /** Everything may have changed (an operation was rolled back). */
    default void reset() {}
  }

  /** A run of consecutive blocks. */
  public record Extent(long start, int length) {}

  private final BlockDevice device;
  private final String source;
  private final Superblock sb;
  private final int bs;
  private final long sbBlock;
  private final int sbWithin;
  private final long groupCount;
  private final int descSize;
  private final int descPerBlock;
  private final boolean wide;
  /** Blocks per cluster (1 without bigalloc): the unit of the block bitmaps and group counts. */
  private final int ratio;
  private final long[] gdtBlockNumbers;
  private final byte[][] gdtBlocks;
  private final Map<Long, byte[]> dirty = new LinkedHashMap<>();
  private final Map<Long, byte[]> bitmaps = new LinkedHashMap<>();
  private final byte[] sbBlockBytes;
  private final Map<Long, byte[]> blocks = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
      return size() > CLEAN_CACHE_BLOCKS;
    }
  };
  /** Runs freed in the running transaction: applied to the bitmaps at commit. */
  private final java.util.TreeMap<Long, Integer> pendingFrees = new java.util.TreeMap<>();
  private JournalWriter journal;
  private ChangeListener listener = ChangeListener.NONE;
  private FileData fileData;
  private Directories directories;
  private Xattrs xattrs;
  private InlineData inline;
  private Namespace namespace;

  private Ext4Writer(BlockDevice device, Superblock sb) throws IOException {
    this.device = device;
    this.source = device.description();
    this.sb = sb;
    this.bs = sb.blockSize();
    this.sbBlock = Superblock.OFFSET / bs;
    this.sbWithin = Superblock.OFFSET % bs;
    this.groupCount = sb.groupCount();
    this.descSize = sb.descSize;
    this.descPerBlock = bs / descSize;
    this.wide = sb.hasIncompat(Superblock.INCOMPAT_64BIT) && descSize >= 64;
    this.ratio = sb.hasRoCompat(Superblock.RO_COMPAT_BIGALLOC)
        ? 1 << (sb.logClusterSize - sb.logBlockSize) : 1;
    this.sbBlockBytes = readBlock(sbBlock);
    long gdtCount = (groupCount + descPerBlock - 1) / descPerBlock;
    gdtBlockNumbers = new long[(int) gdtCount];
    gdtBlocks = new byte[(int) gdtCount][];
    long adjust = (bs == 1024 && sb.firstDataBlock == 0) ? 1 : 0;
    for (int d = 0; d < gdtCount; d++) {
      long blk;
      if (!sb.hasIncompat(Superblock.INCOMPAT_META_BG) || d < sb.firstMetaBg) {
        blk = sb.firstDataBlock + 1 + adjust + d;
      } else {
        long g = (long) d * descPerBlock;
        blk = sb.firstDataBlock + g * sb.blocksPerGroup + (sb.groupHasSuper(g) ? 1 : 0)
            + (g == 0 ? adjust : 0);
      }
      gdtBlockNumbers[d] = blk;
      gdtBlocks[d] = readBlock(blk);
    }
  }

  /**
   * Opens a device for writing after checking that writing is safe. A journal that needs
   * recovery is first replayed into the image ({@link JournalRecovery}), once the features, the
   * error state and multi-mount protection allow writing at all; the other checks then apply to
   * the recovered superblock.
   *
   * @param device a writable device holding an ext2/3/4 file system
   * @return the writer
   * @throws UnsafeToWriteException naming the reason writing is refused
   * @throws IOException if a structure is corrupt
   */
  public static Ext4Writer open(BlockDevice device) throws IOException {
    BlockDevices.checkWritable(device);
    Superblock sb = Ext4Volume.readSuperblock(device);
    if (sb.hasIncompat(Superblock.INCOMPAT_RECOVER)) {
      check(device, sb, true);
      JournalRecovery.recover(device, sb);
      sb = Ext4Volume.readSuperblock(device);
    }
    checkWritable(device, sb);
    return new Ext4Writer(device, sb);
  }

  /**
   * The checks that decide whether a file system may be written: unknown or unimplemented
   * INCOMPAT and RO_COMPAT features, the error state, a journal needing recovery (which
   * {@link #open} replays first), multi-mount protection in use, a file system not cleanly
   * unmounted.
   *
   * @param device the device (to read the MMP block)
   * @param sb its superblock
   * @throws UnsafeToWriteException naming the reason
   * @throws IOException on an I/O error
   */
  public static void checkWritable(BlockDevice device, Superblock sb) throws IOException {
    check(device, sb, false);
  }

  /**
   * The checks; {@code beforeRecovery} skips those that the journal replay may change (the
   * needs_recovery flag itself, the clean-unmount state and the orphan list).
   */
  private static void check(BlockDevice device, Superblock sb, boolean beforeRecovery)
      throws IOException {
    String src = device.description();
    int incompat = sb.featureIncompat & ~WRITE_INCOMPAT;
    if (incompat != 0) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, src
          + ": INCOMPAT feature(s) " + names(sb, incompat, 1) + " not supported for writing");
    }
    int ro = sb.featureRoCompat & ~WRITE_RO_COMPAT;
    if (ro != 0) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, src
          + ": RO_COMPAT feature(s) " + names(sb, ro, 2) + " not supported for writing");
    }
    if (sb.hasRoCompat(Superblock.RO_COMPAT_BIGALLOC)
        && (!sb.hasIncompat(Superblock.INCOMPAT_EXTENTS) || sb.firstDataBlock != 0
        || sb.logClusterSize < sb.logBlockSize
        || sb.clustersPerGroup << (sb.logClusterSize - sb.logBlockSize) != sb.blocksPerGroup)) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, src
          + ": bigalloc without extents, or with inconsistent cluster geometry (s_log_cluster_size "
          + sb.logClusterSize + ", s_clusters_per_group " + sb.clustersPerGroup
          + ", s_blocks_per_group " + sb.blocksPerGroup + "), is not supported for writing");
    }
    ByteBuffer raw = ByteBuffer.wrap(sb.raw).order(ByteOrder.LITTLE_ENDIAN);
    long errorCount = raw.getInt(0x194) & 0xFFFFFFFFL;
    if ((sb.state & STATE_ERROR) != 0 || errorCount != 0) {
      throw new UnsafeToWriteException(null, Reason.DIRTY, src
          + ": the file system has recorded errors (s_state 0x" + Integer.toHexString(sb.state)
          + ", s_error_count " + errorCount + "); run e2fsck first");
    }
    if (!beforeRecovery && sb.hasIncompat(Superblock.INCOMPAT_RECOVER)) {
      throw new UnsafeToWriteException(null, Reason.LOG_NOT_REPLAYED, src
          + ": the journal needs recovery (needs_recovery); replay it with e2fsck first");
    }
    if (!beforeRecovery && ((sb.state & STATE_VALID) == 0 || (sb.state & STATE_ORPHAN) != 0
        || (raw.getInt(0xE8) != 0))) {
      throw new UnsafeToWriteException(null, Reason.DIRTY, src
          + ": the file system was not cleanly unmounted (s_state 0x"
          + Integer.toHexString(sb.state) + ", s_last_orphan " + (raw.getInt(0xE8) & 0xFFFFFFFFL)
          + "); run e2fsck first");
    }
    if (sb.hasIncompat(Superblock.INCOMPAT_MMP)) {
      long mmpBlock = raw.getLong(0x168);
      String state = "unreadable";
      if (mmpBlock > 0 && mmpBlock < sb.blocksCount
          && (mmpBlock + 1) * sb.blockSize() <= device.size()) {
        ByteBuffer m = BlockDevices.read(device, mmpBlock * sb.blockSize(), 16)
            .order(ByteOrder.LITTLE_ENDIAN);
        int magic = m.getInt(0);
        int seq = m.getInt(4);
        state = magic != MMP_MAGIC ? "bad magic" : seq == MMP_SEQ_CLEAN ? "clean"
            : String.format(Locale.ROOT, "in use (mmp_seq 0x%08x)", seq);
      }
      if (!state.equals("clean")) {
        throw new UnsafeToWriteException(null, Reason.LOCKED, src
            + ": multi-mount protection is active (MMP block " + mmpBlock + " " + state + ")");
      }
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, src
          + ": the MMP protocol (mmp) is not implemented for writing");
    }
  }

  private static String names(Superblock sb, int bits, int kind) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      if ((bits & (1 << i)) != 0) {
        out.add(bitName(kind, 1 << i));
      }
    }
    return String.join(", ", out);
  }

  private static String bitName(int kind, int bit) {
    String[] incompat = {"compression", "filetype", "needs_recovery", "journal_dev", "meta_bg",
        "incompat_0x20", "extent", "64bit", "mmp", "flex_bg", "ea_inode", "incompat_0x800",
        "dirdata", "metadata_csum_seed", "large_dir", "inline_data", "encrypt", "casefold"};
    String[] ro = {"sparse_super", "large_file", "btree_dir", "huge_file", "uninit_bg",
        "dir_nlink", "extra_isize", "has_snapshot", "quota", "bigalloc", "metadata_csum",
        "replica", "read-only", "project", "shared_blocks", "verity", "orphan_present"};
    String[] table = kind == 1 ? incompat : ro;
    int i = Integer.numberOfTrailingZeros(bit);
    return i < table.length ? table[i] : String.format(Locale.ROOT, "%s_0x%x",
        kind == 1 ? "incompat" : "ro_compat", bit);
  }

  /** @return the superblock read at open (counts in it are not updated) */
  public Superblock superblock() {
    return sb;
  }

  private byte[] readBlock(long block) throws IOException {
    if (block < 0 || block >= sb.blocksCount || (block + 1) * (long) bs > device.size()) {
      throw new CorruptStructureException(source, -1, "block reference",
          "block " + block + " is outside the volume");
    }
    byte[] b = new byte[bs];
    device.read(block * bs, ByteBuffer.wrap(b));
    return b;
  }

  // ---- group descriptor fields ----

  private ByteBuffer desc(long g) {
    byte[] blk = gdtBlocks[(int) (g / descPerBlock)];
    return ByteBuffer.wrap(blk, (int) (g % descPerBlock) * descSize, descSize).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  private void markDescDirty(long g) {
    int d = (int) (g / descPerBlock);
    dirty.put(gdtBlockNumbers[d], gdtBlocks[d]);
  }

  private long field32(ByteBuffer d, int lo, int hi) {
    return (d.getInt(lo) & 0xFFFFFFFFL) | (wide ? (d.getInt(hi) & 0xFFFFFFFFL) << 32 : 0);
  }

  private long field16(ByteBuffer d, int lo, int hi) {
    return (d.getShort(lo) & 0xFFFF) | (wide ? (long) (d.getShort(hi) & 0xFFFF) << 16 : 0);
  }

  private void setField16(ByteBuffer d, int lo, int hi, long v) {
    d.putShort(lo, (short) v);
    if (wide) {
      d.putShort(hi, (short) (v >>> 16));
    }
  }

  /** @return the group's {@code bg_free_blocks_count} */
  public long groupFreeBlocks(long g) {
    return field16(desc(g), 0xC, 0x2C);
  }

  /** @return the group's {@code bg_free_inodes_count} */
  public long groupFreeInodes(long g) {
    return field16(desc(g), 0xE, 0x2E);
  }

  /** @return the group's {@code bg_used_dirs_count} */
  public long groupUsedDirs(long g) {
    return field16(desc(g), 0x10, 0x30);
  }

  /** @return the group's {@code bg_itable_unused} */
  public long groupItableUnused(long g) {
    return field16(desc(g), 0x1C, 0x32);
  }

  /** @return the group's {@code bg_flags} */
  public int groupFlags(long g) {
    return desc(g).getShort(0x12) & 0xFFFF;
  }

  private long blockBitmapBlock(long g) {
    return field32(desc(g), 0x0, 0x20);
  }

  private long inodeBitmapBlock(long g) {
    return field32(desc(g), 0x4, 0x24);
  }

  private boolean groupCsum() {
    return sb.metadataCsum() || sb.hasRoCompat(Superblock.RO_COMPAT_GDT_CSUM);
  }

  private void updateDescChecksum(long g) {
    ByteBuffer d = desc(g);
    byte[] b = new byte[descSize];
    d.duplicate().get(b);
    if (sb.metadataCsum()) {
      int crc = Crc32c.updateLe32(sb.checksumSeed(), (int) g);
      crc = Crc32c.update(crc, b, 0, 0x1E);
      crc = Crc32c.updateZeros(crc, 2);
      crc = Crc32c.update(crc, b, 0x20, descSize - 0x20);
      d.putShort(0x1E, (short) crc);
    } else if (sb.hasRoCompat(Superblock.RO_COMPAT_GDT_CSUM)) {
      int crc = Crc16.update(0xFFFF, sb.uuid, 0, 16);
      byte[] gb = {(byte) g, (byte) (g >>> 8), (byte) (g >>> 16), (byte) (g >>> 24)};
      crc = Crc16.update(crc, gb, 0, 4);
      crc = Crc16.update(crc, b, 0, 0x1E);
      if (descSize > 0x20) {
        crc = Crc16.update(crc, b, 0x20, descSize - 0x20);
      }
      d.putShort(0x1E, (short) crc);
    }
    markDescDirty(g);
  }

  // ---- superblock counters ----

  private ByteBuffer sbBuf() {
    return ByteBuffer.wrap(sbBlockBytes, sbWithin, Superblock.SIZE).slice()
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /** @return the current {@code s_free_blocks_count} */
  public long freeBlocks() {
    ByteBuffer s = sbBuf();
    return (s.getInt(0xC) & 0xFFFFFFFFL)
        | (sb.hasIncompat(Superblock.INCOMPAT_64BIT) ? (s.getInt(0x158) & 0xFFFFFFFFL) << 32 : 0);
  }

  /** @return the current {@code s_free_inodes_count} */
  public long freeInodes() {
    return sbBuf().getInt(0x10) & 0xFFFFFFFFL;
  }

  private void addSbFree(long blocks, long inodes) {
    saveSuperblock();
    ByteBuffer s = sbBuf();
    long fb = freeBlocks() + blocks;
    s.putInt(0xC, (int) fb);
    if (sb.hasIncompat(Superblock.INCOMPAT_64BIT)) {
      s.putInt(0x158, (int) (fb >>> 32));
    }
    s.putInt(0x10, (int) (freeInodes() + inodes));
    dirty.put(sbBlock, sbBlockBytes);
  }

  // ---- bitmaps ----

  private byte[] bitmap(long block) throws IOException {
    saveBlock(block);
    byte[] b = bitmaps.get(block);
    if (b == null) {
      b = readBlock(block);
      bitmaps.put(block, b);
    }
    return b;
  }

  private static boolean test(byte[] bm, long bit) {
    return (bm[(int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
  }

  private static void set(byte[] bm, long bit, boolean on) {
    if (on) {
      bm[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
    } else {
      bm[(int) (bit >>> 3)] &= (byte) ~(1 << (bit & 7));
    }
  }

  private long groupFirstBlock(long g) {
    return sb.firstDataBlock + g * sb.blocksPerGroup;
  }

  private long groupBlocks(long g) {
    return Math.min(sb.blocksPerGroup, sb.blocksCount - groupFirstBlock(g));
  }

  private void blockBitmapChanged(long g, byte[] bm) {
    saveGdt(g);
    dirty.put(blockBitmapBlock(g), bm);
    if (sb.metadataCsum()) {
      int crc = Crc32c.update(sb.checksumSeed(), bm, 0, (int) (sb.clustersPerGroup / 8));
      ByteBuffer d = desc(g);
      d.putShort(0x18, (short) crc);
      if (descSize >= 0x3C) {
        d.putShort(0x38, (short) (crc >>> 16));
      }
    }
  }

  private void inodeBitmapChanged(long g, byte[] bm) {
    saveGdt(g);
    dirty.put(inodeBitmapBlock(g), bm);
    if (sb.metadataCsum()) {
      int crc = Crc32c.update(sb.checksumSeed(), bm, 0, (int) (sb.inodesPerGroup / 8));
      ByteBuffer d = desc(g);
      d.putShort(0x1A, (short) crc);
      if (descSize >= 0x3C) {
        d.putShort(0x3A, (short) (crc >>> 16));
      }
    }
  }

  /**
   * The number of blocks in one allocation cluster: {@code 2^(s_log_cluster_size -
   * s_log_block_size)} under bigalloc, else 1. Block bitmaps, {@code bg_free_blocks_count} and
   * allocations count clusters; {@code s_free_blocks_count} counts blocks.
   *
   * @return blocks per cluster
   */
  public int clusterRatio() {
    return ratio;
  }

  /** Clusters of a group that lie wholly inside the volume (all of them but a partial last). */
  private long groupUnits(long g) {
    return groupBlocks(g) / ratio;
  }

  /**
   * Allocates up to {@code count} consecutive blocks, preferring a run of the full length that
   * starts at or after {@code goal} (in the goal's group first, then the following groups). When
   * no group has a full-length run, returns the longest run found. A group whose block bitmap
   * is uninitialised gets it built first. Under bigalloc whole clusters are taken (enough for
   * {@code count} blocks, from a cluster boundary) and the run returned starts at the first
   * block of the first cluster; the rest of the last cluster stays allocated to the caller's
   * use (a metadata block takes a whole cluster, as in the kernel).
   *
   * @param goal the preferred first block (0 for no preference)
   * @param count the wanted length, 1 to 32768
   * @return the allocated run
   * @throws IOException with "no space left" when nothing is free, or on an I/O error
   */
  public Extent allocateBlocks(long goal, int count) throws IOException {
    if (count < 1 || count > MAX_RUN) {
      throw new IllegalArgumentException("count " + count + " is not 1 to " + MAX_RUN);
    }
    if (ratio == 1) {
      return allocateUnits(goal, count);
    }
    Extent e = allocateUnits(goal, (count + ratio - 1) / ratio);
    return new Extent(e.start(), Math.min(count, e.length()));
  }

  /**
   * Allocates up to {@code clusters} consecutive whole clusters (blocks without bigalloc), as
   * {@link #allocateBlocks} does.
   *
   * @param goal the preferred first block (rounded up to a cluster boundary)
   * @param clusters how many clusters, 1 to 32768
   * @return the run in blocks: it starts on a cluster boundary and holds a whole number of
   *     clusters (possibly fewer than asked)
   * @throws IOException with "no space left" when nothing is free, or on an I/O error
   */
  public Extent allocateClusters(long goal, int clusters) throws IOException {
    if (clusters < 1 || clusters > MAX_RUN) {
      throw new IllegalArgumentException("count " + clusters + " is not 1 to " + MAX_RUN);
    }
    return allocateUnits(goal, clusters);
  }

  /** The allocator over bitmap bits (clusters under bigalloc, else blocks). */
  private Extent allocateUnits(long goal, int count) throws IOException {
    long g0 = goal < sb.firstDataBlock || goal >= sb.blocksCount ? 0
        : (goal - sb.firstDataBlock) / sb.blocksPerGroup;
    long bestStart = -1;
    int bestLen = 0;
    for (long i = 0; i < groupCount; i++) {
      long g = (g0 + i) % groupCount;
      if (groupFreeBlocks(g) == 0) {
        continue;
      }
      byte[] bm = (groupFlags(g) & BG_BLOCK_UNINIT) != 0 ? initBlockBitmap(g)
          : bitmap(blockBitmapBlock(g));
      long n = groupUnits(g);
      long from = i == 0 ? Math.floorDiv(goal - groupFirstBlock(g) + ratio - 1, ratio) : 0;
      for (int pass = 0; pass < 2; pass++) {
        long lo = pass == 0 ? Math.max(0, from) : 0;
        long hi = pass == 0 ? n : Math.min(n, Math.max(0, from) + count);
        long bit = lo;
        while (bit < hi) {
          if (test(bm, bit)) {
            bit++;
            continue;
          }
          long runStart = bit;
          while (bit < n && bit - runStart < count && !test(bm, bit)) {
            bit++;
          }
          int len = (int) (bit - runStart);
          if (len == count) {
            return take(g, bm, runStart, len);
          }
          if (len > bestLen) {
            bestLen = len;
            bestStart = groupFirstBlock(g) + runStart * ratio;
          }
        }
        if (from <= 0) {
          break;
        }
      }
    }
    if (bestLen == 0) {
      throw new IOException(source + ": no space left on the file system (" + freeBlocks()
          + " blocks free outside uninitialised groups: 0)");
    }
    long g = (bestStart - sb.firstDataBlock) / sb.blocksPerGroup;
    return take(g, bitmap(blockBitmapBlock(g)), (bestStart - groupFirstBlock(g)) / ratio,
        bestLen);
  }

  /**
   * Builds the block bitmap of a {@code BLOCK_UNINIT} group as the kernel does when it first
   * allocates there: the superblock backup, group descriptor and reserved descriptor blocks the
   * group holds, every group's bitmaps and inode table that lie in it (flex_bg places them in
   * other groups), and the padding past the group's last cluster marked in use (under bigalloc
   * a bit stands for the cluster holding those blocks); then clears the flag. The descriptor's
   * free count already counts exactly the clusters left clear.
   */
  private byte[] initBlockBitmap(long g) throws IOException {
    long bmBlock = blockBitmapBlock(g);
    saveBlock(bmBlock);
    saveGdt(g);
    byte[] bm = new byte[bs];
    long first = groupFirstBlock(g);
    long n = groupBlocks(g);
    long used = 0;
    if (sb.groupHasSuper(g)) {
      used = 1 + (bs == 1024 && sb.firstDataBlock == 0 && g == 0 ? 1 : 0);
      if (!sb.hasIncompat(Superblock.INCOMPAT_META_BG)) {
        used += gdtBlockNumbers.length + (ByteBuffer.wrap(sb.raw).order(ByteOrder.LITTLE_ENDIAN)
            .getShort(0xCE) & 0xFFFF);
      }
    }
    if (sb.hasIncompat(Superblock.INCOMPAT_META_BG)) {
      long metaGroup = g / descPerBlock;
      long within = g % descPerBlock;
      if (metaGroup >= sb.firstMetaBg && (within == 0 || within == 1
          || within == descPerBlock - 1)) {
        used = Math.max(used, (sb.groupHasSuper(g) ? 1 : 0) + 1);
      } else if (metaGroup < sb.firstMetaBg && sb.groupHasSuper(g)) {
        used += Math.min(sb.firstMetaBg, gdtBlockNumbers.length);
      }
    }
    for (long b = 0; b < Math.min(used, n); b++) {
      set(bm, b / ratio, true);
    }
    long itableBlocks = (sb.inodesPerGroup * sb.inodeSize + bs - 1) / bs;
    for (long other = 0; other < groupCount; other++) {
      ByteBuffer d = desc(other);
      long[] starts = {field32(d, 0x0, 0x20), field32(d, 0x4, 0x24), field32(d, 0x8, 0x28)};
      long[] lengths = {1, 1, itableBlocks};
      for (int k = 0; k < 3; k++) {
        for (long b = starts[k]; b < starts[k] + lengths[k]; b++) {
          if (b >= first && b < first + n) {
            set(bm, (b - first) / ratio, true);
          }
        }
      }
    }
    for (long c = (n + ratio - 1) / ratio; c < 8L * bs; c++) {
      set(bm, c, true);
    }
    bitmaps.put(bmBlock, bm);
    ByteBuffer d = desc(g);
    d.putShort(0x12, (short) (groupFlags(g) & ~BG_BLOCK_UNINIT));
    blockBitmapChanged(g, bm);
    updateDescChecksum(g);
    LOG.debug("{}: initialised the block bitmap of group {}", source, g);
    return bm;
  }

  /** Marks {@code len} bitmap units from {@code bit} in use; returns them as a block run. */
  private Extent take(long g, byte[] bm, long bit, int len) {
    saveGdt(g);
    for (long b = bit; b < bit + len; b++) {
      set(bm, b, true);
    }
    blockBitmapChanged(g, bm);
    ByteBuffer d = desc(g);
    setField16(d, 0xC, 0x2C, groupFreeBlocks(g) - len);
    updateDescChecksum(g);
    addSbFree(-(long) len * ratio, 0);
    Extent e = new Extent(groupFirstBlock(g) + bit * ratio, len * ratio);
    LOG.debug("{}: allocated blocks {}+{} in group {}", source, e.start(), e.length(), g);
    return e;
  }

  /**
   * Frees a run of blocks (it may cross group boundaries). The bitmaps and counts change at the
   * next {@link #commit()}: until then the blocks stay allocated, so data written directly to the
   * device in the running transaction never lands in a block the last committed state still
   * uses (the rule the kernel keeps for blocks freed in a running transaction). Under bigalloc
   * every cluster the run touches is freed (a cluster already freed in this transaction, by
   * another run of the same file that shared it, is skipped): the caller frees only clusters no
   * block of the file still uses.
   *
   * @param start the first block
   * @param count how many
   * @throws IOException if a block is already free (or freed in this transaction), outside the
   *     volume or in an uninitialised group
   */
  public void freeBlocks(long start, long count) throws IOException {
    if (count < 1 || start < sb.firstDataBlock || start + count > sb.blocksCount) {
      throw new CorruptStructureException(source, -1, "block run",
          "blocks " + start + "+" + count + " are outside the volume");
    }
    if (ratio > 1) {
      freeClusters(start - start % ratio, start + count);
      return;
    }
    long b = start;
    long left = count;
    while (left > 0) {
      long g = (b - sb.firstDataBlock) / sb.blocksPerGroup;
      long bit = b - groupFirstBlock(g);
      int n = (int) Math.min(left, sb.blocksPerGroup - bit);
      if ((groupFlags(g) & BG_BLOCK_UNINIT) != 0) {
        throw new CorruptStructureException(source, -1, "block bitmap " + g,
            "blocks " + b + "+" + n + " lie in an uninitialised group");
      }
      byte[] bm = bitmap(blockBitmapBlock(g));
      for (long x = bit; x < bit + n; x++) {
        if (!test(bm, x)) {
          throw new CorruptStructureException(source, -1, "block bitmap " + g,
              "block " + (groupFirstBlock(g) + x) + " is already free");
        }
      }
      Map.Entry<Long, Integer> below = pendingFrees.floorEntry(b + n - 1);
      if (below != null && below.getKey() + below.getValue() > b) {
        throw new CorruptStructureException(source, -1, "block bitmap " + g, "blocks " + b + "+"
            + n + " overlap blocks already freed in this transaction");
      }
      pendingFrees.put(b, n);
      if (op != null) {
        op.frees.add(b);
      }
      b += n;
      left -= n;
    }
  }

  /** Bigalloc: frees the clusters holding blocks {@code [from, end)} ({@code from} aligned). */
  private void freeClusters(long from, long end) throws IOException {
    long runStart = -1;
    int runLen = 0;
    for (long c = from; c < end; c += ratio) {
      long g = (c - sb.firstDataBlock) / sb.blocksPerGroup;
      if (runStart >= 0 && (c != runStart + runLen
          || (runStart - sb.firstDataBlock) / sb.blocksPerGroup != g)) {
        addPendingFree(runStart, runLen);
        runStart = -1;
      }
      Map.Entry<Long, Integer> below = pendingFrees.floorEntry(c);
      if (below != null && below.getKey() + below.getValue() > c) {
        continue; // freed already in this transaction (another run of the file shared it)
      }
      if ((groupFlags(g) & BG_BLOCK_UNINIT) != 0) {
        throw new CorruptStructureException(source, -1, "block bitmap " + g,
            "cluster of block " + c + " lies in an uninitialised group");
      }
      byte[] bm = bitmap(blockBitmapBlock(g));
      if (!test(bm, (c - groupFirstBlock(g)) / ratio)) {
        throw new CorruptStructureException(source, -1, "block bitmap " + g,
            "the cluster of block " + c + " is already free");
      }
      if (runStart < 0) {
        runStart = c;
        runLen = 0;
      }
      runLen += ratio;
    }
    if (runStart >= 0) {
      addPendingFree(runStart, runLen);
    }
  }

  private void addPendingFree(long start, int blocks) {
    pendingFrees.put(start, blocks);
    if (op != null) {
      op.frees.add(start);
    }
  }

  /** @return the blocks freed in the running transaction, waiting for the commit */
  public long pendingFreeBlocks() {
    long n = 0;
    for (int v : pendingFrees.values()) {
      n += v;
    }
    return n;
  }

  private void applyPendingFrees() throws IOException {
    for (Map.Entry<Long, Integer> e : pendingFrees.entrySet()) {
      long start = e.getKey();
      int n = e.getValue() / ratio;
      long g = (start - sb.firstDataBlock) / sb.blocksPerGroup;
      long bit = (start - groupFirstBlock(g)) / ratio;
      byte[] bm = bitmap(blockBitmapBlock(g));
      for (long x = bit; x < bit + n; x++) {
        set(bm, x, false);
      }
      blockBitmapChanged(g, bm);
      setField16(desc(g), 0xC, 0x2C, groupFreeBlocks(g) + n);
      updateDescChecksum(g);
      addSbFree((long) n * ratio, 0);
    }
    pendingFrees.clear();
  }

  /**
   * Allocates an inode. Files go near their parent (the parent's group, then the following
   * ones); directories go to the group with the most free inodes among those with at least the
   * average number of free blocks (Orlov-like spreading). Initialises the inode bitmap of an
   * {@code INODE_UNINIT} group and lowers {@code bg_itable_unused}; the caller writes the inode
   * (zeroing its slot).
   *
   * @param parent the parent directory's inode number (0 for none)
   * @param directory whether the new inode is a directory (counted in {@code bg_used_dirs_count})
   * @return the inode number
   * @throws IOException with "no free inodes" when none is left, or on an I/O error
   */
  public long allocateInode(long parent, boolean directory) throws IOException {
    long ipg = sb.inodesPerGroup;
    long pg = parent >= 1 && parent <= sb.inodesCount ? (parent - 1) / ipg : 0;
    long start = pg;
    if (directory && groupCount > 1) {
      long avgBlocks = freeBlocks() / ratio / groupCount;
      long best = -1;
      long bestFree = 0;
      for (long g = 0; g < groupCount; g++) {
        long fi = groupFreeInodes(g);
        if (fi > bestFree && groupFreeBlocks(g) >= avgBlocks) {
          best = g;
          bestFree = fi;
        }
      }
      if (best >= 0) {
        start = best;
      }
    }
    for (long i = 0; i < groupCount; i++) {
      long g = (start + i) % groupCount;
      if (groupFreeInodes(g) == 0) {
        continue;
      }
      byte[] bm = bitmap(inodeBitmapBlock(g));
      saveGdt(g);
      ByteBuffer d = desc(g);
      int flags = groupFlags(g);
      if ((flags & BG_INODE_UNINIT) != 0) {
        java.util.Arrays.fill(bm, (byte) 0);
        for (long b = ipg; b < 8L * bs; b++) {
          set(bm, b, true);
        }
        d.putShort(0x12, (short) (flags & ~BG_INODE_UNINIT));
      }
      for (long bit = 0; bit < ipg; bit++) {
        long ino = g * ipg + bit + 1;
        if (ino < sb.firstIno || ino > sb.inodesCount || test(bm, bit)) {
          continue;
        }
        set(bm, bit, true);
        inodeBitmapChanged(g, bm);
        setField16(d, 0xE, 0x2E, groupFreeInodes(g) - 1);
        if (directory) {
          setField16(d, 0x10, 0x30, groupUsedDirs(g) + 1);
        }
        if (groupCsum()) {
          long unused = groupItableUnused(g);
          if (bit >= ipg - unused) {
            setField16(d, 0x1C, 0x32, ipg - bit - 1);
          }
        }
        updateDescChecksum(g);
        addSbFree(0, -1);
        LOG.debug("{}: allocated inode {} in group {}", source, ino, g);
        return ino;
      }
    }
    throw new IOException(source + ": no free inodes left on the file system");
  }

  /**
   * Frees an inode (clears its bitmap bit and fixes the counts); the caller clears the inode.
   *
   * @param ino the inode number
   * @param directory whether it was a directory
   * @throws IOException if it is already free or out of range
   */
  public void freeInode(long ino, boolean directory) throws IOException {
    if (ino < sb.firstIno || ino > sb.inodesCount) {
      throw new CorruptStructureException(source, -1, "inode reference",
          "inode " + ino + " cannot be freed");
    }
    long g = (ino - 1) / sb.inodesPerGroup;
    long bit = (ino - 1) % sb.inodesPerGroup;
    if ((groupFlags(g) & BG_INODE_UNINIT) != 0) {
      throw new CorruptStructureException(source, -1, "inode bitmap " + g,
          "inode " + ino + " is in an uninitialised group");
    }
    byte[] bm = bitmap(inodeBitmapBlock(g));
    if (!test(bm, bit)) {
      throw new CorruptStructureException(source, -1, "inode bitmap " + g,
          "inode " + ino + " is already free");
    }
    saveGdt(g);
    set(bm, bit, false);
    inodeBitmapChanged(g, bm);
    ByteBuffer d = desc(g);
    setField16(d, 0xE, 0x2E, groupFreeInodes(g) + 1);
    if (directory) {
      setField16(d, 0x10, 0x30, groupUsedDirs(g) - 1);
    }
    updateDescChecksum(g);
    addSbFree(0, 1);
  }

  /**
   * Closes the running transaction's changes: applies the blocks freed in it to the bitmaps and
   * refreshes the superblock checksum. Called by {@link #commit()}.
   *
   * @return the metadata blocks changed since the last commit, in first-change order
   * @throws IOException on an I/O error
   */
  public Map<Long, byte[]> dirtyBlocks() throws IOException {
    applyPendingFrees();
    if (dirty.containsKey(sbBlock) && sb.metadataCsum()) {
      sbBuf().putInt(0x3FC, Crc32c.update(~0, sbBlockBytes, sbWithin, 0x3FC));
    }
    return java.util.Collections.unmodifiableMap(dirty);
  }

  /**
   * Writes every changed metadata block: with a journal, as one jbd2 transaction that is then
   * checkpointed; without one (ext2), as one atomic group through the device's redo record when
   * it is a {@link dev.vdisk.core.tx.RedoLogDevice} (file data was flushed first: ordered), else
   * directly. Flushes the device.
   *
   * @throws IOException on an I/O error
   */
  public void commit() throws IOException {
    dirtyBlocks();
    if (dirty.isEmpty()) {
      return;
    }
    if (sb.hasCompat(Superblock.COMPAT_HAS_JOURNAL) && sb.journalInum != 0) {
      if (journal == null) {
        journal = JournalWriter.open(device);
      }
      Map<Long, byte[]> blocks = dirtyBlocks();
      device.flush(); // ordered mode: file data is durable before the commit that reaches it
      journal.commit(blocks);
      journal.checkpoint();
    } else if (device instanceof dev.vdisk.core.tx.RedoLogDevice redo) {
      List<dev.vdisk.core.tx.RedoLogDevice.Write> writes = new ArrayList<>();
      for (Map.Entry<Long, byte[]> e : dirtyBlocks().entrySet()) {
        writes.add(new dev.vdisk.core.tx.RedoLogDevice.Write(e.getKey() * bs,
            e.getValue().clone()));
      }
      device.flush();
      redo.writeAtomically(writes);
    } else {
      if (!warnedUnprotected) {
        warnedUnprotected = true;
        LOG.warn("{}: no journal and no redo record: a crash while writing metadata can leave"
            + " the file system inconsistent (open it through VdiskFileSystems to get one)",
            source);
      }
      for (Map.Entry<Long, byte[]> e : dirtyBlocks().entrySet()) {
        device.write(e.getKey() * bs, ByteBuffer.wrap(e.getValue()));
      }
      device.flush();
    }
    LOG.debug("{}: wrote {} metadata blocks", source, dirty.size());
    for (Map.Entry<Long, byte[]> e : dirty.entrySet()) {
      if (!bitmaps.containsKey(e.getKey()) && e.getKey() != sbBlock && !isGdtBlock(e.getKey())) {
        blocks.put(e.getKey(), e.getValue());
      }
    }
    dirty.clear();
    bitmaps.clear();
  }

  private boolean isGdtBlock(long block) {
    for (long g : gdtBlockNumbers) {
      if (g == block) {
        return true;
      }
    }
    return false;
  }

  /**
   * Commits when the running transaction has grown past a quarter of the journal (the kernel's
   * limit for one transaction) or 4096 blocks. Call only between whole operations, so every
   * operation stays in one transaction.
   *
   * @throws IOException on an I/O error
   */
  public void maybeCommit() throws IOException {
    if (dirty.size() >= transactionLimit() || pendingFrees.size() > 65536) {
      commit();
    }
  }

  private int transactionLimit() throws IOException {
    if (journal == null && sb.hasCompat(Superblock.COMPAT_HAS_JOURNAL) && sb.journalInum != 0) {
      journal = JournalWriter.open(device);
    }
    if (journal == null) {
      return 4096;
    }
    JournalSuperblock jsb = journal.journalSuperblock();
    long quarter = (jsb.logEnd() - jsb.first) / 4;
    return (int) Math.max(16, Math.min(4096, quarter));
  }

  /** @return how many metadata blocks the running transaction has changed */
  public int dirtyCount() {
    return dirty.size();
  }

  /** What an operation changed, to undo it if it fails. */
  private static final class Savepoint {
    /** Blocks dirty when the operation began: their contents then. */
    final Map<Long, byte[]> dirtyBefore = new java.util.HashMap<>();
    /** Blocks clean when the operation began and read during it (their cached arrays may change). */
    final java.util.Set<Long> cleanTouched = new java.util.HashSet<>();
    final Map<Integer, byte[]> gdtBefore = new java.util.HashMap<>();
    byte[] sbBefore;
    final List<Long> frees = new ArrayList<>();
  }

  private Savepoint op;
  private boolean warnedUnprotected;

  /**
   * Starts an operation: from now until {@link #endOperation()}, every change can be undone by
   * {@link #rollbackOperation()}. Operations do not nest.
   */
  public void beginOperation() {
    if (op != null) {
      throw new IllegalStateException("an operation is already running");
    }
    op = new Savepoint();
  }

  /** Ends the running operation, keeping its changes in the running transaction. */
  public void endOperation() {
    op = null;
  }

  /**
   * Undoes every metadata change of the running operation (data already written to newly
   * allocated blocks is harmless: those blocks return to free). Earlier operations of the
   * running transaction are kept.
   */
  public void rollbackOperation() {
    Savepoint sp = op;
    op = null;
    if (sp == null) {
      return;
    }
    for (long b : sp.cleanTouched) {
      dirty.remove(b);
      blocks.remove(b);
      bitmaps.remove(b);
    }
    for (Map.Entry<Long, byte[]> e : sp.dirtyBefore.entrySet()) {
      long b = e.getKey();
      byte[] cur = dirty.get(b);
      if (cur == null) {
        cur = bitmaps.get(b);
      }
      if (cur != null) {
        System.arraycopy(e.getValue(), 0, cur, 0, bs);
        dirty.put(b, cur);
      } else {
        dirty.put(b, e.getValue());
      }
    }
    for (Map.Entry<Integer, byte[]> e : sp.gdtBefore.entrySet()) {
      System.arraycopy(e.getValue(), 0, gdtBlocks[e.getKey()], 0, bs);
    }
    if (sp.sbBefore != null) {
      System.arraycopy(sp.sbBefore, 0, sbBlockBytes, 0, bs);
    }
    for (long f : sp.frees) {
      pendingFrees.remove(f);
    }
    LOG.debug("{}: rolled back an operation ({} blocks restored, {} dropped)", source,
        sp.dirtyBefore.size(), sp.cleanTouched.size());
    listener.reset();
  }

  private void saveBlock(long block) {
    Savepoint sp = op;
    if (sp == null || sp.dirtyBefore.containsKey(block) || sp.cleanTouched.contains(block)) {
      return;
    }
    byte[] cur = dirty.get(block);
    if (cur != null) {
      sp.dirtyBefore.put(block, cur.clone());
    } else {
      sp.cleanTouched.add(block);
    }
  }

  private void saveGdt(long g) {
    Savepoint sp = op;
    int d = (int) (g / descPerBlock);
    if (sp != null && !sp.gdtBefore.containsKey(d)) {
      sp.gdtBefore.put(d, gdtBlocks[d].clone());
      saveBlock(gdtBlockNumbers[d]);
    }
  }

  private void saveSuperblock() {
    Savepoint sp = op;
    if (sp != null && sp.sbBefore == null) {
      sp.sbBefore = sbBlockBytes.clone();
      saveBlock(sbBlock);
    }
  }

  /**
   * Sets who is told about changed blocks and inodes.
   *
   * @param l the listener
   */
  public void setChangeListener(ChangeListener l) {
    this.listener = l == null ? ChangeListener.NONE : l;
  }

  // ---- the block access the editors share ----

  /** @return the block size */
  public int blockSize() {
    return bs;
  }

  /** @return the device description, for errors and logs */
  public String source() {
    return source;
  }

  /**
   * The current contents of a metadata block, as the running transaction sees it. The array is
   * shared: after changing it, call {@link #markDirty(long, byte[])} at once (before reading other
   * blocks), or the change may be lost when the clean cache drops the block.
   *
   * @param block the block number
   * @return its bytes
   * @throws IOException on an I/O error or a block outside the volume
   */
  public byte[] metaBlock(long block) throws IOException {
    saveBlock(block);
    byte[] b = dirty.get(block);
    if (b == null) {
      b = bitmaps.get(block);
    }
    if (b == null) {
      b = blocks.get(block);
    }
    if (b == null) {
      b = readBlock(block);
      blocks.put(block, b);
    }
    return b;
  }

  /**
   * Records a changed metadata block in the running transaction.
   *
   * @param block the block number
   * @param bytes its new contents (one block)
   */
  public void markDirty(long block, byte[] bytes) {
    if (bytes.length != bs) {
      throw new IllegalArgumentException("a block image must be " + bs + " bytes");
    }
    dirty.put(block, bytes);
    listener.blockChanged(block);
  }

  /**
   * A new metadata block (just allocated): zeroed, already in the running transaction.
   *
   * @param block the block number
   * @return its bytes, to fill in
   */
  public byte[] newMetaBlock(long block) {
    saveBlock(block);
    byte[] b = new byte[bs];
    blocks.remove(block);
    markDirty(block, b);
    return b;
  }

  /**
   * Writes file data straight to the device (ordered mode: data goes to disk before the
   * transaction that makes it reachable commits). Only for data blocks, never metadata.
   *
   * @param block the first block
   * @param offsetInBlock where in it to start
   * @param src the bytes (may run over several consecutive blocks)
   * @throws IOException on an I/O error
   */
  public void writeData(long block, int offsetInBlock, ByteBuffer src) throws IOException {
    int n = src.remaining();
    long last = block + (offsetInBlock + (long) n - 1) / bs;
    if (block < 0 || n == 0 || last >= sb.blocksCount || (last + 1) * bs > device.size()) {
      if (n == 0) {
        return;
      }
      throw new CorruptStructureException(source, -1, "block reference",
          "data blocks " + block + ".." + last + " are outside the volume");
    }
    device.write(block * bs + offsetInBlock, src);
    for (long b = block; b <= last; b++) {
      blocks.remove(b);
      listener.blockChanged(b);
    }
  }

  /**
   * Reads file data from the device (or the running transaction, for a block it holds).
   *
   * @param block the first block
   * @param offsetInBlock where in it to start
   * @param dst filled completely
   * @throws IOException on an I/O error
   */
  public void readData(long block, int offsetInBlock, ByteBuffer dst) throws IOException {
    int n = dst.remaining();
    long last = block + (offsetInBlock + (long) n - 1) / bs;
    if (n == 0) {
      return;
    }
    if (block < 0 || last >= sb.blocksCount || (last + 1) * bs > device.size()) {
      throw new CorruptStructureException(source, -1, "block reference",
          "data blocks " + block + ".." + last + " are outside the volume");
    }
    device.read(block * bs + offsetInBlock, dst);
  }

  /**
   * Reads an inode for changing.
   *
   * @param ino the inode number
   * @return the inode (a private copy; store it with {@link #putInode(MutableInode)})
   * @throws IOException if out of range, its checksum is bad, or on an I/O error
   */
  public MutableInode inode(long ino) throws IOException {
    byte[] raw = inodeBytes(ino);
    Inode.parse(raw, ino, sb, source, inodeByteOffset(ino));
    return new MutableInode(ino, raw, sb);
  }

  /**
   * A fresh inode image (zeroed, with {@code i_extra_isize} set) for a newly allocated number.
   *
   * @param ino the inode number
   * @return the inode, not yet stored
   */
  public MutableInode newInode(long ino) {
    byte[] raw = new byte[sb.inodeSize];
    ByteBuffer ib = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (raw.length > 128) {
      int extra = Math.min(Math.max(32, sb.minExtraIsize), raw.length - 128) & ~3;
      ib.putShort(0x80, (short) extra);
    }
    ib.putInt(0x64, GENERATIONS.nextInt());
    return new MutableInode(ino, raw, sb);
  }

  private static final java.security.SecureRandom GENERATIONS = new java.security.SecureRandom();

  /**
   * Stores an inode (with a fresh checksum) in the running transaction.
   *
   * @param inode the inode
   * @throws IOException on an I/O error
   */
  public void putInode(MutableInode inode) throws IOException {
    putInode(inode.ino(), inode.raw());
  }

  /** @return the time changes are stamped with */
  public java.time.Instant now() {
    return java.time.Instant.now();
  }

  /**
   * The running transaction's view of the volume, for the read-side parsers ({@link FileMap},
   * directory blocks).
   *
   * @return the view
   */
  public FileMap.Blocks blocksView() {
    return new FileMap.Blocks() {
      @Override
      public byte[] block(long block) throws IOException {
        return metaBlock(block);
      }

      @Override
      public int blockSize() {
        return bs;
      }

      @Override
      public long blocksCount() {
        return sb.blocksCount;
      }

      @Override
      public String source() {
        return source;
      }

      @Override
      public Superblock superblock() {
        return sb;
      }
    };
  }

  /** @return the regular-file data editor (extents, block maps, inline data) */
  public FileData files() {
    if (fileData == null) {
      fileData = new FileData(this);
    }
    return fileData;
  }

  /** @return the directory editor */
  public Directories directories() {
    if (directories == null) {
      directories = new Directories(this);
    }
    return directories;
  }

  /** @return the name-space operations (create, mkdir, link, unlink, rmdir, rename, ...) */
  public Namespace namespace() {
    if (namespace == null) {
      namespace = new Namespace(this);
    }
    return namespace;
  }

  /** @return the extended-attribute editor */
  public Xattrs xattrs() {
    if (xattrs == null) {
      xattrs = new Xattrs(this);
    }
    return xattrs;
  }

  /** @return the inline-data primitives */
  public InlineData inline() {
    if (inline == null) {
      inline = new InlineData(this);
    }
    return inline;
  }

  // ---- inodes and directories ----

  private static final int S_IFREG = 0x8000;

  private long inodeByteOffset(long ino) throws CorruptStructureException {
    if (ino < 1 || ino > sb.inodesCount) {
      throw new CorruptStructureException(source, -1, "inode reference",
          "inode " + ino + " is out of range");
    }
    long g = (ino - 1) / sb.inodesPerGroup;
    long idx = (ino - 1) % sb.inodesPerGroup;
    return field32(desc(g), 0x8, 0x28) * bs + idx * sb.inodeSize;
  }

  private byte[] inodeBytes(long ino) throws IOException {
    long off = inodeByteOffset(ino);
    byte[] blk = metaBlock(off / bs);
    byte[] r = new byte[sb.inodeSize];
    System.arraycopy(blk, (int) (off % bs), r, 0, r.length);
    return r;
  }

  private void putInode(long ino, byte[] raw) throws IOException {
    if (sb.metadataCsum()) {
      ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      boolean hasHi = raw.length > 128 && (b.getShort(0x80) & 0xFFFF) >= 4;
      b.putShort(0x7C, (short) 0);
      if (hasHi) {
        b.putShort(0x82, (short) 0);
      }
      int crc = Crc32c.updateLe32(sb.checksumSeed(), (int) ino);
      crc = Crc32c.updateLe32(crc, b.getInt(0x64));
      crc = Crc32c.update(crc, raw, 0, raw.length);
      b.putShort(0x7C, (short) crc);
      if (hasHi) {
        b.putShort(0x82, (short) (crc >>> 16));
      }
    }
    long off = inodeByteOffset(ino);
    byte[] blk = metaBlock(off / bs);
    System.arraycopy(raw, 0, blk, (int) (off % bs), raw.length);
    markDirty(off / bs, blk);
    listener.inodeChanged(ino);
  }

  /**
   * Creates an empty regular file (owner and group 0); a delegate of
   * {@link Namespace#create(long, String, int, long, long)}.
   *
   * @param parent the directory's inode number
   * @param name the new name
   * @param permissions the permission bits (e.g. {@code 0644})
   * @return the new inode number
   * @throws IOException if the name exists, no space is left, or on I/O errors
   */
  public long createFile(long parent, String name, int permissions) throws IOException {
    return namespace().create(parent, name, S_IFREG | (permissions & 07777), 0, 0);
  }

  /**
   * Creates an empty directory (owner and group 0); a delegate of
   * {@link Namespace#mkdir(long, String, int, long, long)}.
   *
   * @param parent the directory's inode number
   * @param name the new name
   * @param permissions the permission bits (e.g. {@code 0755})
   * @return the new inode number
   * @throws IOException if the name exists, no space is left, or on I/O errors
   */
  public long createDirectory(long parent, String name, int permissions) throws IOException {
    return namespace().mkdir(parent, name, permissions & 07777, 0, 0);
  }
}
