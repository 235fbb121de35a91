package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An inode's extent tree being edited: lookup, insert (merging with a contiguous neighbour,
 * splitting full leaves and index nodes, growing the depth when the root in {@code i_block} is
 * full) and truncation (freeing data blocks and the tree blocks left empty, pulling a lone child
 * back into the root). Tree blocks carry {@code struct ext4_extent_tail} under metadata_csum.
 * Index keys always equal the first logical block below them, as e2fsck demands.
 */
final class ExtentTree implements BlockMapping {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      ExtentTree.class);
  /** Longest initialised extent. */
  static final int MAX_INIT = 32768;
  /** Longest unwritten extent. */
  static final int MAX_UNINIT = 32767;
  private static final int ROOT_MAX = 4;

  private final Ext4Writer w;
  private final MutableInode inode;
  private final int bs;
  private final boolean csum;
  private final int blockMax;
  private final BlockFreer freer;
  /** Set when a node was split or the root grew: the shape is checked after the insert. */
  private boolean reshaped;

  ExtentTree(Ext4Writer w, MutableInode inode, BlockFreer freer) {
    this.w = w;
    this.inode = inode;
    this.bs = w.blockSize();
    this.csum = w.superblock().metadataCsum();
    this.blockMax = (bs - 12) / 12;
    this.freer = freer;
  }

  /** One node: the root in the inode's {@code i_block} or a tree block. */
  private final class Node {
    final long block;
    final byte[] data;
    final int base;
    final ByteBuffer b;

    Node(long block, byte[] data, int base) {
      this.block = block;
      this.data = data;
      this.base = base;
      this.b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean root() {
      return block < 0;
    }

    int entries() {
      return b.getShort(base + 2) & 0xFFFF;
    }

    void setEntries(int n) {
      b.putShort(base + 2, (short) n);
    }

    int max() {
      return b.getShort(base + 4) & 0xFFFF;
    }

    int depth() {
      return b.getShort(base + 6) & 0xFFFF;
    }

    void setDepth(int d) {
      b.putShort(base + 6, (short) d);
    }

    int at(int i) {
      return base + 12 + 12 * i;
    }

    long key(int i) {
      return b.getInt(at(i)) & 0xFFFFFFFFL;
    }

    void setKey(int i, long k) {
      b.putInt(at(i), (int) k);
    }

    /** Leaf: the length without the unwritten bit. */
    int len(int i) {
      int l = b.getShort(at(i) + 4) & 0xFFFF;
      return l > MAX_INIT ? l - MAX_INIT : l;
    }

    boolean uninit(int i) {
      return (b.getShort(at(i) + 4) & 0xFFFF) > MAX_INIT;
    }

    long phys(int i) {
      int o = at(i);
      return ((long) (b.getShort(o + 6) & 0xFFFF) << 32) | (b.getInt(o + 8) & 0xFFFFFFFFL);
    }

    void setExtent(int i, long lblk, long pblk, int len, boolean unwritten) {
      int o = at(i);
      b.putInt(o, (int) lblk);
      b.putShort(o + 4, (short) (unwritten ? len + MAX_INIT : len));
      b.putShort(o + 6, (short) (pblk >>> 32));
      b.putInt(o + 8, (int) pblk);
    }

    long child(int i) {
      int o = at(i);
      return (b.getInt(o + 4) & 0xFFFFFFFFL) | ((long) (b.getShort(o + 8) & 0xFFFF) << 32);
    }

    void setIndex(int i, long lblk, long childBlock) {
      int o = at(i);
      b.putInt(o, (int) lblk);
      b.putInt(o + 4, (int) childBlock);
      b.putShort(o + 8, (short) (childBlock >>> 32));
      b.putShort(o + 10, (short) 0);
    }

    /** Opens a gap of one entry at {@code i}. */
    void shiftRight(int i) {
      int n = entries();
      System.arraycopy(data, at(i), data, at(i + 1), 12 * (n - i));
      setEntries(n + 1);
    }

    void remove(int i) {
      int n = entries();
      System.arraycopy(data, at(i + 1), data, at(i), 12 * (n - i - 1));
      java.util.Arrays.fill(data, at(n - 1), at(n), (byte) 0);
      setEntries(n - 1);
    }

    /** Records the change: a tree block gets its checksum and joins the transaction. */
    void save() {
      if (root()) {
        return;
      }
      if (csum) {
        int tail = 12 + 12 * max();
        b.putInt(tail, Crc32c.update(inode.checksumSeed(), data, 0, tail));
      }
      w.markDirty(block, data);
    }
  }

  private Node root() throws CorruptStructureException {
    byte[] raw = inode.raw();
    ExtentHeader.parse(inode.iBlock(), "inode " + inode.ino() + " (i_block)", w.source(), -1);
    return new Node(-1, raw, MutableInode.I_BLOCK);
  }

  private Node child(Node parent, int i) throws IOException {
    long blk = parent.child(i);
    if (blk == 0 || blk >= w.superblock().blocksCount) {
      throw new CorruptStructureException(w.source(), -1, "extent index",
          "inode " + inode.ino() + ": child block " + blk + " is outside the volume");
    }
    byte[] data = w.metaBlock(blk);
    ExtentHeader h = ExtentHeader.parse(data, "inode " + inode.ino() + " extent block " + blk,
        w.source(), blk * bs);
    if (h.depth != parent.depth() - 1) {
      throw new CorruptStructureException(w.source(), blk * bs, "extent header", "inode "
          + inode.ino() + " extent block " + blk + ": depth " + h.depth + " under depth "
          + parent.depth());
    }
    return new Node(blk, data, 0);
  }

  /** The nodes from the root to the leaf where {@code lblk} belongs, and the index taken. */
  private record Path(List<Node> nodes, List<Integer> idx) {
    Node leaf() {
      return nodes.get(nodes.size() - 1);
    }
  }

  /** Position of the last entry whose key is at most {@code lblk}, or -1. */
  private static int floor(Node n, long lblk) {
    int lo = 0;
    int hi = n.entries() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (n.key(mid) <= lblk) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private Path path(long lblk) throws IOException {
    List<Node> nodes = new ArrayList<>();
    List<Integer> idx = new ArrayList<>();
    Node n = root();
    nodes.add(n);
    while (n.depth() > 0) {
      if (n.entries() == 0) {
        throw new CorruptStructureException(w.source(), -1, "extent index",
            "inode " + inode.ino() + ": an index node without entries");
      }
      int i = Math.max(0, floor(n, lblk));
      idx.add(i);
      n = child(n, i);
      nodes.add(n);
    }
    return new Path(nodes, idx);
  }

  /** The first key to the right of the path's leaf, or -1 when the leaf is the last. */
  private static long nextKey(Path p) {
    for (int level = p.idx.size() - 1; level >= 0; level--) {
      Node n = p.nodes.get(level);
      int i = p.idx.get(level);
      if (i + 1 < n.entries()) {
        return n.key(i + 1);
      }
    }
    return -1;
  }

  @Override
  public Run lookup(long logical) throws IOException {
    Path p = path(logical);
    Node leaf = p.leaf();
    int i = floor(leaf, logical);
    if (i >= 0 && leaf.key(i) + leaf.len(i) > logical) {
      long off = logical - leaf.key(i);
      return new Run(logical, leaf.phys(i) + off, leaf.len(i) - off, leaf.uninit(i));
    }
    long next = i + 1 < leaf.entries() ? leaf.key(i + 1) : nextKey(p);
    return new Run(logical, -1, next < 0 ? Long.MAX_VALUE : next - logical, false);
  }

  @Override
  public long goal(long logical) throws IOException {
    Path p = path(logical);
    Node leaf = p.leaf();
    int i = floor(leaf, logical);
    if (i >= 0) {
      return leaf.phys(i) + (logical - leaf.key(i));
    }
    return -1;
  }

  /** Logical blocks 0 to 2^32 - 2, as the kernel allows ({@code EXT_MAX_BLOCKS}). */
  @Override
  public long limit() {
    return 0xFFFFFFFFL;
  }

  @Override
  public void insert(long logical, long physical, int length) throws IOException {
    reshaped = false;
    insert(logical, physical, length, false);
    if (reshaped) {
      compactIfLoose();
    }
  }

  private void insert(long lblk, long pblk, int len, boolean unwritten) throws IOException {
    int cap = unwritten ? MAX_UNINIT : MAX_INIT;
    if (len < 1 || len > cap || lblk + len > limit()) {
      throw new IllegalArgumentException("extent " + lblk + "+" + len + " is invalid");
    }
    Path p = path(lblk);
    Node leaf = p.leaf();
    int left = floor(leaf, lblk);
    int pos = left + 1;
    long next = pos < leaf.entries() ? leaf.key(pos) : nextKey(p);
    if (left >= 0 && leaf.key(left) + leaf.len(left) > lblk || next >= 0 && lblk + len > next) {
      throw new IllegalArgumentException("logical blocks " + lblk + "+" + len + " are mapped");
    }
    if (left >= 0 && leaf.uninit(left) == unwritten && leaf.key(left) + leaf.len(left) == lblk
        && leaf.phys(left) + leaf.len(left) == pblk && leaf.len(left) + len <= cap) {
      leaf.setExtent(left, leaf.key(left), leaf.phys(left), leaf.len(left) + len, unwritten);
      leaf.save();
      return;
    }
    if (pos < leaf.entries() && leaf.uninit(pos) == unwritten && lblk + len == leaf.key(pos)
        && pblk + len == leaf.phys(pos) && leaf.len(pos) + len <= cap) {
      leaf.setExtent(pos, lblk, pblk, leaf.len(pos) + len, unwritten);
      leaf.save();
      if (pos == 0) {
        fixKeys(p, p.nodes.size() - 1);
      }
      return;
    }
    byte[] entry = new byte[12];
    ByteBuffer e = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
    e.putInt(0, (int) lblk);
    e.putShort(4, (short) (unwritten ? len + MAX_INIT : len));
    e.putShort(6, (short) (pblk >>> 32));
    e.putInt(8, (int) pblk);
    if (!leaf.root() && leaf.entries() >= leaf.max() && (pos < leaf.entries() || next >= 0)) {
      // a full leaf inside the tree: splitting would leave half-empty leaves that e2fsck calls
      // loose, so one entry moves to a sibling with room, or the tree is repacked
      if (!shiftIntoSibling(p, pos, entry)) {
        rebuild(new long[] {lblk, pblk, len | (unwritten ? 0x10000L : 0)});
      }
      return;
    }
    // take every block the splits need before changing anything, so running out of space
    // leaves the tree as it was
    int needed = 0;
    for (int level = p.nodes.size() - 1; level >= 0; level--) {
      Node n = p.nodes.get(level);
      if (n.entries() < n.max()) {
        break;
      }
      needed++;
      if (n.root()) {
        break;
      }
    }
    reserve(needed, pblk);
    try {
      insertEntry(p, p.nodes.size() - 1, pos, entry, pblk);
    } finally {
      releaseReserve();
    }
  }

  private final java.util.ArrayDeque<Long> reserved = new java.util.ArrayDeque<>();

  private void reserve(int count, long goal) throws IOException {
    try {
      for (int i = 0; i < count; i++) {
        long b = w.allocateBlocks(goal > 0 ? goal : 0, 1).start();
        inode.addBlocks(1);
        reserved.add(b);
        goal = b + 1;
      }
    } catch (IOException | RuntimeException e) {
      releaseReserve();
      throw e;
    }
  }

  private void releaseReserve() throws IOException {
    while (!reserved.isEmpty()) {
      freer.free(reserved.poll(), 1);
      inode.addBlocks(-1);
    }
  }

  /**
   * Puts an entry (extent or index) at {@code pos} in the node at {@code level} of the path,
   * splitting the node (and its ancestors) or growing the root when it is full.
   */
  private void insertEntry(Path p, int level, int pos, byte[] entry, long goal)
      throws IOException {
    Node n = p.nodes.get(level);
    if (n.entries() < n.max()) {
      n.shiftRight(pos);
      System.arraycopy(entry, 0, n.data, n.at(pos), 12);
      n.save();
      if (pos == 0) {
        fixKeys(p, level);
      }
      return;
    }
    reshaped = true;
    if (n.root()) {
      Node moved = growRoot(n, goal);
      moved.shiftRight(pos);
      System.arraycopy(entry, 0, moved.data, moved.at(pos), 12);
      moved.save();
      n.setKey(0, moved.key(0));
      return;
    }
    // split: the new right sibling takes the upper half, or only the new entry when appending
    Node right = newNode(n.depth(), goal);
    int total = n.entries();
    int keep = pos == total ? total : total / 2;
    int moveCount = total - keep;
    System.arraycopy(n.data, n.at(keep), right.data, right.at(0), 12 * moveCount);
    java.util.Arrays.fill(n.data, n.at(keep), n.at(total), (byte) 0);
    n.setEntries(keep);
    right.setEntries(moveCount);
    Node target = pos <= keep && pos < total ? n : right;
    int tpos = target == n ? pos : pos - keep;
    target.shiftRight(tpos);
    System.arraycopy(entry, 0, target.data, target.at(tpos), 12);
    n.save();
    right.save();
    if (target == n && tpos == 0) {
      fixKeys(p, level);
    }
    byte[] idx = new byte[12];
    ByteBuffer ib = ByteBuffer.wrap(idx).order(ByteOrder.LITTLE_ENDIAN);
    ib.putInt(0, (int) right.key(0));
    ib.putInt(4, (int) right.block);
    ib.putShort(8, (short) (right.block >>> 32));
    insertEntry(p, level - 1, p.idx.get(level - 1) + 1, idx, right.block + 1);
  }

  /**
   * Makes room in the path's full leaf by moving one entry to the sibling on the right or on
   * the left (under the same parent) when that sibling has a free slot, then puts the new entry
   * in order.
   *
   * @return whether it worked (false: both siblings are full or missing)
   */
  private boolean shiftIntoSibling(Path p, int pos, byte[] entry) throws IOException {
    int level = p.nodes.size() - 1;
    Node leaf = p.leaf();
    Node parent = p.nodes.get(level - 1);
    int i = p.idx.get(level - 1);
    int n = leaf.entries();
    if (i + 1 < parent.entries()) {
      Node right = child(parent, i + 1);
      if (right.entries() < right.max()) {
        right.shiftRight(0);
        if (pos == n) {
          System.arraycopy(entry, 0, right.data, right.at(0), 12);
        } else {
          System.arraycopy(leaf.data, leaf.at(n - 1), right.data, right.at(0), 12);
          leaf.remove(n - 1);
          leaf.shiftRight(pos);
          System.arraycopy(entry, 0, leaf.data, leaf.at(pos), 12);
        }
        parent.setKey(i + 1, right.key(0));
        right.save();
        leaf.save();
        parent.save();
        if (pos == 0) {
          fixKeys(p, level);
        }
        return true;
      }
    }
    if (i > 0) {
      Node left = child(parent, i - 1);
      int ln = left.entries();
      if (ln < left.max()) {
        left.setEntries(ln + 1);
        if (pos == 0) {
          System.arraycopy(entry, 0, left.data, left.at(ln), 12);
        } else {
          System.arraycopy(leaf.data, leaf.at(0), left.data, left.at(ln), 12);
          leaf.remove(0);
          leaf.shiftRight(pos - 1);
          System.arraycopy(entry, 0, leaf.data, leaf.at(pos - 1), 12);
          parent.setKey(i, leaf.key(0));
        }
        left.save();
        leaf.save();
        parent.save();
        return true;
      }
    }
    return false;
  }

  /** After the first key of the node at {@code level} changed: the keys above follow it. */
  private void fixKeys(Path p, int level) {
    for (int l = level - 1; l >= 0; l--) {
      Node parent = p.nodes.get(l);
      Node childNode = p.nodes.get(l + 1);
      int i = p.idx.get(l);
      if (parent.key(i) == childNode.key(0)) {
        return;
      }
      parent.setKey(i, childNode.key(0));
      parent.save();
      if (i != 0) {
        return;
      }
    }
  }

  private Node newNode(int depth, long goal) throws IOException {
    long blk;
    if (!reserved.isEmpty()) {
      blk = reserved.poll();
    } else {
      blk = w.allocateBlocks(goal > 0 ? goal : 0, 1).start();
      inode.addBlocks(1);
    }
    byte[] data = w.newMetaBlock(blk);
    Node n = new Node(blk, data, 0);
    n.b.putShort(0, (short) ExtentHeader.MAGIC);
    n.b.putShort(4, (short) blockMax);
    n.setDepth(depth);
    return n;
  }

  /** Moves the root's entries into a new block; the root becomes an index over it. */
  private Node growRoot(Node root, long goal) throws IOException {
    if (root.depth() >= ExtentHeader.MAX_DEPTH) {
      throw new IOException(w.source() + ": inode " + inode.ino()
          + ": extent tree would exceed depth " + ExtentHeader.MAX_DEPTH);
    }
    Node moved = newNode(root.depth(), goal);
    int n = root.entries();
    System.arraycopy(root.data, root.at(0), moved.data, moved.at(0), 12 * n);
    moved.setEntries(n);
    moved.save();
    java.util.Arrays.fill(root.data, root.at(0), root.at(ROOT_MAX), (byte) 0);
    root.b.putShort(root.base + 4, (short) ROOT_MAX);
    root.setDepth(root.depth() + 1);
    root.setEntries(1);
    root.setIndex(0, moved.key(0), moved.block);
    return moved;
  }

  @Override
  public void markInitialized(long logical, long length) throws IOException {
    reshaped = false;
    convert(logical, length);
    if (reshaped) {
      compactIfLoose();
    }
  }

  private void convert(long logical, long length) throws IOException {
    Path p = path(logical);
    Node leaf = p.leaf();
    int i = floor(leaf, logical);
    if (i < 0 || !leaf.uninit(i) || leaf.key(i) + leaf.len(i) < logical + length) {
      throw new IllegalArgumentException("blocks " + logical + "+" + length
          + " are not inside one unwritten extent");
    }
    long s = leaf.key(i);
    long ph = leaf.phys(i);
    int len = leaf.len(i);
    int k = (int) length;
    if (logical == s) {
      leaf.setExtent(i, s, ph, k, false);
      leaf.save();
      if (k < len) {
        insert(s + k, ph + k, len - k, true);
      }
      return;
    }
    int head = (int) (logical - s);
    leaf.setExtent(i, s, ph, head, true);
    leaf.save();
    insert(logical, ph + head, k, false);
    if (head + k < len) {
      insert(logical + k, ph + head + k, len - head - k, true);
    }
  }

  /**
   * Whether e2fsck would call the tree loose: at some level the free entry slots add up to
   * more than one block's worth ("could be narrower"), or a level's entries would fit in the
   * capacity of a level above it ("could be shorter").
   */
  private boolean loose() throws IOException {
    Node root = root();
    int depth = root.depth();
    if (depth == 0) {
      return false;
    }
    long[] entries = new long[depth + 1];
    long[] max = new long[depth + 1];
    count(root, 0, entries, max);
    for (int i = 0; i <= depth; i++) {
      if (max[i] - entries[i] > blockMax) {
        return true;
      }
      for (int j = 0; j < i; j++) {
        if (entries[i] < max[j]) {
          return true;
        }
      }
    }
    return false;
  }

  private void count(Node n, int level, long[] entries, long[] max) throws IOException {
    if (level >= entries.length) {
      throw new CorruptStructureException(w.source(), -1, "extent tree",
          "inode " + inode.ino() + ": deeper than its root says");
    }
    entries[level] += n.entries();
    max[level] += n.max();
    if (n.depth() > 0) {
      for (int i = 0; i < n.entries(); i++) {
        count(child(n, i), level + 1, entries, max);
      }
    }
  }

  /** Repacks the tree into full nodes when e2fsck would find it loose. */
  private void compactIfLoose() throws IOException {
    if (loose()) {
      try {
        rebuild(null);
      } catch (IOException e) {
        // no room for a repack: the tree stays valid, only looser than e2fsck likes
        LOG.warn("{}: inode {}: extent tree not repacked: {}", w.source(), inode.ino(),
            e.getMessage());
      }
    }
  }

  /**
   * Rewrites the whole tree packed: full leaves and index nodes (the last of each level takes
   * the rest), as shallow as the extents allow. Reuses the tree's blocks, allocating or freeing
   * the difference.
   *
   * @param extra an extent to add ({key, physical, length | 0x10000 when unwritten}), or null
   */
  private void rebuild(long[] extra) throws IOException {
    Node root = root();
    List<long[]> extents = new ArrayList<>();
    List<Long> blocks = new ArrayList<>();
    collect(root, 0, extents, blocks);
    if (extra != null) {
      int at = 0;
      while (at < extents.size() && extents.get(at)[0] < extra[0]) {
        at++;
      }
      extents.add(at, extra);
    }
    java.util.Collections.sort(blocks);
    // the shape: nodes per level from the leaves up until the root (4 entries) holds a level
    List<Integer> levels = new ArrayList<>();
    long count = extents.size();
    while (count > ROOT_MAX) {
      long nodes = (count + blockMax - 1) / blockMax;
      levels.add((int) nodes);
      count = nodes;
    }
    int needed = 0;
    for (int n : levels) {
      needed += n;
    }
    long goal = blocks.isEmpty() ? -1 : blocks.get(blocks.size() - 1) + 1;
    if (blocks.size() < needed) {
      reserve(needed - blocks.size(), goal);
      blocks.addAll(reserved);
      reserved.clear();
    }
    while (blocks.size() > needed) {
      long b = blocks.remove(blocks.size() - 1);
      freer.free(b, 1);
      inode.addBlocks(-1);
    }
    // entries of the level being built: {key, value, len|uninit} (extents first)
    List<long[]> cur = extents;
    int next = 0;
    for (int depth = 0; depth < levels.size(); depth++) {
      List<long[]> up = new ArrayList<>();
      int nodes = levels.get(depth);
      for (int k = 0; k < nodes; k++) {
        long blk = blocks.get(next++);
        byte[] data = w.newMetaBlock(blk);
        Node n = new Node(blk, data, 0);
        n.b.putShort(0, (short) ExtentHeader.MAGIC);
        n.b.putShort(4, (short) blockMax);
        n.setDepth(depth);
        int from = k * blockMax;
        int to = Math.min(cur.size(), from + blockMax);
        for (int e = from; e < to; e++) {
          put(n, e - from, cur.get(e), depth);
        }
        n.setEntries(to - from);
        n.save();
        up.add(new long[] {cur.get(from)[0], blk, 0});
      }
      cur = up;
    }
    java.util.Arrays.fill(root.data, root.at(0), root.at(ROOT_MAX), (byte) 0);
    root.b.putShort(root.base + 4, (short) ROOT_MAX);
    root.setDepth(levels.size());
    for (int e = 0; e < cur.size(); e++) {
      put(root, e, cur.get(e), levels.size());
    }
    root.setEntries(cur.size());
    LOG.debug("{}: inode {}: extent tree repacked ({} extents, depth {})", w.source(),
        inode.ino(), extents.size(), levels.size());
  }

  private static void put(Node n, int i, long[] e, int depth) {
    if (depth == 0) {
      n.setExtent(i, e[0], e[1], (int) (e[2] & 0xFFFF), e[2] > 0xFFFF);
    } else {
      n.setIndex(i, e[0], e[1]);
    }
  }

  private void collect(Node n, int level, List<long[]> extents, List<Long> blocks)
      throws IOException {
    if (level > ExtentHeader.MAX_DEPTH) {
      throw new CorruptStructureException(w.source(), -1, "extent tree",
          "inode " + inode.ino() + ": deeper than " + ExtentHeader.MAX_DEPTH);
    }
    for (int i = 0; i < n.entries(); i++) {
      if (n.depth() == 0) {
        extents.add(new long[] {n.key(i), n.phys(i), n.len(i) | (n.uninit(i) ? 0x10000L : 0)});
      } else {
        Node c = child(n, i);
        blocks.add(c.block);
        collect(c, level + 1, extents, blocks);
      }
    }
  }

  /**
   * Bigalloc: how many clusters the tree occupies: those holding its tree blocks and those its
   * extents touch, each counted once.
   *
   * @param ratio blocks per cluster
   * @return the number of distinct clusters
   * @throws IOException on a corrupt tree or an I/O error
   */
  long clustersInUse(int ratio) throws IOException {
    List<long[]> extents = new ArrayList<>();
    List<Long> blocks = new ArrayList<>();
    collect(root(), 0, extents, blocks);
    long[][] ranges = new long[extents.size() + blocks.size()][];
    int k = 0;
    for (long[] e : extents) {
      long len = e[2] & 0xFFFF;
      ranges[k++] = new long[] {e[1] / ratio, (e[1] + len - 1) / ratio};
    }
    for (long b : blocks) {
      ranges[k++] = new long[] {b / ratio, b / ratio};
    }
    java.util.Arrays.sort(ranges, (x, y) -> Long.compare(x[0], y[0]));
    long total = 0;
    long curStart = -1;
    long curEnd = -2;
    for (long[] r : ranges) {
      if (r[0] > curEnd) {
        total += curEnd - curStart + 1;
        curStart = r[0];
        curEnd = r[1];
      } else {
        curEnd = Math.max(curEnd, r[1]);
      }
    }
    total += curEnd - curStart + 1;
    return total;
  }

  @Override
  public void truncate(long from) throws IOException {
    Node root = root();
    truncate(root, from, 0);
    if (root.entries() == 0 && root.depth() > 0) {
      root.setDepth(0);
    }
    // pull a lone child back into the root while it fits
    for (int guard = 0; guard < ExtentHeader.MAX_DEPTH && root.depth() > 0
        && root.entries() == 1; guard++) {
      Node c = child(root, 0);
      if (c.entries() > ROOT_MAX) {
        break;
      }
      int n = c.entries();
      java.util.Arrays.fill(root.data, root.at(0), root.at(ROOT_MAX), (byte) 0);
      System.arraycopy(c.data, c.at(0), root.data, root.at(0), 12 * n);
      root.setEntries(n);
      root.setDepth(c.depth());
      freer.free(c.block, 1);
      inode.addBlocks(-1);
    }
    compactIfLoose();
  }

  /** Frees what the node maps at or after {@code from}; returns the entries left. */
  private int truncate(Node n, long from, int level) throws IOException {
    if (level > ExtentHeader.MAX_DEPTH) {
      throw new CorruptStructureException(w.source(), -1, "extent tree",
          "inode " + inode.ino() + ": deeper than " + ExtentHeader.MAX_DEPTH);
    }
    boolean changed = false;
    if (n.depth() == 0) {
      for (int i = n.entries() - 1; i >= 0; i--) {
        long key = n.key(i);
        int len = n.len(i);
        if (key >= from) {
          freer.free(n.phys(i), len);
          inode.addBlocks(-len);
          n.remove(i);
          changed = true;
        } else if (key + len > from) {
          int keep = (int) (from - key);
          freer.free(n.phys(i) + keep, len - keep);
          inode.addBlocks(-(len - keep));
          n.setExtent(i, key, n.phys(i), keep, n.uninit(i));
          changed = true;
          break;
        } else {
          break;
        }
      }
    } else {
      for (int i = n.entries() - 1; i >= 0; i--) {
        Node c = child(n, i);
        boolean whole = n.key(i) >= from;
        int left = whole ? freeSubtree(c, level + 1) : truncate(c, from, level + 1);
        if (whole || left == 0) {
          freer.free(c.block, 1);
          inode.addBlocks(-1);
          n.remove(i);
          changed = true;
        } else {
          break;
        }
      }
    }
    if (changed) {
      n.save();
    }
    return n.entries();
  }

  private int freeSubtree(Node n, int level) throws IOException {
    if (level > ExtentHeader.MAX_DEPTH) {
      throw new CorruptStructureException(w.source(), -1, "extent tree",
          "inode " + inode.ino() + ": deeper than " + ExtentHeader.MAX_DEPTH);
    }
    for (int i = 0; i < n.entries(); i++) {
      if (n.depth() == 0) {
        freer.free(n.phys(i), n.len(i));
        inode.addBlocks(-n.len(i));
      } else {
        Node c = child(n, i);
        freeSubtree(c, level + 1);
        freer.free(c.block, 1);
        inode.addBlocks(-1);
      }
    }
    return 0;
  }
}
