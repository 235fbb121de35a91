package dev.vdisk.ext4.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edits what an inode's {@code i_block} maps: extent trees (insert, merge, split, grow depth,
 * free), indirect block maps, and the file data behind them. Every method that changes the inode
 * stores it with {@link Ext4Writer#putInode(MutableInode)} before returning.
 *
 * <p>The mapping itself lives in {@link ExtentTree} (extent trees of any depth) and
 * {@link BlockMapTree} (direct, single, double and triple indirect pointers).
 */
public final class FileData {
  private static final Logger LOG = LoggerFactory.getLogger(FileData.class);

  private final Ext4Writer w;
  private final int bs;
  /** Blocks per cluster: 1, or more under bigalloc. */
  private final int ratio;

  FileData(Ext4Writer w) {
    this.w = w;
    this.bs = w.blockSize();
    this.ratio = w.clusterRatio();
  }

  /**
   * Prepares a new inode's {@code i_block}: an empty extent root when the file system has
   * extents, else zeroed block pointers.
   *
   * @param inode a new inode
   */
  public void initEmpty(MutableInode inode) {
    if (w.superblock().hasIncompat(Superblock.INCOMPAT_EXTENTS)) {
      ByteBuffer b = inode.buffer();
      inode.setFlags(inode.flags() | Inode.FL_EXTENTS);
      b.putShort(MutableInode.I_BLOCK, (short) ExtentHeader.MAGIC);
      b.putShort(MutableInode.I_BLOCK + 2, (short) 0);
      b.putShort(MutableInode.I_BLOCK + 4, (short) 4);
      b.putShort(MutableInode.I_BLOCK + 6, (short) 0);
    }
  }

  /**
   * The physical block holding a logical block.
   *
   * @param inode the inode
   * @param logical the logical block
   * @return the physical block, or -1 for a hole (or an unwritten extent)
   * @throws IOException on a corrupt map or an I/O error
   */
  public long map(MutableInode inode, long logical) throws IOException {
    if (inode.hasFlag(Inode.FL_INLINE_DATA) || logical < 0) {
      return -1;
    }
    BlockMapping m = mapping(inode, new BlockFreer(w));
    if (logical >= m.limit()) {
      return -1;
    }
    BlockMapping.Run r = m.lookup(logical);
    return r.hole() || r.uninit() ? -1 : r.physical();
  }

  private BlockMapping mapping(MutableInode inode, BlockFreer freer) {
    return inode.hasFlag(Inode.FL_EXTENTS) ? new ExtentTree(w, inode, freer)
        : new BlockMapTree(w, inode, freer);
  }

  /** The first block of the inode's group: where a file without blocks starts. */
  private long groupGoal(MutableInode inode) {
    Superblock sb = w.superblock();
    long g = (inode.ino() - 1) / sb.inodesPerGroup;
    return sb.firstDataBlock + g * sb.blocksPerGroup;
  }

  /**
   * Allocates one block and maps it at a logical block that is a hole (for directory growth);
   * adds it to {@code i_blocks} and stores the inode. The caller fills the block and sets
   * {@code i_size}.
   *
   * @param inode the inode
   * @param logical the logical block
   * @param goal the preferred physical block (used when the block before is not mapped)
   * @return the physical block
   * @throws IOException when the map cannot take it, no space is left, or on I/O errors
   */
  public long allocateBlockAt(MutableInode inode, long logical, long goal) throws IOException {
    BlockFreer freer = new BlockFreer(w);
    BlockMapping m = mapping(inode, freer);
    if (logical < 0 || logical >= m.limit()) {
      throw tooLarge(inode, logical);
    }
    if (!m.lookup(logical).hole()) {
      throw new IllegalArgumentException("logical block " + logical + " is mapped");
    }
    long g = m.goal(logical);
    long start;
    if (ratio > 1) {
      Place p = place(m, logical, logical + 1, g >= 0 ? g : goal);
      start = p.physical();
      insertPlaced(m, logical, p);
      recount(inode, m);
    } else {
      start = w.allocateBlocks(g >= 0 ? g : goal, 1).start();
      inode.addBlocks(1);
      m.insert(logical, start, 1);
    }
    freer.flush();
    w.putInode(inode);
    return start;
  }

  /**
   * Bigalloc: where logical blocks from {@code l} (before {@code end}) go. A file's logical
   * cluster lives in one physical cluster at the same offset ({@code lblk % ratio == pblk %
   * ratio}), so blocks of a logical cluster the file already maps take the rest of that
   * physical cluster; otherwise whole new clusters are allocated.
   *
   * @param physical the first physical block for {@code l}
   * @param length how many logical blocks from {@code l} it covers
   * @param newStart the first block of newly allocated clusters, or -1
   * @param newLength the blocks of newly allocated clusters (0 when none)
   */
  private record Place(long physical, int length, long newStart, int newLength) {}

  private Place place(BlockMapping m, long l, long end, long goal) throws IOException {
    if (!(m instanceof ExtentTree)) {
      throw new java.nio.file.FileSystemException(w.source(), null, "bigalloc: an inode"
          + " without extents cannot be written (bigalloc requires extent-mapped files)");
    }
    int off = (int) (l % ratio);
    long lc0 = l - off;
    long pc = physicalCluster(m, lc0, lc0 + ratio);
    if (pc >= 0) {
      return new Place(pc + off, (int) Math.min(end - l, ratio - off), -1, 0);
    }
    long stop = end;
    if (end > lc0 + ratio && end % ratio != 0) {
      // the last logical cluster may be mapped past end: it is placed in the next round
      stop = end - end % ratio;
    }
    long want = Math.min(stop - l, ExtentTree.MAX_INIT - ratio);
    int clusters = (int) ((off + want + ratio - 1) / ratio);
    Ext4Writer.Extent e = w.allocateClusters(goal < 0 ? 0 : goal, clusters);
    int len = (int) Math.min(want, e.length() - off);
    return new Place(e.start() + off, len, e.start(), e.length());
  }

  /**
   * The first block of the physical cluster that logical blocks {@code [from, to)} (inside one
   * logical cluster) map, or -1 when none of them is mapped.
   */
  private long physicalCluster(BlockMapping m, long from, long to) throws IOException {
    long k = from;
    while (k < to && k < m.limit()) {
      BlockMapping.Run r = m.lookup(k);
      if (!r.hole()) {
        return r.physical() - r.physical() % ratio;
      }
      if (r.length() == Long.MAX_VALUE) {
        break;
      }
      k += Math.max(1, r.length());
    }
    return -1;
  }

  /** Maps a placed run; on failure frees the clusters newly allocated for it. */
  private void insertPlaced(BlockMapping m, long l, Place p) throws IOException {
    try {
      m.insert(l, p.physical(), p.length());
    } catch (IOException | RuntimeException ex) {
      if (p.newLength() > 0) {
        w.freeBlocks(p.newStart(), p.newLength());
      }
      throw ex;
    }
  }

  /**
   * Bigalloc: sets {@code i_blocks} from the clusters the inode uses (those its extents and
   * extent-tree blocks occupy, and its xattr block's), each counted whole, as e2fsck counts
   * them. Without bigalloc the editors keep {@code i_blocks} exact as they go.
   */
  private void recount(MutableInode inode, BlockMapping m) throws IOException {
    if (ratio == 1 || !(m instanceof ExtentTree t)) {
      return;
    }
    long clusters = t.clustersInUse(ratio) + (inode.fileAcl() != 0 ? 1 : 0);
    inode.setSectors(clusters * ratio * (bs / 512));
  }

  private java.nio.file.FileSystemException tooLarge(MutableInode inode, long block) {
    return new java.nio.file.FileSystemException(w.source(), null, "inode " + inode.ino()
        + ": logical block " + block + " is past the largest file its block map can hold"
        + " (file too large)");
  }

  /**
   * Writes bytes into a regular file at a position, allocating blocks (contiguous where
   * possible), growing {@code i_size}, and setting mtime and ctime. Converts an inline-data file
   * to blocks when it outgrows the inode. Holes stay holes; unwritten extents written into become
   * initialised (the rest of their partly written blocks zeroed).
   *
   * @param inode a regular file
   * @param position the byte offset
   * @param src the bytes (all of them are written)
   * @return the number of bytes written
   * @throws java.nio.file.FileSystemException when the inode is not a regular file or the
   *     position is past the largest file its map can hold
   * @throws IOException when no space is left (what was written before stays, with
   *     {@code i_size} covering it), or on I/O errors
   */
  public int write(MutableInode inode, long position, ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (position < 0) {
      throw new IllegalArgumentException("negative position " + position);
    }
    requireRegular(inode);
    if (n == 0) {
      return 0;
    }
    if (inode.hasFlag(Inode.FL_INLINE_DATA) && writeInline(inode, position, src)) {
      return n;
    }
    long end = position + n;
    BlockFreer freer = new BlockFreer(w);
    BlockMapping m = mapping(inode, freer);
    long first = position / bs;
    long last = (end - 1) / bs;
    if (last >= m.limit() || end < 0) {
      throw tooLarge(inode, last);
    }
    long oldSize = inode.size();
    if (position > oldSize) {
      zeroAfter(m, oldSize, position);
    }
    ByteBuffer data = src.slice();
    long[] done = {first};
    try {
      writeBlocks(inode, m, position, end, data, done);
    } catch (IOException | RuntimeException e) {
      // a short write: keep what reached the disk reachable and consistent
      long written = Math.min(end, done[0] * bs);
      freer.flush();
      recount(inode, m);
      if (written > oldSize) {
        inode.setSize(written);
      }
      inode.touchModified(w.now());
      w.putInode(inode);
      throw e;
    }
    freer.flush();
    recount(inode, m);
    src.position(src.limit());
    if (end > oldSize) {
      inode.setSize(end);
    }
    inode.touchModified(w.now());
    w.putInode(inode);
    LOG.debug("{}: inode {}: wrote {} bytes at {}", w.source(), inode.ino(), n, position);
    return n;
  }

  /**
   * The block loop of {@link #write}: {@code done[0]} is the first logical block not yet
   * written (for a short write after an error).
   */
  private void writeBlocks(MutableInode inode, BlockMapping m, long position, long end,
      ByteBuffer data, long[] done) throws IOException {
    long last = (end - 1) / bs;
    long goal = -1;
    long l = done[0];
    while (l <= last) {
      BlockMapping.Run r = m.lookup(l);
      long runEnd = r.length() == Long.MAX_VALUE ? last + 1 : Math.min(last + 1, l + r.length());
      if (!r.hole() && !r.uninit()) {
        long from = Math.max(position, l * bs);
        long to = Math.min(end, runEnd * bs);
        w.writeData(r.physical(), (int) (from - l * bs), slice(data, from - position, to - from));
        goal = r.physical() + (runEnd - l);
        l = runEnd;
        done[0] = l;
      } else if (r.uninit()) {
        writeFresh(r.physical(), l, runEnd, position, end, data);
        m.markInitialized(l, runEnd - l);
        goal = r.physical() + (runEnd - l);
        l = runEnd;
        done[0] = l;
      } else {
        while (l < runEnd) {
          long g = goal;
          if (g < 0) {
            g = m.goal(l);
          }
          if (g < 0) {
            g = groupGoal(inode);
          }
          if (ratio > 1) {
            Place p = place(m, l, runEnd, g);
            writeFresh(p.physical(), l, l + p.length(), position, end, data);
            insertPlaced(m, l, p);
            goal = p.physical() + p.length();
            l += p.length();
            done[0] = l;
            continue;
          }
          Ext4Writer.Extent e = w.allocateBlocks(g,
              (int) Math.min(runEnd - l, ExtentTree.MAX_INIT));
          inode.addBlocks(e.length());
          writeFresh(e.start(), l, l + e.length(), position, end, data);
          try {
            m.insert(l, e.start(), e.length());
          } catch (IOException | RuntimeException ex) {
            w.freeBlocks(e.start(), e.length());
            inode.addBlocks(-e.length());
            throw ex;
          }
          goal = e.start() + e.length();
          l += e.length();
          done[0] = l;
        }
      }
    }
  }

  /** File data of other types is metadata (directories) or written once (symbolic links). */
  private void requireRegular(MutableInode inode) throws java.nio.file.FileSystemException {
    if (inode.type() != MutableInode.S_IFREG) {
      throw new java.nio.file.FileSystemException(w.source(), null, "inode " + inode.ino()
          + " is not a regular file (mode 0" + Integer.toOctalString(inode.mode())
          + "); its data is not written through the file data editor");
    }
  }

  private static ByteBuffer slice(ByteBuffer data, long offset, long length) {
    return data.slice((int) offset, (int) length);
  }

  /**
   * Writes the data for logical blocks {@code [l0, l1)} into blocks that held nothing readable
   * (new, or unwritten): whole blocks, zero-filled around the data.
   */
  private void writeFresh(long physical, long l0, long l1, long position, long end,
      ByteBuffer data) throws IOException {
    long from = Math.max(position, l0 * bs);
    long to = Math.min(end, l1 * bs);
    long b = l0;
    if (from % bs != 0 || to - from < bs) {
      byte[] buf = new byte[bs];
      int off = (int) (from - b * bs);
      int cnt = (int) Math.min(bs - off, to - from);
      data.get((int) (from - position), buf, off, cnt);
      w.writeData(physical, 0, ByteBuffer.wrap(buf));
      from += cnt;
      b++;
    }
    long full = (to - from) / bs;
    if (full > 0) {
      w.writeData(physical + (b - l0), 0, slice(data, from - position, full * bs));
      from += full * bs;
      b += full;
    }
    if (from < to) {
      byte[] buf = new byte[bs];
      data.get((int) (from - position), buf, 0, (int) (to - from));
      w.writeData(physical + (b - l0), 0, ByteBuffer.wrap(buf));
      b++;
    }
    while (b < l1) {
      w.writeData(physical + (b - l0), 0, ByteBuffer.wrap(new byte[bs]));
      b++;
    }
  }

  /**
   * Zeroes the bytes from {@code from} to {@code upTo} (at most to the end of that block) in the
   * block holding offset {@code from}, when it is mapped and written: what lies past the old end
   * of file must read as zeros once the file grows over it.
   */
  private void zeroAfter(BlockMapping m, long from, long upTo) throws IOException {
    int off = (int) (from % bs);
    if (off == 0) {
      return;
    }
    long l = from / bs;
    if (l >= m.limit()) {
      return;
    }
    BlockMapping.Run r = m.lookup(l);
    if (r.hole() || r.uninit()) {
      return;
    }
    int len = (int) Math.min(bs - off, upTo - from);
    if (len > 0) {
      w.writeData(r.physical(), off, ByteBuffer.wrap(new byte[len]));
    }
  }

  /**
   * Writes into an inline-data file: in place while it fits, else moves the content to blocks
   * (and returns {@code false} so the caller writes the new bytes there).
   */
  private boolean writeInline(MutableInode inode, long position, ByteBuffer src)
      throws IOException {
    InlineData in = w.inline();
    byte[] cur = in.read(inode);
    long newLen = Math.max(cur.length, position + src.remaining());
    if (newLen <= in.capacity(inode)) {
      byte[] content = java.util.Arrays.copyOf(cur, (int) newLen);
      src.duplicate().get(content, (int) position, src.remaining());
      if (in.tryStore(inode, content)) {
        src.position(src.limit());
        inode.setSize(newLen);
        inode.touchModified(w.now());
        w.putInode(inode);
        return true;
      }
    }
    toBlocks(inode, cur);
    return false;
  }

  /** Moves an inline inode's content into blocks. */
  private void toBlocks(MutableInode inode, byte[] content) throws IOException {
    InlineData in = w.inline();
    in.clear(inode);
    inode.setFlags(inode.flags() & ~Inode.FL_INLINE_DATA);
    inode.setIBlock(new byte[MutableInode.I_BLOCK_SIZE]);
    initEmpty(inode);
    inode.setSize(0);
    if (content.length > 0) {
      write(inode, 0, ByteBuffer.wrap(content));
    } else {
      w.putInode(inode);
    }
    LOG.debug("{}: inode {}: inline data ({} bytes) moved to blocks", w.source(), inode.ino(),
        content.length);
  }

  /**
   * Sets a regular file's size: frees blocks past the new end (and tree blocks left empty), or
   * extends with a hole. Zeroes the tail of a partial last block so a later extension reads
   * zeros. Sets mtime and ctime when the size changes (as POSIX {@code ftruncate}).
   *
   * @param inode a regular file
   * @param size the new size
   * @throws java.nio.file.FileSystemException when the inode is not a regular file or the
   *     size is past the largest file its map can hold
   * @throws IOException on I/O errors
   */
  public void truncate(MutableInode inode, long size) throws IOException {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    requireRegular(inode);
    long old = inode.size();
    if (inode.hasFlag(Inode.FL_INLINE_DATA)) {
      InlineData in = w.inline();
      byte[] cur = in.read(inode);
      if (size <= in.capacity(inode)
          && in.tryStore(inode, java.util.Arrays.copyOf(cur, (int) size))) {
        inode.setSize(size);
        if (size != old) {
          inode.touchModified(w.now());
        }
        w.putInode(inode);
        return;
      }
      toBlocks(inode, java.util.Arrays.copyOf(cur, (int) Math.min(cur.length, size)));
      old = inode.size();
    }
    BlockFreer freer = new BlockFreer(w);
    BlockMapping m = mapping(inode, freer);
    long blocks = (size + bs - 1) / bs;
    if (blocks > m.limit()) {
      throw tooLarge(inode, blocks - 1);
    }
    if (size < old) {
      if (ratio > 1 && blocks % ratio != 0) {
        // the blocks kept in the last logical cluster keep its physical cluster
        long pc = physicalCluster(m, blocks - blocks % ratio, blocks);
        if (pc >= 0) {
          freer.keep(pc, ratio);
        }
      }
      m.truncate(blocks);
      zeroAfter(m, size, blocks * bs);
    } else if (size > old) {
      zeroAfter(m, old, size);
    }
    freer.flush();
    recount(inode, m);
    if (size != inode.size()) {
      inode.setSize(size);
      inode.touchModified(w.now());
    }
    w.putInode(inode);
    LOG.debug("{}: inode {}: size {} -> {}", w.source(), inode.ino(), old, size);
  }

  /**
   * Frees every block the inode maps (data and extent-tree or indirect blocks) and empties its
   * map, for an inode being deleted; sets {@code i_size} to 0. Inline data and fast symlinks
   * free nothing.
   *
   * @param inode the inode
   * @throws IOException on I/O errors
   */
  public void freeAll(MutableInode inode) throws IOException {
    if (inode.hasFlag(Inode.FL_INLINE_DATA) || isFastSymlink(inode)) {
      return;
    }
    BlockFreer freer = new BlockFreer(w);
    BlockMapping m = mapping(inode, freer);
    m.truncate(0);
    freer.flush();
    recount(inode, m);
    inode.setSize(0);
    w.putInode(inode);
  }

  private boolean isFastSymlink(MutableInode inode) {
    long own = inode.sectors() - (inode.fileAcl() != 0 ? (long) ratio * bs / 512 : 0);
    return inode.type() == MutableInode.S_IFLNK && inode.size() < MutableInode.I_BLOCK_SIZE
        && !inode.hasFlag(Inode.FL_EXTENTS) && own <= 0;
  }

  /**
   * Stores a new symbolic link's target: in {@code i_block} when shorter than 60 bytes (a fast
   * link, without the extents flag), else in one data block mapped the normal way (with the
   * extents flag on a file system with extents, as the kernel does); sets {@code i_size}.
   *
   * @param inode a new symbolic-link inode (mode already set)
   * @param target the target bytes
   * @throws IOException when no space is left, the target is too long, or on I/O errors
   */
  public void writeSymlink(MutableInode inode, byte[] target) throws IOException {
    if (target.length == 0 || target.length >= bs) {
      throw new java.nio.file.FileSystemException(w.source(), null, "symbolic link target of "
          + target.length + " bytes: must be 1 to " + (bs - 1) + " bytes (name too long)");
    }
    byte[] iblock = new byte[MutableInode.I_BLOCK_SIZE];
    if (target.length < MutableInode.I_BLOCK_SIZE) {
      inode.setFlags(inode.flags() & ~(Inode.FL_EXTENTS | Inode.FL_INLINE_DATA));
      System.arraycopy(target, 0, iblock, 0, target.length);
      inode.setIBlock(iblock);
      inode.setSize(target.length);
      w.putInode(inode);
      return;
    }
    inode.setFlags(inode.flags() & ~(Inode.FL_EXTENTS | Inode.FL_INLINE_DATA));
    inode.setIBlock(iblock);
    initEmpty(inode);
    long start = w.allocateBlocks(groupGoal(inode), 1).start();
    inode.addBlocks(1);
    byte[] blk = new byte[bs];
    System.arraycopy(target, 0, blk, 0, target.length);
    w.writeData(start, 0, ByteBuffer.wrap(blk));
    BlockFreer freer = new BlockFreer(w);
    BlockMapping m = mapping(inode, freer);
    m.insert(0, start, 1);
    freer.flush();
    recount(inode, m);
    inode.setSize(target.length);
    w.putInode(inode);
  }
}
