package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsafeToWriteException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edits hashed (htree, {@code dir_index}) directories as the kernel lays them out: block 0 is the
 * {@code dx_root} (fake {@code .} and {@code ..} entries, {@code dx_root_info}, then
 * {@code dx_countlimit} and the sorted {@code dx_entry} array), interior {@code dx_node} blocks
 * (one empty record covering the block, then the count/limit and entries), and leaf blocks of
 * ordinary entries. Index blocks end in a {@code dx_tail} checksum under metadata_csum. Adding a
 * name to a full leaf splits it by hash (the upper half moves to a new block, whose index entry
 * goes in sorted order, with the continuation bit when equal hashes straddle the split); a full
 * index node splits in two; a full root grows the tree by a level (a third level only with
 * {@code large_dir}). Removing a name only removes its entry.
 */
final class HtreeEditor {
  private static final Logger LOG = LoggerFactory.getLogger(HtreeEditor.class);
  private static final int ROOT_INFO = 0x18;
  private static final int ROOT_COUNT = 0x20;
  private static final int NODE_COUNT = 0x8;

  private final Ext4Writer w;
  private final Directories dirs;
  private final Superblock sb;
  private final int bs;
  private final boolean csum;

  /** Where an entry was found: the leaf's logical block, the record, the record before it. */
  record Hit(long logical, int pos, int prev, byte[] bytes) {}

  /** One index block on the path to a leaf: which entry the path follows. */
  private static final class Frame {
    final long logical;
    final int countOff;
    byte[] bytes;
    int at;

    Frame(long logical, byte[] bytes, int countOff, int at) {
      this.logical = logical;
      this.bytes = bytes;
      this.countOff = countOff;
      this.at = at;
    }
  }

  /** One live entry of a leaf being split. */
  private record Ent(int hash, long ino, int type, byte[] name) {}

  HtreeEditor(Ext4Writer w, Directories dirs) {
    this.w = w;
    this.dirs = dirs;
    this.sb = w.superblock();
    this.bs = w.blockSize();
    this.csum = sb.metadataCsum();
  }

  private static ByteBuffer le(byte[] b) {
    return Directories.le(b);
  }

  int rootLimit() {
    return (bs - ROOT_COUNT - (csum ? 8 : 0)) / 8;
  }

  int nodeLimit() {
    return (bs - NODE_COUNT - (csum ? 8 : 0)) / 8;
  }

  /** The largest {@code indirect_levels} plus one. */
  private int maxLevels() {
    return sb.hasIncompat(Superblock.INCOMPAT_LARGEDIR) ? 3 : 2;
  }

  private static int limit(byte[] b, int co) {
    return le(b).getShort(co) & 0xFFFF;
  }

  private static int count(byte[] b, int co) {
    return le(b).getShort(co + 2) & 0xFFFF;
  }

  private static int hashAt(byte[] b, int co, int i) {
    return le(b).getInt(co + 8 * i);
  }

  private static long blockAt(byte[] b, int co, int i) {
    return le(b).getInt(co + 8 * i + 4) & 0x0FFFFFFFL;
  }

  private int hashVersion(byte[] root) {
    int v = root[ROOT_INFO + 4] & 0xFF;
    if (v <= DirHash.TEA && (sb.flags & 0x2) != 0) {
      v += 3;
    }
    return v;
  }

  private int hashOf(byte[] root, byte[] name) {
    return DirHash.hash(hashVersion(root), name, sb.hashSeed);
  }

  private CorruptStructureException corrupt(Directories.DirBlocks d, String what) {
    return new CorruptStructureException(w.source(), -1, "htree",
        "htree of directory " + d.dir.ino() + ": " + what);
  }

  /** Refreshes an index block's {@code dx_tail} checksum. */
  void sealIndex(MutableInode dir, byte[] b, int co) {
    if (!csum) {
      return;
    }
    int lim = limit(b, co);
    int cnt = count(b, co);
    int tail = co + 8 * lim;
    if (tail + 8 > b.length) {
      return;
    }
    int crc = Crc32c.update(dir.checksumSeed(), b, 0, co + 8 * cnt);
    crc = Crc32c.update(crc, b, tail, 4);
    crc = Crc32c.updateZeros(crc, 4);
    le(b).putInt(tail + 4, crc);
  }

  /** Refreshes the root's checksum (after {@code ..} changed). */
  void sealRoot(MutableInode dir, byte[] root) {
    sealIndex(dir, root, ROOT_COUNT);
  }

  private void verifyIndex(Directories.DirBlocks d, byte[] b, int co, long l)
      throws CorruptStructureException {
    if (!csum) {
      return;
    }
    int lim = limit(b, co);
    int tail = co + 8 * lim;
    if (tail + 8 > b.length) {
      throw corrupt(d, "index block " + l + " has no room for its checksum tail");
    }
    int crc = Crc32c.update(d.dir.checksumSeed(), b, 0, co + 8 * count(b, co));
    crc = Crc32c.update(crc, b, tail, 4);
    crc = Crc32c.updateZeros(crc, 4);
    if (crc != le(b).getInt(tail + 4)) {
      throw corrupt(d, String.format("index block %d: dt_checksum 0x%08x does not match the "
          + "computed 0x%08x", l, le(b).getInt(tail + 4), crc));
    }
  }

  private int levels(Directories.DirBlocks d, byte[] root) throws IOException {
    ByteBuffer r = le(root);
    int version = root[ROOT_INFO + 4] & 0xFF;
    int infoLen = root[ROOT_INFO + 5] & 0xFF;
    int levels = root[ROOT_INFO + 6] & 0xFF;
    if (dirs.dotDotPos(root, d.dir) != 12 || r.getInt(ROOT_INFO) != 0 || infoLen != 8) {
      throw corrupt(d, "dx_root is malformed (reserved 0x" + Integer.toHexString(
          r.getInt(ROOT_INFO)) + ", info length " + infoLen + ")");
    }
    if (version > DirHash.TEA) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, w.source()
          + ": directory " + d.dir.ino() + " uses htree hash version " + version
          + "; not written in this version");
    }
    if (levels >= maxLevels()) {
      throw corrupt(d, "indirect levels " + levels + " exceed " + (maxLevels() - 1));
    }
    return levels;
  }

  /** Walks from the root to the leaf whose hash range holds {@code hash}. */
  private List<Frame> probe(Directories.DirBlocks d, int hash) throws IOException {
    byte[] root = d.block(0);
    int levels = levels(d, root);
    List<Frame> frames = new ArrayList<>(levels + 1);
    byte[] node = root;
    int co = ROOT_COUNT;
    long l = 0;
    for (int level = 0; ; level++) {
      int lim = limit(node, co);
      int cnt = count(node, co);
      int want = level == 0 ? rootLimit() : nodeLimit();
      if (lim != want || cnt == 0 || cnt > lim) {
        throw corrupt(d, "index block " + l + " has count " + cnt + " / limit " + lim
            + " (limit " + want + " expected)");
      }
      verifyIndex(d, node, co, l);
      int lo = 1;
      int hi = cnt - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (Integer.compareUnsigned(hashAt(node, co, mid), hash) > 0) {
          hi = mid - 1;
        } else {
          lo = mid + 1;
        }
      }
      int at = lo - 1;
      frames.add(new Frame(l, node, co, at));
      long child = blockAt(node, co, at);
      if (child == 0 || child >= d.count()) {
        throw corrupt(d, "index block " + l + " points at block " + child
            + " outside the directory");
      }
      if (level == levels) {
        return frames;
      }
      node = d.block(child);
      l = child;
      co = NODE_COUNT;
      if (!dirs.isIndexNode(node)) {
        throw corrupt(d, "block " + child + " is not an index node");
      }
    }
  }

  /** Moves the path to the next leaf if it continues the run of {@code hash}. */
  private boolean nextLeaf(Directories.DirBlocks d, List<Frame> frames, int hash)
      throws IOException {
    int k = frames.size() - 1;
    while (frames.get(k).at + 1 >= count(frames.get(k).bytes, frames.get(k).countOff)) {
      if (k == 0) {
        return false;
      }
      k--;
    }
    Frame f = frames.get(k);
    f.at++;
    int h = hashAt(f.bytes, f.countOff, f.at);
    if ((h & 1) == 0 || (h & ~1) != hash) {
      return false;
    }
    for (int j = k + 1; j < frames.size(); j++) {
      Frame up = frames.get(j - 1);
      long child = blockAt(up.bytes, up.countOff, up.at);
      if (child == 0 || child >= d.count()) {
        throw corrupt(d, "index block " + up.logical + " points at block " + child
            + " outside the directory");
      }
      byte[] node = d.block(child);
      if (!dirs.isIndexNode(node)) {
        throw corrupt(d, "block " + child + " is not an index node");
      }
      frames.set(j, new Frame(child, node, NODE_COUNT, 0));
    }
    return true;
  }

  /**
   * Finds a name: the leaf its hash selects, then the leaves continuing the same hash.
   *
   * @return the hit, or null when absent
   */
  Hit find(Directories.DirBlocks d, byte[] name) throws IOException {
    byte[] root = d.block(0);
    levels(d, root);
    int hash = hashOf(root, name);
    List<Frame> frames = probe(d, hash);
    for (long guard = 0; guard <= d.count(); guard++) {
      Frame f = frames.get(frames.size() - 1);
      long leafL = blockAt(f.bytes, f.countOff, f.at);
      if (leafL == 0 || leafL >= d.count()) {
        throw corrupt(d, "an index entry points at block " + leafL);
      }
      byte[] leaf = d.block(leafL);
      int[] prev = {-1};
      int pos = dirs.findIn(leaf, 0, dirs.end(leaf), name, null, d.dir, leafL, prev);
      if (pos >= 0) {
        return new Hit(leafL, pos, prev[0], leaf);
      }
      if (!nextLeaf(d, frames, hash)) {
        return null;
      }
    }
    throw corrupt(d, "the hash collision chain does not end");
  }

  /** Adds a name (not present yet) to an htree directory. */
  void add(Directories.DirBlocks d, byte[] name, long ino, int type) throws IOException {
    if (find(d, name) != null) {
      throw new FileAlreadyExistsException(new String(name,
          java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] root = d.block(0);
    int hash = hashOf(root, name);
    List<Frame> frames = probe(d, hash);
    Frame f = frames.get(frames.size() - 1);
    long leafL = blockAt(f.bytes, f.countOff, f.at);
    byte[] leaf = d.block(leafL);
    int[] slot = {-1};
    dirs.findIn(leaf, 0, dirs.end(leaf), name, slot, d.dir, leafL);
    if (slot[0] >= 0) {
      leaf = d.blockForWrite(leafL);
      dirs.insertAt(leaf, slot[0], name, ino, type);
      dirs.seal(d.dir, leaf);
      return;
    }
    int need = checkIndexRoom(d, frames, levels(d, root));
    ensureFree(d, need);
    splitAndAdd(d, frames, leafL, root, name, ino, type, hash);
  }

  /**
   * Refuses, before anything changes, an insertion the index cannot take.
   *
   * @return how many new blocks a leaf split needs (the leaf, and one per full index block)
   */
  private int checkIndexRoom(Directories.DirBlocks d, List<Frame> frames, int levels)
      throws IOException {
    int need = 1;
    for (int k = frames.size() - 1; k >= 0; k--) {
      Frame f = frames.get(k);
      if (count(f.bytes, f.countOff) < limit(f.bytes, f.countOff)) {
        return need;
      }
      need++;
    }
    if (levels + 1 >= maxLevels()) {
      throw new IOException(w.source() + ": the htree index of directory " + d.dir.ino()
          + " is full (" + (levels + 1) + " index levels"
          + (sb.hasIncompat(Superblock.INCOMPAT_LARGEDIR) ? ""
              : "; a third level needs the large_dir feature") + ")");
    }
    return need;
  }

  /**
   * Refuses, before anything changes, a split when the file system has fewer free blocks than
   * it needs (with room for the directory's extent tree to grow), so a split never stops half
   * way for want of space.
   */
  private void ensureFree(Directories.DirBlocks d, int blocks) throws IOException {
    long free = w.freeBlocks();
    if (free < (blocks + 6L) * w.clusterRatio()) {
      throw new IOException(w.source() + ": no space left on the file system for directory "
          + d.dir.ino() + " to grow (" + free + " blocks free)");
    }
  }

  private void splitAndAdd(Directories.DirBlocks d, List<Frame> frames, long leafL, byte[] root,
      byte[] name, long ino, int type, int hash) throws IOException {
    byte[] leaf = d.block(leafL);
    List<Ent> ents = new ArrayList<>();
    int end = dirs.end(leaf);
    int pos = 0;
    int guard = 0;
    while (pos < end && guard++ < 65536) {
      dirs.checkRecord(leaf, pos, end, d.dir, leafL);
      long e = le(leaf).getInt(pos) & 0xFFFFFFFFL;
      int nl = dirs.nameLen(leaf, pos);
      if (e != 0) {
        byte[] n = Arrays.copyOfRange(leaf, pos + 8, pos + 8 + nl);
        ents.add(new Ent(hashOf(root, n), e, leaf[pos + 7] & 0xFF, n));
      }
      pos += dirs.recLen(leaf, pos);
    }
    ents.add(new Ent(hash, ino, type, name));
    ents.sort((a, b) -> Integer.compareUnsigned(a.hash(), b.hash()));
    int n = ents.size();
    int total = 0;
    for (Ent e : ents) {
      total += Directories.recSize(e.name().length);
    }
    int move = 0;
    int moved = 0;
    for (int i = n - 1; i > 0; i--) {
      int size = Directories.recSize(ents.get(i).name().length);
      if (moved + size / 2 > total / 2) {
        break;
      }
      moved += size;
      move++;
    }
    int split = Math.max(1, Math.min(n - 1, n - Math.max(1, move)));
    int cap = dirs.leafEnd();
    int lower = 0;
    for (int i = 0; i < split; i++) {
      lower += Directories.recSize(ents.get(i).name().length);
    }
    if (lower > cap || total - lower > cap) {
      throw new IOException(w.source() + ": directory " + d.dir.ino()
          + ": a leaf split does not fit (" + lower + " + " + (total - lower) + " bytes)");
    }
    int hash2 = ents.get(split).hash();
    boolean continued = ents.get(split - 1).hash() == hash2;
    long newL = d.count();
    byte[] nb = d.append();
    writeLeaf(d.dir, nb, ents.subList(split, n));
    byte[] old = d.blockForWrite(leafL);
    writeLeaf(d.dir, old, ents.subList(0, split));
    insertIndex(d, frames, frames.size() - 1, frames.get(frames.size() - 1).at + 1,
        hash2 | (continued ? 1 : 0), newL);
    LOG.debug("{}: htree directory {}: leaf {} split at hash 0x{} into new block {}",
        w.source(), d.dir.ino(), leafL, Integer.toHexString(hash2), newL);
  }

  private void writeLeaf(MutableInode dir, byte[] b, List<Ent> ents) {
    int end = dirs.leafEnd();
    Arrays.fill(b, 0, b.length, (byte) 0);
    int pos = 0;
    for (int i = 0; i < ents.size(); i++) {
      Ent e = ents.get(i);
      int rec = i == ents.size() - 1 ? end - pos : Directories.recSize(e.name().length);
      dirs.putEntry(b, pos, e.ino(), rec, e.name(), e.type());
      pos += rec;
    }
    if (ents.isEmpty()) {
      dirs.putRecLen(b, 0, end);
    }
    dirs.initTail(b);
    dirs.seal(dir, b);
  }

  private void initNode(byte[] b) {
    le(b).putInt(0, 0);
    dirs.putRecLen(b, 0, bs);
    b[6] = 0;
    b[7] = 0;
  }

  /** Inserts (hash, block) at position {@code pos} of index block {@code frames[k]}. */
  private void insertIndex(Directories.DirBlocks d, List<Frame> frames, int k, int pos, int hash,
      long block) throws IOException {
    Frame f = frames.get(k);
    byte[] b = d.blockForWrite(f.logical);
    f.bytes = b;
    int co = f.countOff;
    int cnt = count(b, co);
    int lim = limit(b, co);
    if (cnt < lim) {
      putIndexEntry(b, co, cnt, pos, hash, block);
      sealIndex(d.dir, b, co);
      return;
    }
    if (k == 0) {
      int levels = b[ROOT_INFO + 6] & 0xFF;
      if (levels + 1 >= maxLevels()) {
        throw new IOException(w.source() + ": the htree index of directory " + d.dir.ino()
            + " is full");
      }
      long nl = d.count();
      byte[] nb = d.append();
      initNode(nb);
      System.arraycopy(b, co, nb, NODE_COUNT, 8 * cnt);
      le(nb).putShort(NODE_COUNT, (short) nodeLimit());
      le(nb).putShort(NODE_COUNT + 2, (short) cnt);
      b = d.blockForWrite(0);
      f.bytes = b;
      Arrays.fill(b, co + 8, b.length, (byte) 0);
      le(b).putShort(co + 2, (short) 1);
      le(b).putInt(co + 4, (int) nl);
      b[ROOT_INFO + 6] = (byte) (levels + 1);
      Frame node = new Frame(nl, nb, NODE_COUNT, f.at);
      f.at = 0;
      frames.add(1, node);
      sealIndex(d.dir, b, co);
      LOG.debug("{}: htree directory {} grew to {} index levels", w.source(), d.dir.ino(),
          levels + 2);
      insertIndex(d, frames, 1, pos, hash, block);
      return;
    }
    int n1 = cnt / 2;
    int n2 = cnt - n1;
    int splitHash = hashAt(b, co, n1);
    long nl = d.count();
    byte[] nb = d.append();
    initNode(nb);
    b = d.blockForWrite(f.logical);
    f.bytes = b;
    System.arraycopy(b, co + 8 * n1, nb, NODE_COUNT, 8 * n2);
    le(nb).putShort(NODE_COUNT, (short) nodeLimit());
    le(nb).putShort(NODE_COUNT + 2, (short) n2);
    Arrays.fill(b, co + 8 * n1, co + 8 * cnt, (byte) 0);
    le(b).putShort(co + 2, (short) n1);
    Frame parent = frames.get(k - 1);
    insertIndex(d, frames, k - 1, parent.at + 1, splitHash, nl);
    b = d.blockForWrite(f.logical);
    nb = d.blockForWrite(nl);
    if (pos > n1) {
      putIndexEntry(nb, NODE_COUNT, n2, pos - n1, hash, block);
    } else {
      putIndexEntry(b, co, n1, pos, hash, block);
    }
    sealIndex(d.dir, b, co);
    sealIndex(d.dir, nb, NODE_COUNT);
  }

  private static void putIndexEntry(byte[] b, int co, int cnt, int pos, int hash, long block) {
    if (pos < 1 || pos > cnt) {
      throw new IllegalStateException("index position " + pos + " outside 1.." + cnt);
    }
    System.arraycopy(b, co + 8 * pos, b, co + 8 * (pos + 1), 8 * (cnt - pos));
    le(b).putInt(co + 8 * pos, hash);
    le(b).putInt(co + 8 * pos + 4, (int) block);
    le(b).putShort(co + 2, (short) (cnt + 1));
  }

  /**
   * Turns a full one-block linear directory into an htree (as the kernel's
   * {@code make_indexed_dir}): the entries after {@code ..} move to a new block 1, block 0
   * becomes the {@code dx_root} pointing at it, then the name is added (splitting block 1).
   */
  void convertAndAdd(Directories.DirBlocks d, byte[] name, long ino, int type)
      throws IOException {
    if (sb.defHashVersion > DirHash.TEA) {
      throw new UnsafeToWriteException(null, Reason.UNSUPPORTED_FEATURE, w.source()
          + ": the default htree hash version " + sb.defHashVersion
          + " is not written in this version");
    }
    ensureFree(d, 2);
    byte[] b0 = d.block(0);
    int dd = dirs.dotDotPos(b0, d.dir);
    if (dd != 12) {
      throw corrupt(d, "'.' has rec_len " + dd + ", not 12; cannot index the directory");
    }
    int end0 = dirs.end(b0);
    int pos = dd + dirs.recLen(b0, dd);
    List<Ent> ents = new ArrayList<>();
    int guard = 0;
    while (pos < end0 && guard++ < 65536) {
      dirs.checkRecord(b0, pos, end0, d.dir, 0);
      long e = le(b0).getInt(pos) & 0xFFFFFFFFL;
      int nl = dirs.nameLen(b0, pos);
      if (e != 0) {
        ents.add(new Ent(0, e, b0[pos + 7] & 0xFF, Arrays.copyOfRange(b0, pos + 8,
            pos + 8 + nl)));
      }
      pos += dirs.recLen(b0, pos);
    }
    byte[] leaf = d.append();
    writeLeaf(d.dir, leaf, ents);
    b0 = d.blockForWrite(0);
    long parent = le(b0).getInt(dd) & 0xFFFFFFFFL;
    Arrays.fill(b0, 0, b0.length, (byte) 0);
    dirs.putEntry(b0, 0, d.dir.ino(), 12, new byte[] {'.'}, Directories.FT_DIR);
    dirs.putEntry(b0, 12, parent, bs - 12, new byte[] {'.', '.'}, Directories.FT_DIR);
    b0[ROOT_INFO + 4] = (byte) sb.defHashVersion;
    b0[ROOT_INFO + 5] = 8;
    le(b0).putShort(ROOT_COUNT, (short) rootLimit());
    le(b0).putShort(ROOT_COUNT + 2, (short) 1);
    le(b0).putInt(ROOT_COUNT + 4, 1);
    sealIndex(d.dir, b0, ROOT_COUNT);
    d.dir.setFlags(d.dir.flags() | Inode.FL_INDEX);
    w.putInode(d.dir);
    LOG.debug("{}: directory {} converted to an htree", w.source(), d.dir.ino());
    int hash = hashOf(b0, name);
    splitAndAdd(d, probe(d, hash), 1, b0, name, ino, type, hash);
  }
}
