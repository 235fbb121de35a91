package dev.vdisk.ext4.internal;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.fs.DirectoryEntry;
import dev.vdisk.core.fs.FileSystemIdentity;
import dev.vdisk.core.fs.MountOptions;
import dev.vdisk.core.fs.Node;
import dev.vdisk.core.fs.NodeAttributes;
import dev.vdisk.core.fs.NodeType;
import dev.vdisk.core.fs.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted ext2/3/4 file system, read-only: the {@link Volume} the ext4 driver hands to the NIO
 * provider. Thread-safe: parsed metadata is immutable and the caches are synchronised.
 */
public final class Ext4Volume implements Volume, FileMap.Blocks {
  private static final Logger LOG = LoggerFactory.getLogger(Ext4Volume.class);
  /** The root directory's inode number. */
  public static final long ROOT_INO = 2;

  private final BlockDevice device;
  private final String source;
  private final Superblock sb;
  private final int blockSize;
  private final GroupDescriptor[] groups;
  private final NavigableMap<Long, byte[]> overlay;
  private final Map<Long, byte[]> blockCache;
  private final Map<Long, Ext4Node> nodeCache;
  private final boolean filetype;
  /** The writer whose running transaction reads see, for a writable mount; else null. */
  private volatile Ext4Writer writer;

  private Ext4Volume(BlockDevice device, Superblock sb, GroupDescriptor[] groups,
      NavigableMap<Long, byte[]> overlay, MountOptions options) {
    this.device = device;
    this.source = device.description();
    this.sb = sb;
    this.blockSize = sb.blockSize();
    this.groups = groups;
    this.overlay = overlay;
    int maxBlocks = (int) Math.max(64, Math.min(1 << 20, options.cacheBytes() / 2 / blockSize));
    this.blockCache = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
        return size() > maxBlocks;
      }
    });
    int maxNodes = (int) Math.max(1024, Math.min(1 << 18, options.cacheBytes() / 2 / 1024));
    this.nodeCache = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Ext4Node> e) {
        return size() > maxNodes;
      }
    });
    this.filetype = sb.hasIncompat(Superblock.INCOMPAT_FILETYPE);
  }

  /**
   * Reads the primary superblock.
   *
   * @param device the device
   * @return the superblock
   * @throws IOException if it is missing, corrupt or the device too small
   */
  public static Superblock readSuperblock(BlockDevice device) throws IOException {
    if (device.size() < Superblock.OFFSET + Superblock.SIZE) {
      throw new CorruptStructureException(device.description(), Superblock.OFFSET, "superblock",
          "the device is too small (" + device.size() + " bytes)");
    }
    ByteBuffer b = BlockDevices.read(device, Superblock.OFFSET, Superblock.SIZE);
    return Superblock.parse(b, device.description(), device.size());
  }

  /**
   * Mounts read-only; replays the journal into an in-memory overlay when it needs recovery.
   *
   * @param device the device
   * @param options the mount options
   * @return the volume
   * @throws IOException if a structure is corrupt or a feature unsupported
   */
  public static Ext4Volume mount(BlockDevice device, MountOptions options) throws IOException {
    Superblock sb = readSuperblock(device);
    sb.checkFeatures(device.description());
    long needed = (sb.blocksCount) * sb.blockSize();
    if (needed / sb.blockSize() != sb.blocksCount || needed > device.size()) {
      LOG.warn("{}: the file system claims {} blocks of {} bytes, more than the device's {} bytes",
          device.description(), sb.blocksCount, sb.blockSize(), device.size());
    }
    NavigableMap<Long, byte[]> overlay = new TreeMap<>();
    GroupDescriptor[] groups = readGroups(device, sb, overlay);
    Ext4Volume v = new Ext4Volume(device, sb, groups, overlay, options);
    if (sb.hasIncompat(Superblock.INCOMPAT_RECOVER)) {
      if (!sb.hasCompat(Superblock.COMPAT_HAS_JOURNAL) || sb.journalInum == 0) {
        throw new UnsupportedFeatureException(null, "needs_recovery", device.description()
            + ": the journal needs recovery but it is on an external device (s_journal_dev "
            + sb.journalDev + ")");
      }
      Map<Long, byte[]> replayed = Journal.replay(v, sb.journalInum);
      if (!replayed.isEmpty()) {
        overlay.putAll(replayed);
        LOG.info("{}: replayed {} journal blocks into memory; the image is unchanged",
            device.description(), replayed.size());
        byte[] first = overlay.get(Superblock.OFFSET / (long) sb.blockSize());
        Superblock after = sb;
        if (first != null) {
          int within = Superblock.OFFSET % sb.blockSize();
          after = Superblock.parse(ByteBuffer.wrap(first, within, Superblock.SIZE).slice(),
              device.description(), device.size());
          after.checkFeatures(device.description());
        }
        GroupDescriptor[] g2 = readGroups(device, after, overlay);
        return new Ext4Volume(device, after, g2, overlay, options);
      }
    }
    return v;
  }

  private static GroupDescriptor[] readGroups(BlockDevice device, Superblock sb,
      NavigableMap<Long, byte[]> overlay) throws IOException {
    int bs = sb.blockSize();
    int dpb = bs / sb.descSize;
    long count = sb.groupCount();
    long gdtBlocks = (count + dpb - 1) / dpb;
    if (gdtBlocks * bs > device.size()) {
      throw new CorruptStructureException(device.description(), Superblock.OFFSET, "superblock",
          count + " block groups need more descriptor blocks than the device holds");
    }
    GroupDescriptor[] out = new GroupDescriptor[(int) count];
    long adjust = (bs == 1024 && sb.firstDataBlock == 0) ? 1 : 0;
    for (long d = 0; d < gdtBlocks; d++) {
      long blk;
      if (!sb.hasIncompat(Superblock.INCOMPAT_META_BG) || d < sb.firstMetaBg) {
        blk = sb.firstDataBlock + 1 + adjust + d;
      } else {
        long g = d * dpb;
        blk = sb.firstDataBlock + g * sb.blocksPerGroup + (sb.groupHasSuper(g) ? 1 : 0)
            + (g == 0 ? adjust : 0);
      }
      if (blk >= sb.blocksCount || (blk + 1) * bs > device.size()) {
        throw new CorruptStructureException(device.description(), -1, "group descriptors",
            "descriptor block " + blk + " is outside the volume");
      }
      byte[] block = overlay.get(blk);
      if (block == null) {
        block = new byte[bs];
        device.read(blk * bs, ByteBuffer.wrap(block));
      }
      ByteBuffer bb = ByteBuffer.wrap(block);
      for (int i = 0; i < dpb && d * dpb + i < count; i++) {
        long g = d * dpb + i;
        bb.position(i * sb.descSize);
        out[(int) g] = GroupDescriptor.parse(bb, sb, g, device.description(),
            blk * bs + (long) i * sb.descSize);
      }
    }
    return out;
  }

  /** @return the superblock in effect (after journal replay) */
  public Superblock superblock() {
    return sb;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public long blocksCount() {
    return sb.blocksCount;
  }

  /** @return the number of blocks the journal replay put into the overlay */
  public int overlayBlocks() {
    return overlay.size();
  }

  /**
   * Reads one block without the overlay or cache (for the journal replay).
   *
   * @param block the block
   * @return a fresh copy
   * @throws IOException on an I/O error
   */
  byte[] rawBlock(long block) throws IOException {
    checkBlock(block);
    byte[] b = new byte[blockSize];
    device.read(block * blockSize, ByteBuffer.wrap(b));
    return b;
  }

  private void checkBlock(long block) throws CorruptStructureException {
    if (block < 0 || block >= sb.blocksCount || (block + 1) * (long) blockSize > device.size()) {
      throw new CorruptStructureException(source, -1, "block reference",
          "block " + block + " is outside the volume (" + Math.min(sb.blocksCount,
              device.size() / blockSize) + " blocks)");
    }
  }

  @Override
  public byte[] block(long block) throws IOException {
    Ext4Writer w = writer;
    if (w != null) {
      checkBlock(block);
      return w.metaBlock(block);
    }
    byte[] o = overlay.get(block);
    if (o != null) {
      return o;
    }
    byte[] c = blockCache.get(block);
    if (c != null) {
      return c;
    }
    checkBlock(block);
    byte[] b = new byte[blockSize];
    device.read(block * blockSize, ByteBuffer.wrap(b));
    blockCache.put(block, b);
    return b;
  }

  /** Reads {@code n} bytes of consecutive blocks starting at {@code block} into dst. */
  private void readBlocks(long block, int offsetInBlock, int n, ByteBuffer dst) throws IOException {
    long lastBlock = block + (offsetInBlock + (long) n - 1) / blockSize;
    checkBlock(block);
    checkBlock(lastBlock);
    if (overlay.isEmpty() || overlay.subMap(block, true, lastBlock, true).isEmpty()) {
      ByteBuffer slice = dst.slice();
      slice.limit(n);
      device.read(block * blockSize + offsetInBlock, slice);
      dst.position(dst.position() + n);
      return;
    }
    int done = 0;
    long b = block;
    int off = offsetInBlock;
    while (done < n) {
      int take = Math.min(blockSize - off, n - done);
      dst.put(block(b), off, take);
      done += take;
      b++;
      off = 0;
    }
  }

  /**
   * Makes reads see a writer's running transaction (a writable mount), and drops cached nodes and
   * blocks the writer changes. The caller serialises every call on this volume with the writer's
   * use.
   *
   * @param w the writer over the same device
   */
  void attachWriter(Ext4Writer w) {
    this.writer = w;
    blockCache.clear();
    nodeCache.clear();
    w.setChangeListener(new Ext4Writer.ChangeListener() {
      @Override
      public void blockChanged(long block) {
        blockCache.remove(block);
      }

      @Override
      public void inodeChanged(long ino) {
        nodeCache.remove(ino);
      }

      @Override
      public void reset() {
        blockCache.clear();
        nodeCache.clear();
      }
    });
  }

  /**
   * Drops a cached node (its parsed inode, block map, directory entries and attributes).
   *
   * @param ino the inode number
   */
  void forget(long ino) {
    nodeCache.remove(ino);
  }

  // ---- inodes ----

  /**
   * Reads an inode.
   *
   * @param ino the inode number
   * @return the inode
   * @throws IOException if the number is out of range or the inode is corrupt
   */
  public Inode readInode(long ino) throws IOException {
    if (ino < 1 || ino > sb.inodesCount) {
      throw new CorruptStructureException(source, -1, "inode reference",
          "inode " + ino + " is out of range (1.." + sb.inodesCount + ")");
    }
    long group = (ino - 1) / sb.inodesPerGroup;
    long index = (ino - 1) % sb.inodesPerGroup;
    GroupDescriptor gd = groups[(int) group];
    long byteOffset = index * sb.inodeSize;
    long blk = gd.inodeTable + byteOffset / blockSize;
    int within = (int) (byteOffset % blockSize);
    byte[] block = block(blk);
    byte[] r = new byte[sb.inodeSize];
    System.arraycopy(block, within, r, 0, sb.inodeSize);
    return Inode.parse(r, ino, sb, source, blk * blockSize + within);
  }

  @Override
  public Ext4Node node(long id) throws IOException {
    Ext4Node n = nodeCache.get(id);
    if (n == null) {
      n = new Ext4Node(readInode(id));
      nodeCache.put(id, n);
    }
    return n;
  }

  @Override
  public Ext4Node root() throws IOException {
    Ext4Node root = node(ROOT_INO);
    if (root.type() != NodeType.DIRECTORY) {
      throw new CorruptStructureException(source, -1, "inode 2",
          "the root inode is not a directory (mode " + Integer.toOctalString(root.inode.mode) + ")");
    }
    return root;
  }

  /** A node: an inode and what was derived from it, computed once. */
  public final class Ext4Node implements Node {
    final Inode inode;
    private volatile FileMap map;
    private volatile byte[] inline;
    private volatile List<DirectoryBlock.Entry> entries;
    private volatile Map<String, DirectoryBlock.Entry> byName;
    private volatile List<ExtendedAttributes.Attribute> xattrs;

    Ext4Node(Inode inode) {
      this.inode = inode;
    }

    @Override
    public long id() {
      return inode.ino;
    }

    @Override
    public NodeType type() {
      return inode.type();
    }

    /** @return the inode */
    public Inode inode() {
      return inode;
    }

    FileMap map() throws IOException {
      FileMap m = map;
      if (m == null) {
        m = inode.hasFlag(Inode.FL_EXTENTS) ? FileMap.ofExtents(inode, Ext4Volume.this)
            : FileMap.ofBlockMap(inode, Ext4Volume.this);
        map = m;
      }
      return m;
    }

    boolean isInline() {
      return inode.hasFlag(Inode.FL_INLINE_DATA);
    }

    byte[] inlineData() throws IOException {
      byte[] d = inline;
      if (d == null) {
        byte[] iblock = inode.iBlock();
        byte[] extra = new byte[0];
        for (ExtendedAttributes.Attribute a : xattrs()) {
          if (a.index == 7 && new String(a.suffix, StandardCharsets.UTF_8).equals("data")
              && a.value != null) {
            extra = a.value;
          }
        }
        d = new byte[60 + extra.length];
        System.arraycopy(iblock, 0, d, 0, 60);
        System.arraycopy(extra, 0, d, 60, extra.length);
        inline = d;
      }
      return d;
    }

    List<ExtendedAttributes.Attribute> xattrs() throws IOException {
      List<ExtendedAttributes.Attribute> x = xattrs;
      if (x == null) {
        List<ExtendedAttributes.Attribute> all =
            new ArrayList<>(ExtendedAttributes.inInode(inode, source));
        if (inode.fileAcl != 0) {
          checkBlock(inode.fileAcl);
          all.addAll(ExtendedAttributes.inBlock(block(inode.fileAcl), inode.fileAcl, inode, sb,
              source));
        }
        x = List.copyOf(all);
        xattrs = x;
      }
      return x;
    }

    void checkNotEncrypted(String what) throws UnsupportedFeatureException {
      if (inode.hasFlag(Inode.FL_ENCRYPT)) {
        throw new UnsupportedFeatureException(null, "encrypt", source + ": inode " + inode.ino
            + " is encrypted (fscrypt); its " + what + " cannot be read without the key");
      }
    }

    boolean hasEntries() {
      return entries != null;
    }

    List<DirectoryBlock.Entry> entries() throws IOException {
      List<DirectoryBlock.Entry> e = entries;
      if (e == null) {
        e = readDirectory(this);
        entries = e;
      }
      return e;
    }

    Map<String, DirectoryBlock.Entry> byName() throws IOException {
      Map<String, DirectoryBlock.Entry> m = byName;
      if (m == null) {
        m = new HashMap<>();
        boolean fold = inode.hasFlag(Inode.FL_CASEFOLD);
        for (DirectoryBlock.Entry en : entries()) {
          String name = en.nameString();
          m.putIfAbsent(fold ? casefold(name) : name, en);
        }
        byName = m;
      }
      return m;
    }
  }

  static String casefold(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFD).toUpperCase(Locale.ROOT)
        .toLowerCase(Locale.ROOT);
  }

  private Ext4Node dir(Node directory) throws IOException {
    Ext4Node d = (Ext4Node) directory;
    if (d.type() != NodeType.DIRECTORY) {
      throw new NotDirectoryException("inode " + d.id());
    }
    d.checkNotEncrypted("names");
    return d;
  }

  private List<DirectoryBlock.Entry> readDirectory(Ext4Node d) throws IOException {
    List<DirectoryBlock.Entry> out = new ArrayList<>();
    String where = "directory inode " + d.id();
    if (d.isInline()) {
      byte[] data = d.inlineData();
      long parent = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xFFFFFFFFL;
      LOG.trace("{}: inline directory, parent {}", where, parent);
      DirectoryBlock.parse(data, 4, 60, filetype, blockSize, out, source, -1, where);
      if (data.length > 60) {
        DirectoryBlock.parse(data, 60, data.length, filetype, blockSize, out, source, -1, where);
      }
    } else {
      FileMap map = d.map();
      long blocks = (d.inode.size + blockSize - 1) / blockSize;
      int seed = sb.metadataCsum() ? d.inode.checksumSeed(sb) : 0;
      for (int r = 0; r < map.size(); r++) {
        if (map.uninitialized(r)) {
          continue;
        }
        for (long i = 0; i < map.length(r) && map.logical(r) + i < blocks; i++) {
          long pb = map.physical(r) + i;
          byte[] b = block(pb);
          int end = blockSize;
          if (DirectoryBlock.hasTail(b)) {
            end = blockSize - 12;
            if (sb.metadataCsum()) {
              DirectoryBlock.verifyTail(b, seed, source, pb * blockSize, where + " block " + pb);
            }
          }
          DirectoryBlock.parse(b, 0, end, filetype, blockSize, out, source, pb * blockSize, where);
        }
      }
    }
    List<DirectoryBlock.Entry> filtered = new ArrayList<>(out.size());
    for (DirectoryBlock.Entry e : out) {
      if (!e.isDotOrDotDot()) {
        filtered.add(e);
      }
    }
    return List.copyOf(filtered);
  }

  private final java.util.concurrent.atomic.AtomicLong hashedLookups =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong htreeFallbacks =
      new java.util.concurrent.atomic.AtomicLong();

  /** @return how many lookups went through an htree index */
  public long hashedLookups() {
    return hashedLookups.get();
  }

  /** @return how many htree lookups fell back to a linear scan because the index was damaged */
  public long htreeFallbacks() {
    return htreeFallbacks.get();
  }

  private static final Object LINEAR = new Object();

  /**
   * Looks a name up through the directory's htree index: returns the entry, null when the index
   * proves it absent, or {@link #LINEAR} when a linear scan must decide (index damaged, or a
   * hash collision chain leaves the index block).
   */
  private Object htreeLookup(Ext4Node d, byte[] name) throws IOException {
    FileMap map = d.map();
    String where = "htree of directory inode " + d.id();
    byte[] root = dirBlock(d, map, 0, where);
    ByteBuffer b = ByteBuffer.wrap(root).order(ByteOrder.LITTLE_ENDIAN);
    int infoLength = root[0x1D] & 0xFF;
    int version = root[0x1C] & 0xFF;
    int levels = root[0x1E] & 0xFF;
    if (b.getInt(0x18) != 0 || infoLength != 8 || version > DirHash.TEA
        || levels > (sb.hasIncompat(Superblock.INCOMPAT_LARGEDIR) ? 2 : 1)) {
      throw new CorruptStructureException(source, -1, "dx_root", where + ": hash version "
          + version + ", info length " + infoLength + ", indirect levels " + levels);
    }
    if (version <= DirHash.TEA && (sb.flags & 0x2) != 0) {
      version += 3;
    }
    int hash = DirHash.hash(version, name, sb.hashSeed);
    byte[] node = root;
    int countOff = 0x18 + infoLength;
    long dirBlocks = (d.inode.size + blockSize - 1) / blockSize;
    for (int level = 0; ; level++) {
      ByteBuffer nb = ByteBuffer.wrap(node).order(ByteOrder.LITTLE_ENDIAN);
      int limit = nb.getShort(countOff) & 0xFFFF;
      int count = nb.getShort(countOff + 2) & 0xFFFF;
      if (count == 0 || count > limit || countOff + 8L * limit > blockSize) {
        throw new CorruptStructureException(source, -1, "dx_node", where + ": count " + count
            + ", limit " + limit);
      }
      if (sb.metadataCsum()) {
        int tail = countOff + 8 * limit;
        if (tail + 8 > blockSize) {
          throw new CorruptStructureException(source, -1, "dx_tail", where
              + ": no room for the checksum tail after " + limit + " entries");
        }
        int crc = Crc32c.update(d.inode.checksumSeed(sb), node, 0, countOff + 8 * count);
        crc = Crc32c.update(crc, node, tail, 4);
        crc = Crc32c.updateZeros(crc, 4);
        int stored = nb.getInt(tail + 4);
        if (crc != stored) {
          throw new CorruptStructureException(source, -1, "dx_tail", String.format(
              "%s level %d: dt_checksum 0x%08x does not match the computed 0x%08x", where, level,
              stored, crc));
        }
      }
      int lo = 1;
      int hi = count - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (Integer.compareUnsigned(nb.getInt(countOff + 8 * mid), hash) > 0) {
          hi = mid - 1;
        } else {
          lo = mid + 1;
        }
      }
      int at = lo - 1;
      long child = nb.getInt(countOff + 8 * at + 4) & 0x0FFFFFFFL;
      if (child >= dirBlocks || child == 0) {
        throw new CorruptStructureException(source, -1, "dx_entry", where + ": block " + child
            + " is outside the directory");
      }
      if (level < levels) {
        node = dirBlock(d, map, child, where);
        countOff = 8;
        continue;
      }
      for (int k = at; k < count && k < at + 64; k++) {
        if (k > at) {
          int nextHash = nb.getInt(countOff + 8 * k);
          if ((nextHash & 1) == 0 || (nextHash & ~1) != hash) {
            return null;
          }
          child = nb.getInt(countOff + 8 * k + 4) & 0x0FFFFFFFL;
          if (child >= dirBlocks || child == 0) {
            throw new CorruptStructureException(source, -1, "dx_entry", where + ": block "
                + child + " is outside the directory");
          }
        }
        byte[] leaf = dirBlock(d, map, child, where);
        List<DirectoryBlock.Entry> entries = new ArrayList<>();
        int end = DirectoryBlock.hasTail(leaf) ? blockSize - 12 : blockSize;
        long pb = physicalOf(map, child);
        if (end < blockSize && sb.metadataCsum()) {
          DirectoryBlock.verifyTail(leaf, d.inode.checksumSeed(sb), source, pb * blockSize,
              "directory inode " + d.id() + " block " + pb);
        }
        DirectoryBlock.parse(leaf, 0, end, filetype, blockSize, entries, source,
            pb * blockSize, "directory inode " + d.id());
        for (DirectoryBlock.Entry e : entries) {
          if (java.util.Arrays.equals(e.name, name)) {
            return e;
          }
        }
      }
      return levels == 0 ? null : LINEAR;
    }
  }

  private long physicalOf(FileMap map, long lblk) throws CorruptStructureException {
    int r = map.find(lblk);
    if (r < 0 || map.uninitialized(r)) {
      throw new CorruptStructureException(source, -1, "directory", "block " + lblk
          + " of the directory is a hole");
    }
    return map.physical(r) + (lblk - map.logical(r));
  }

  private byte[] dirBlock(Ext4Node d, FileMap map, long lblk, String where) throws IOException {
    return block(physicalOf(map, lblk));
  }

  @Override
  public Optional<Node> lookup(Node directory, String name) throws IOException {
    Ext4Node d = dir(directory);
    boolean fold = d.inode.hasFlag(Inode.FL_CASEFOLD);
    if (!d.hasEntries() && !fold && !d.isInline() && d.inode.hasFlag(Inode.FL_INDEX)
        && sb.hasCompat(Superblock.COMPAT_DIR_INDEX)) {
      Object found;
      try {
        found = htreeLookup(d, name.getBytes(StandardCharsets.UTF_8));
        hashedLookups.incrementAndGet();
      } catch (CorruptStructureException e) {
        htreeFallbacks.incrementAndGet();
        LOG.warn("{}: htree index of directory inode {} is damaged ({}); scanning it linearly",
            source, d.id(), e.getMessage());
        found = LINEAR;
      }
      if (found == null) {
        return Optional.empty();
      }
      if (found != LINEAR) {
        return Optional.of(node(((DirectoryBlock.Entry) found).inode));
      }
    }
    String key = fold ? casefold(name) : name;
    DirectoryBlock.Entry e = d.byName().get(key);
    if (e == null) {
      return Optional.empty();
    }
    return Optional.of(node(e.inode));
  }

  @Override
  public List<DirectoryEntry> list(Node directory) throws IOException {
    Ext4Node d = dir(directory);
    List<DirectoryBlock.Entry> entries = d.entries();
    List<DirectoryEntry> out = new ArrayList<>(entries.size());
    for (DirectoryBlock.Entry e : entries) {
      out.add(new DirectoryEntry(e.nameString(), e.inode, fileType(e.fileType)));
    }
    return out;
  }

  private static NodeType fileType(int t) {
    switch (t) {
      case 1: return NodeType.REGULAR_FILE;
      case 2: return NodeType.DIRECTORY;
      case 3: return NodeType.CHARACTER_DEVICE;
      case 4: return NodeType.BLOCK_DEVICE;
      case 5: return NodeType.FIFO;
      case 6: return NodeType.SOCKET;
      case 7: return NodeType.SYMBOLIC_LINK;
      default: return null;
    }
  }

  // ---- file data ----

  @Override
  public int read(Node file, long position, ByteBuffer dst) throws IOException {
    Ext4Node f = (Ext4Node) file;
    if (f.type() == NodeType.DIRECTORY) {
      throw new java.nio.file.FileSystemException(source + ": inode " + f.id(), null,
          "is a directory");
    }
    f.checkNotEncrypted("contents");
    long size = f.inode.size;
    if (position >= size) {
      return -1;
    }
    int want = (int) Math.min(dst.remaining(), size - position);
    if (want == 0) {
      return 0;
    }
    if (f.isInline()) {
      byte[] d = f.inlineData();
      int avail = (int) Math.max(0, Math.min(want, d.length - position));
      if (avail > 0) {
        dst.put(d, (int) position, avail);
      }
      for (int i = avail; i < want; i++) {
        dst.put((byte) 0);
      }
      return want;
    }
    if (isFastSymlink(f)) {
      byte[] ib = f.inode.iBlock();
      for (int i = 0; i < want; i++) {
        dst.put(position + i < 60 ? ib[(int) (position + i)] : 0);
      }
      return want;
    }
    FileMap map = f.map();
    int done = 0;
    while (done < want) {
      long pos = position + done;
      long lblk = pos / blockSize;
      int inBlock = (int) (pos % blockSize);
      int r = map.find(lblk);
      int n;
      if (r < 0 || map.uninitialized(r)) {
        long nextStart;
        if (r < 0) {
          int next = -r - 1;
          nextStart = next < map.size() ? map.logical(next) : Long.MAX_VALUE / blockSize;
        } else {
          nextStart = map.logical(r) + map.length(r);
        }
        long bytes = (nextStart - lblk) * blockSize - inBlock;
        n = (int) Math.min(want - done, bytes);
        for (int i = 0; i < n; i++) {
          dst.put((byte) 0);
        }
      } else {
        long runEnd = map.logical(r) + map.length(r);
        long bytes = (runEnd - lblk) * blockSize - inBlock;
        n = (int) Math.min(want - done, bytes);
        long pblk = map.physical(r) + (lblk - map.logical(r));
        readBlocks(pblk, inBlock, n, dst);
      }
      done += n;
    }
    return done;
  }

  private boolean isFastSymlink(Ext4Node f) {
    if (f.type() != NodeType.SYMBOLIC_LINK || f.isInline()) {
      return false;
    }
    long eaSectors = f.inode.fileAcl != 0 ? (blockSize << (sb.hasRoCompat(
        Superblock.RO_COMPAT_BIGALLOC) ? sb.logClusterSize - sb.logBlockSize : 0)) / 512 : 0;
    return f.inode.size < 60 && !f.inode.hasFlag(Inode.FL_EXTENTS)
        && f.inode.blocks - eaSectors <= 0;
  }

  @Override
  public String readSymbolicLink(Node link) throws IOException {
    Ext4Node f = (Ext4Node) link;
    if (f.type() != NodeType.SYMBOLIC_LINK) {
      throw new NotLinkException("inode " + f.id());
    }
    f.checkNotEncrypted("target");
    long size = f.inode.size;
    String target = readLinkBytes(f, size);
    if (target.indexOf('\0') >= 0 || target.isEmpty()) {
      throw new CorruptStructureException(source, -1, "inode " + f.id(),
          "symbolic link target is empty or contains a NUL byte");
    }
    return target;
  }

  private String readLinkBytes(Ext4Node f, long size) throws IOException {
    if (size > blockSize || size > 65536) {
      throw new CorruptStructureException(source, -1, "inode " + f.id(),
          "symbolic link of " + size + " bytes is longer than a block");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    while (b.hasRemaining()) {
      if (read(f, b.position(), b) <= 0) {
        break;
      }
    }
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  @Override
  public NodeAttributes attributes(Node node) throws IOException {
    Ext4Node n = (Ext4Node) node;
    Inode i = n.inode;
    NodeAttributes.Builder a = NodeAttributes.builder(i.type()).size(i.size)
        .allocatedSize(i.blocks * 512).mode(i.mode).uid(i.uid).gid(i.gid).inode(i.ino)
        .linkCount(i.linksCount).lastModifiedTime(i.mtime).lastAccessTime(i.atime)
        .changeTime(i.ctime).creationTime(i.crtime).flags(i.flags & 0xFFFFFFFFL);
    if (i.type() == NodeType.CHARACTER_DEVICE || i.type() == NodeType.BLOCK_DEVICE) {
      a.rdev(i.rdev());
    }
    return a.build();
  }

  @Override
  public Map<String, byte[]> extendedAttributes(Node node) throws IOException {
    Ext4Node n = (Ext4Node) node;
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (ExtendedAttributes.Attribute a : n.xattrs()) {
      if (a.index == 7 && new String(a.suffix, StandardCharsets.UTF_8).equals("data")) {
        continue;
      }
      byte[] value = a.value;
      if (value == null) {
        value = eaInodeValue(a);
      }
      if (a.index == 2 || a.index == 3) {
        value = ExtendedAttributes.aclToXattr(value);
      }
      out.put(a.name, value);
    }
    return out;
  }

  private byte[] eaInodeValue(ExtendedAttributes.Attribute a) throws IOException {
    if (a.valueSize > (64 << 20)) {
      throw new CorruptStructureException(source, -1, "xattr entry",
          a.name + ": value of " + a.valueSize + " bytes is too large");
    }
    Ext4Node v = node(a.valueInode);
    ByteBuffer b = ByteBuffer.allocate((int) a.valueSize);
    while (b.hasRemaining()) {
      if (read(v, b.position(), b) <= 0) {
        break;
      }
    }
    return b.array();
  }

  @Override
  public FileSystemIdentity identity() {
    return identity(sb);
  }

  /**
   * The identity a superblock gives.
   *
   * @param sb the superblock
   * @return the type, label and UUID
   */
  public static FileSystemIdentity identity(Superblock sb) {
    return new FileSystemIdentity(sb.typeName(), sb.volumeName, sb.uuidString());
  }

  @Override
  public boolean isReadOnly() {
    return true;
  }

  @Override
  public long totalSpace() {
    return sb.blocksCount * blockSize;
  }

  @Override
  public long freeSpace() {
    return sb.freeBlocksCount * blockSize;
  }

  @Override
  public void close() {
    blockCache.clear();
    nodeCache.clear();
  }

  @Override
  public String toString() {
    return "ext volume " + source + " (" + sb.typeName() + ", " + String.join(" ",
        sb.featureNames()) + ")";
  }
}
