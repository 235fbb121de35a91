package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A hive loaded into memory: the base block and the validated chain of hive bins, with typed
 * access to the cells they hold. Every walk is bounded by the hive's own size.
 */
public final class HiveFile {
  /** Largest hive bins data accepted (Windows limits hives to 2 GiB; we load it into memory). */
  public static final long MAX_DATA = Integer.MAX_VALUE - 8;

  private final String source;
  private BaseBlock baseBlock;
  /** The hive bins data: index 0 is the first hive bin, {@code limit} is the data size. */
  private ByteBuffer bins;
  private int maxCells;
  /** 512-byte sectors of the hive bins data changed since the last {@link #clearDirty}. */
  private final BitSet dirty = new BitSet();

  private HiveFile(String source, BaseBlock baseBlock, ByteBuffer bins) {
    this.source = source;
    this.baseBlock = baseBlock;
    this.bins = bins;
    this.maxCells = bins.limit() / 8;
  }

  /** Reads and validates a hive from a channel positioned anywhere (absolute reads). */
  public static HiveFile read(SeekableByteChannel channel, String source) throws IOException {
    long fileSize = channel.size();
    ByteBuffer header = ByteBuffer.allocate(BaseBlock.SIZE);
    readFully(channel, header, 0);
    header.flip();
    BaseBlock bb = BaseBlock.parse(header, source);
    long size = Integer.toUnsignedLong(bb.hiveBinsDataSize());
    if (size > MAX_DATA || BaseBlock.SIZE + size > fileSize) {
      throw new CorruptStructureException(source, 40, "regf base block", "hive bins data size "
          + size + " exceeds the file of " + fileSize + " bytes");
    }
    ByteBuffer bins = ByteBuffer.allocate((int) size);
    readFully(channel, bins, BaseBlock.SIZE);
    bins.flip();
    return of(source, bb, bins);
  }

  /** Validates a hive held in memory (base block followed by the hive bins). */
  public static HiveFile of(ByteBuffer whole, String source) throws CorruptStructureException,
      dev.vdisk.core.UnsupportedFeatureException {
    BaseBlock bb = BaseBlock.parse(whole.duplicate(), source);
    long size = Integer.toUnsignedLong(bb.hiveBinsDataSize());
    if (BaseBlock.SIZE + size > whole.remaining()) {
      throw new CorruptStructureException(source, 40, "regf base block", "hive bins data size "
          + size + " exceeds the file of " + whole.remaining() + " bytes");
    }
    ByteBuffer bins = whole.duplicate().position(whole.position() + BaseBlock.SIZE).slice()
        .limit((int) size);
    return of(source, bb, bins.slice());
  }

  private static HiveFile of(String source, BaseBlock bb, ByteBuffer bins)
      throws CorruptStructureException {
    int at = 0;
    int limit = bins.limit();
    while (at < limit) {
      HiveBinHeader h = HiveBinHeader.parse(bins.slice(at, Math.min(HiveBinHeader.SIZE,
          limit - at)), at, limit - at, source);
      at += h.size();
    }
    return new HiveFile(source, bb, bins.order(ByteOrder.LITTLE_ENDIAN));
  }

  private static void readFully(SeekableByteChannel ch, ByteBuffer b, long position)
      throws IOException {
    long pos = position;
    ch.position(pos);
    while (b.hasRemaining()) {
      int n = ch.read(b);
      if (n < 0) {
        throw new CorruptStructureException(ch.toString(), pos, "regf", "file ends early");
      }
    }
  }

  /** The base block. */
  public BaseBlock baseBlock() {
    return baseBlock;
  }

  /**
   * A writable copy of a validated hive: the hive bins are copied into a buffer with room to
   * grow, so the editor can change cells and append hive bins.
   */
  public static HiveFile writableCopy(ByteBuffer whole, String source)
      throws CorruptStructureException, dev.vdisk.core.UnsupportedFeatureException {
    HiveFile f = of(whole, source);
    int size = f.bins.limit();
    ByteBuffer copy = ByteBuffer.allocate(Math.max(size, 4096) + Math.max(size / 4, 65536))
        .order(ByteOrder.LITTLE_ENDIAN);
    copy.put(f.bins.duplicate().position(0).limit(size));
    copy.clear().limit(size);
    return new HiveFile(source, f.baseBlock, copy);
  }

  /**
   * The hive bins data itself (limit = data size), for the editor and the checker. Writers must
   * call {@link #markDirty} for every byte range they change.
   */
  public ByteBuffer bins() {
    return bins;
  }

  /** Replaces the base block record (after a change of the root, the size or the version). */
  public void baseBlock(BaseBlock bb) {
    this.baseBlock = bb;
  }

  /**
   * Grows the hive bins data by {@code bytes} (zero-filled, marked dirty); returns the offset of
   * the new space. The buffer is reallocated when its capacity is exceeded, so slices taken
   * before are stale afterwards.
   */
  public int grow(int bytes) throws CorruptStructureException {
    int old = bins.limit();
    long size = (long) old + bytes;
    if (size > MAX_DATA) {
      throw new CorruptStructureException(source, 40, "regf base block",
          "the hive would grow past " + MAX_DATA + " bytes");
    }
    if (size > bins.capacity()) {
      long cap = Math.min(MAX_DATA, Math.max(size, (long) bins.capacity() * 2));
      ByteBuffer bigger = ByteBuffer.allocate((int) cap).order(ByteOrder.LITTLE_ENDIAN);
      bigger.put(bins.duplicate().position(0).limit(old));
      bins = bigger;
    }
    bins.clear().limit((int) size);
    for (int i = old; i < size; i++) {
      bins.put(i, (byte) 0);
    }
    maxCells = (int) (size / 8);
    markDirty(old, bytes);
    return old;
  }

  /** Records that the bytes {@code [offset, offset + length)} of the hive bins data changed. */
  public void markDirty(int offset, int length) {
    if (length <= 0) {
      return;
    }
    dirty.set(offset / 512, (int) (((long) offset + length + 511) / 512));
  }

  /** The changed 512-byte sectors since the last {@link #clearDirty} (a copy). */
  public BitSet dirtySectors() {
    return (BitSet) dirty.clone();
  }

  /** Whether anything changed since the last {@link #clearDirty}. */
  public boolean isDirty() {
    return !dirty.isEmpty();
  }

  /** Forgets the changed sectors (after a commit). */
  public void clearDirty() {
    dirty.clear();
  }

  /** Name used in messages. */
  public String source() {
    return source;
  }

  /** The allocated cell at an offset relative to the first hive bin. */
  public Cell cell(int offset, String what) throws CorruptStructureException {
    return Cell.allocated(bins, offset, source, what);
  }

  /** The key node at an offset. */
  public KeyNode keyNode(int offset) throws CorruptStructureException {
    Cell c = cell(offset, "nk");
    return KeyNode.parse(c.data(), source, c.fileOffset());
  }

  /** The root key node. */
  public KeyNode root() throws CorruptStructureException {
    return keyNode(baseBlock.rootCellOffset());
  }

  /** Offsets of the subkeys' key nodes in stored order (ri lists flattened). */
  public int[] subkeys(KeyNode key) throws CorruptStructureException {
    if (key.subkeyCount() == 0) {
      return new int[0];
    }
    if (key.subkeyCount() > maxCells) {
      throw new CorruptStructureException(source, -1, "nk", "subkey count "
          + key.subkeyCount() + " exceeds what the hive can hold");
    }
    Cell c = cell(key.subkeyList(), "subkey list");
    SubkeyList list = SubkeyList.parse(c.data(), source, c.fileOffset());
    int[] out = new int[key.subkeyCount()];
    int n = 0;
    List<SubkeyList> leaves = new ArrayList<>();
    if (list.type().equals("ri")) {
      for (int o : list.offsets()) {
        Cell lc = cell(o, "subkey list");
        SubkeyList leaf = SubkeyList.parse(lc.data(), source, lc.fileOffset());
        if (leaf.type().equals("ri")) {
          throw new CorruptStructureException(source, lc.fileOffset(), "ri",
              "an index root refers to another index root");
        }
        leaves.add(leaf);
      }
    } else {
      leaves.add(list);
    }
    for (SubkeyList leaf : leaves) {
      for (int o : leaf.offsets()) {
        if (n == out.length) {
          throw new CorruptStructureException(source, c.fileOffset(), list.type(),
              "lists more subkeys than the key's count " + key.subkeyCount());
        }
        out[n++] = o;
      }
    }
    if (n != out.length) {
      throw new CorruptStructureException(source, c.fileOffset(), list.type(),
          "lists " + n + " subkeys, the key says " + key.subkeyCount());
    }
    return out;
  }

  /** Offsets of the value keys in stored order. */
  public int[] values(KeyNode key) throws CorruptStructureException {
    if (key.valueCount() == 0) {
      return new int[0];
    }
    Cell c = cell(key.valueList(), "value list");
    if ((long) key.valueCount() * 4 > c.data().limit()) {
      throw new CorruptStructureException(source, c.fileOffset(), "value list",
          key.valueCount() + " values do not fit in a cell of " + c.data().limit() + " bytes");
    }
    int[] out = new int[key.valueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.data().getInt(i * 4);
    }
    return out;
  }

  /** The value key at an offset. */
  public ValueKey valueKey(int offset) throws CorruptStructureException {
    Cell c = cell(offset, "vk");
    return ValueKey.parse(c.data(), source, c.fileOffset());
  }

  /** A value's data: inline, in one data cell, or in big data segments. */
  public byte[] valueData(ValueKey vk) throws CorruptStructureException {
    int length = vk.length();
    if (vk.inline()) {
      if (length > 4) {
        throw new CorruptStructureException(source, -1, "vk", "inline data of " + length
            + " bytes, at most 4 fit");
      }
      byte[] out = new byte[length];
      ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, vk.dataOffset())
          .get(0, out);
      return out;
    }
    if (length == 0) {
      return new byte[0];
    }
    if (length > bins.limit()) {
      throw new CorruptStructureException(source, -1, "vk", "data length " + length
          + " exceeds the hive");
    }
    Cell c = cell(vk.dataOffset(), "value data");
    if (length > BigData.SEGMENT && c.signature().equals("db") && baseBlock.minorVersion() >= 4) {
      BigData db = BigData.parse(c.data(), source, c.fileOffset());
      Cell lc = cell(db.segmentList(), "db segment list");
      if ((long) db.segmentCount() * 4 > lc.data().limit()) {
        throw new CorruptStructureException(source, lc.fileOffset(), "db segment list",
            db.segmentCount() + " segments do not fit in the cell");
      }
      byte[] out = new byte[length];
      int n = 0;
      for (int i = 0; i < db.segmentCount() && n < length; i++) {
        Cell seg = cell(lc.data().getInt(i * 4), "db segment");
        int take = Math.min(Math.min(BigData.SEGMENT, seg.data().limit()), length - n);
        seg.data().get(0, out, n, take);
        n += take;
      }
      if (n != length) {
        throw new CorruptStructureException(source, c.fileOffset(), "db", "segments hold " + n
            + " bytes of the " + length + " the value needs");
      }
      return out;
    }
    if (length > c.data().limit()) {
      throw new CorruptStructureException(source, c.fileOffset(), "value data", "data length "
          + length + " exceeds the cell of " + c.data().limit() + " bytes");
    }
    byte[] out = new byte[length];
    c.data().get(0, out);
    return out;
  }

  /** The class name of a key, if it has one. */
  public String className(KeyNode key) throws CorruptStructureException {
    if (key.classNameOffset() == Cell.NONE || key.classNameLength() == 0) {
      return null;
    }
    Cell c = cell(key.classNameOffset(), "class name");
    return Bytes.name(c.data(), 0, key.classNameLength(), false, source, c.fileOffset(),
        "class name");
  }
}
