package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Changes to a hive held in memory: cells are allocated, freed and rewritten in the hive bins
 * data; {@link #commit} hands the changed sectors to the {@link HiveStore}.
 *
 * <p>The rules it follows (msuhanov's regf specification, and what Windows does):
 *
 * <ul>
 *   <li>Key names are stored compressed (one byte per character, {@code KEY_COMP_NAME}) when every
 *       character is below U+0100, else as UTF-16LE; the same for value names
 *       ({@code VALUE_COMP_NAME}).
 *   <li>Subkey lists stay sorted by the upper-cased name (each UTF-16 code unit upper-cased on its
 *       own, then compared as unsigned numbers; a prefix sorts first). Every list this class
 *       writes is an {@code lh} leaf (hash: h = 37 * h + upper-cased code unit) on hives of
 *       version 1.5 and later, an {@code lf} leaf (the first four characters as a hint) on older
 *       ones. A leaf holds at most {@value #MAX_LEAF} entries (what fits a 4 KiB hive bin, the
 *       limit Windows uses, {@code CmpMaxFastIndexPerHblock}); a fuller leaf is split in two under
 *       an {@code ri} index root. A list that is changed is rewritten in this form, so lf/li
 *       leaves of old hives become lh (or lf) leaves as they are touched.
 *   <li>A new key takes its parent's security cell (its reference count grows by one); deleting a
 *       key decrements it and unlinks and frees the sk cell when it reaches zero.
 *   <li>Value data of at most 4 bytes is stored inline in the value key (the size's high bit
 *       set); data larger than {@value BigData#SEGMENT} bytes on hives of version 1.4 and later
 *       goes into a {@code db} cell with segments of {@value BigData#SEGMENT} bytes (each segment
 *       cell keeps 4 bytes after its data, as Windows' do); anything
 *       else into one data cell.
 *   <li>The parent's subkey count, value count, largest subkey name length, largest value name
 *       length and largest value data size (all in bytes, names counted as UTF-16) grow as keys
 *       and values are added; as Windows does, they are not lowered when entries are removed,
 *       except that the value maxima return to zero when the last value goes. The last-written
 *       time of a changed key is set to now.
 * </ul>
 */
public final class HiveEditor {
  /** Most entries in one subkey list leaf (Windows' {@code CmpMaxFastIndexPerHblock}). */
  public static final int MAX_LEAF = (4096 - (32 + 4 + 4)) / 8;
  /** Most leaves under one index root (Windows' {@code CmpMaxIndexPerHblock}). */
  public static final int MAX_INDEX = (4096 - (32 + 4 + 4)) / 4 - 1;
  /** Longest key name in characters. */
  public static final int MAX_KEY_NAME = 255;
  /** Longest value name in characters. */
  public static final int MAX_VALUE_NAME = 16383;

  private static final int NK_FLAGS = KeyNode.FLAGS;
  private static final int NK_WRITTEN = KeyNode.LAST_WRITTEN;
  private static final int NK_SUBKEYS = KeyNode.SUBKEY_COUNT;
  private static final int NK_LIST = KeyNode.SUBKEY_LIST;
  private static final int NK_VALUES = KeyNode.VALUE_COUNT;
  private static final int NK_VALUE_LIST = KeyNode.VALUE_LIST;
  private static final int NK_SECURITY = KeyNode.SECURITY;
  private static final int NK_MAX_NAME = KeyNode.MAX_SUBKEY_NAME;
  private static final int NK_MAX_VALUE_NAME = KeyNode.MAX_VALUE_NAME;
  private static final int NK_MAX_VALUE_DATA = KeyNode.MAX_VALUE_DATA;
  private static final int NK_NAME_LENGTH = KeyNode.NAME_LENGTH;

  private final HiveStore store;
  private final HiveFile file;
  private final CellAllocator alloc;
  private final byte[] baseBlock;
  /** Key nodes whose subkey lists were found in order (see {@link #sorted}). */
  private final java.util.Set<Integer> sortedKeys = new java.util.HashSet<>();

  private HiveEditor(HiveStore store, HiveFile file, byte[] baseBlock)
      throws CorruptStructureException {
    this.store = store;
    this.file = file;
    this.alloc = new CellAllocator(file);
    this.baseBlock = baseBlock;
  }

  /** Opens an editor over a store's current state. */
  public static HiveEditor open(HiveStore store) throws IOException {
    ByteBuffer whole = store.load();
    return over(whole, store.name(), store);
  }

  /**
   * An editor over a hive held in memory (base block followed by the hive bins) without a store:
   * {@link #commit} is refused. For tests and fuzzing.
   */
  public static HiveEditor inMemory(ByteBuffer whole, String name) throws IOException {
    return over(whole, name, null);
  }

  private static HiveEditor over(ByteBuffer whole, String name, HiveStore store)
      throws IOException {
    HiveFile f = HiveFile.writableCopy(whole, name);
    byte[] bb = new byte[BaseBlock.SIZE];
    whole.duplicate().get(bb);
    HiveEditor e = new HiveEditor(store, f, bb);
    e.file.keyNode(f.baseBlock().rootCellOffset());
    return e;
  }

  /** The bytes of a new empty hive (base block and one hive bin) with a root key of this name. */
  public static ByteBuffer emptyHive(String rootName) {
    checkName(rootName, MAX_KEY_NAME, "key");
    long now = now();
    ByteBuffer f = ByteBuffer.allocate(2 * 4096).order(ByteOrder.LITTLE_ENDIAN);
    f.put(0, BaseBlock.newPrimary(now, 5, 0x20, 4096), 0, BaseBlock.SIZE);
    ByteBuffer bins = f.slice(4096, 4096).order(ByteOrder.LITTLE_ENDIAN);
    new HiveBinHeader(0, 4096).writeTo(bins, now);
    byte[] name = encodeName(rootName);
    int nk = HiveBinHeader.SIZE;
    int nkSize = CellAllocator.cellSize(KeyNode.FIXED + name.length);
    int sk = nk + nkSize;
    byte[] sd = defaultSecurityDescriptor();
    int skSize = CellAllocator.cellSize(SecurityKey.FIXED + sd.length);
    bins.putInt(nk, -nkSize);
    // Root flags as Windows sets them: hive entry, not deletable (0x0008), compressed name.
    KeyNode.writeNew(bins, nk + 4, KeyNode.KEY_HIVE_ENTRY | 0x0008
        | (compressible(rootName) ? KeyNode.KEY_COMP_NAME : 0), now, -1, sk, name);
    bins.putInt(sk, -skSize);
    new SecurityKey(sk, sk, 1, sd).writeTo(bins, sk + 4);
    int rest = sk + skSize;
    bins.putInt(rest, 4096 - rest);
    return f;
  }

  /**
   * The security descriptor of a new hive's root, {@code O:BAG:SYD:(A;OICI;KA;;;SY)
   * (A;OICI;KA;;;BA)}: owned by Administrators, full control for SYSTEM and Administrators,
   * inherited by every subkey. This is the protection Windows gives the roots of its own system
   * hives (SYSTEM, SOFTWARE) before any per-key ACLs are added; it keeps a new hive usable by
   * administrators when loaded with {@code reg load} and grants nobody else anything. The
   * descriptor is self-relative: header, DACL, owner SID, group SID.
   */
  static byte[] defaultSecurityDescriptor() {
    byte[] sy = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    byte[] ba = {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0};
    int aclSize = 8 + (8 + sy.length) + (8 + ba.length);
    ByteBuffer b = ByteBuffer.allocate(20 + aclSize + ba.length + sy.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    int dacl = 20;
    int owner = dacl + aclSize;
    int group = owner + ba.length;
    b.put(0, (byte) 1).put(1, (byte) 0).putShort(2, (short) 0x8004).putInt(4, owner)
        .putInt(8, group).putInt(12, 0).putInt(16, dacl);
    b.put(dacl, (byte) 2).putShort(dacl + 2, (short) aclSize).putShort(dacl + 4, (short) 2);
    int at = dacl + 8;
    for (byte[] sid : new byte[][] {sy, ba}) {
      b.put(at, (byte) 0).put(at + 1, (byte) 0x03).putShort(at + 2, (short) (8 + sid.length))
          .putInt(at + 4, 0xF003F);
      b.put(at + 8, sid);
      at += 8 + sid.length;
    }
    b.put(owner, ba).put(group, sy);
    return b.array();
  }

  /** The hive as it stands in memory, uncommitted changes included. */
  public HiveFile file() {
    return file;
  }

  /** The cell allocator (for tests). */
  public CellAllocator allocator() {
    return alloc;
  }

  // ---------------------------------------------------------------- keys

  /** Creates a key and any missing parents; returns the key node's offset. */
  public int createKey(String path) throws IOException {
    int key = root();
    for (String part : parts(path)) {
      checkName(part, MAX_KEY_NAME, "key");
      int child = findChild(key, part);
      if (child < 0) {
        child = addKey(key, part);
      }
      key = child;
    }
    return key;
  }

  /** Deletes a key with all its subkeys and values; false when it does not exist. */
  public boolean deleteKey(String path) throws IOException {
    List<String> parts = parts(path);
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("the root key cannot be deleted");
    }
    int key = find(parts);
    if (key < 0) {
      return false;
    }
    int parent = find(parts.subList(0, parts.size() - 1));
    removeFromList(parent, key);
    put32(parent, NK_SUBKEYS, get32(parent, NK_SUBKEYS) - 1);
    touch(parent);
    // Collect the subtree first (bounded by the number of cells), then free it.
    List<Integer> all = new ArrayList<>();
    Deque<Integer> todo = new ArrayDeque<>();
    todo.push(key);
    int limit = file.bins().limit() / 8;
    while (!todo.isEmpty()) {
      int k = todo.pop();
      all.add(k);
      if (all.size() > limit) {
        throw new CorruptStructureException(file.source(), -1, "nk", "the subkeys of " + path
            + " form a loop");
      }
      for (int c : file.subkeys(file.keyNode(k))) {
        todo.push(c);
      }
    }
    for (int k : all) {
      freeKey(k);
    }
    return true;
  }

  private void freeKey(int key) throws IOException {
    KeyNode nk = file.keyNode(key);
    for (int v : file.values(nk)) {
      freeValue(v);
    }
    if (nk.valueCount() > 0) {
      alloc.free(nk.valueList());
    }
    if (nk.subkeyCount() > 0) {
      Cell c = file.cell(nk.subkeyList(), "subkey list");
      SubkeyList list = SubkeyList.parse(c.data(), file.source(), c.fileOffset());
      if (list.type().equals("ri")) {
        for (int leaf : list.offsets()) {
          alloc.free(leaf);
        }
      }
      alloc.free(nk.subkeyList());
    }
    if (nk.classNameOffset() != Cell.NONE && nk.classNameLength() > 0) {
      alloc.free(nk.classNameOffset());
    }
    releaseSecurity(nk.security());
    sortedKeys.remove(key);
    alloc.free(key);
  }

  private void releaseSecurity(int sk) throws CorruptStructureException {
    Cell c = file.cell(sk, "sk");
    SecurityKey s = SecurityKey.parse(c.data(), file.source(), c.fileOffset());
    if (s.referenceCount() > 1) {
      put32(sk, SecurityKey.REFERENCE_COUNT, s.referenceCount() - 1);
      return;
    }
    if (s.flink() != sk) {
      for (int neighbour : new int[] {s.blink(), s.flink()}) {
        Cell n = file.cell(neighbour, "sk");
        SecurityKey.parse(n.data(), file.source(), n.fileOffset());
      }
      put32(s.blink(), SecurityKey.FLINK, s.flink());
      put32(s.flink(), SecurityKey.BLINK, s.blink());
    }
    alloc.free(sk);
  }

  private int addKey(int parent, String name) throws IOException {
    byte[] raw = encodeName(name);
    int nk = alloc.allocate(KeyNode.FIXED + raw.length);
    int sk = get32(parent, NK_SECURITY);
    KeyNode.writeNew(file.bins(), nk + 4, compressible(name) ? KeyNode.KEY_COMP_NAME : 0, now(),
        parent, sk, raw);
    file.markDirty(nk, CellAllocator.cellSize(KeyNode.FIXED + raw.length));
    Cell c = file.cell(sk, "sk");
    SecurityKey s = SecurityKey.parse(c.data(), file.source(), c.fileOffset());
    put32(sk, SecurityKey.REFERENCE_COUNT, s.referenceCount() + 1);
    insertIntoList(parent, nk, name);
    put32(parent, NK_SUBKEYS, get32(parent, NK_SUBKEYS) + 1);
    int maxName = get32(parent, NK_MAX_NAME);
    if ((maxName & 0xffff) < name.length() * 2) {
      put32(parent, NK_MAX_NAME, (maxName & 0xffff0000) | (name.length() * 2));
    }
    touch(parent);
    return nk;
  }

  // ---------------------------------------------------------------- subkey lists

  /**
   * A leaf of a subkey list: its cell, the key nodes it lists in order, and their stored hashes
   * when the leaf is of the kind this editor writes (null otherwise: they are recomputed).
   */
  private record Leaf(int cell, int[] keys, int[] hashes) {}

  private Leaf leaf(int cell, SubkeyList list, ByteBuffer data) {
    boolean lh = file.baseBlock().minorVersion() >= 5;
    int[] hashes = null;
    if (list.type().equals(lh ? "lh" : "lf")) {
      hashes = new int[list.offsets().length];
      for (int i = 0; i < hashes.length; i++) {
        hashes[i] = data.getInt(8 + i * 8);
      }
    }
    return new Leaf(cell, list.offsets(), hashes);
  }

  private List<Leaf> leaves(int key) throws CorruptStructureException {
    KeyNode nk = file.keyNode(key);
    List<Leaf> out = new ArrayList<>();
    if (nk.subkeyCount() == 0) {
      return out;
    }
    Cell c = file.cell(nk.subkeyList(), "subkey list");
    SubkeyList list = SubkeyList.parse(c.data(), file.source(), c.fileOffset());
    if (list.type().equals("ri")) {
      for (int o : list.offsets()) {
        Cell lc = file.cell(o, "subkey list");
        SubkeyList leaf = SubkeyList.parse(lc.data(), file.source(), lc.fileOffset());
        if (leaf.type().equals("ri")) {
          throw new CorruptStructureException(file.source(), lc.fileOffset(), "ri",
              "an index root refers to another index root");
        }
        out.add(leaf(o, leaf, lc.data()));
      }
    } else {
      out.add(leaf(nk.subkeyList(), list, c.data()));
    }
    return out;
  }

  private boolean isIndexRoot(int key) throws CorruptStructureException {
    KeyNode nk = file.keyNode(key);
    return nk.subkeyCount() > 0 && file.cell(nk.subkeyList(), "subkey list").signature()
        .equals("ri");
  }

  private void insertIntoList(int parent, int child, String name) throws IOException {
    List<Leaf> leaves = leaves(parent);
    if (leaves.isEmpty()) {
      put32(parent, NK_LIST, writeLeaf(Cell.NONE, new int[] {child}, null));
      return;
    }
    boolean indexed = isIndexRoot(parent);
    int li = leaves.size() - 1;
    for (int i = 0; i < leaves.size(); i++) {
      int[] keys = leaves.get(i).keys();
      if (keys.length > 0 && compareStored(keys[keys.length - 1], name) >= 0) {
        li = i;
        break;
      }
    }
    Leaf leaf = leaves.get(li);
    int[] keys = leaf.keys();
    int lo = 0;
    int hi = keys.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (compareStored(keys[mid], name) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int[] grown = new int[keys.length + 1];
    System.arraycopy(keys, 0, grown, 0, lo);
    grown[lo] = child;
    System.arraycopy(keys, lo, grown, lo + 1, keys.length - lo);
    int[] grownHashes = null;
    if (leaf.hashes() != null) {
      int[] h = leaf.hashes();
      grownHashes = new int[h.length + 1];
      System.arraycopy(h, 0, grownHashes, 0, lo);
      grownHashes[lo] = file.baseBlock().minorVersion() >= 5 ? lhHash(name) : lfHint(name);
      System.arraycopy(h, lo, grownHashes, lo + 1, h.length - lo);
    }
    List<Integer> cells = new ArrayList<>();
    for (Leaf l : leaves) {
      cells.add(l.cell());
    }
    if (grown.length <= MAX_LEAF) {
      int cell = writeLeaf(leaf.cell(), grown, grownHashes);
      if (!indexed) {
        put32(parent, NK_LIST, cell);
        return;
      }
      cells.set(li, cell);
    } else {
      int half = grown.length / 2;
      int[] left = java.util.Arrays.copyOfRange(grown, 0, half);
      int[] right = java.util.Arrays.copyOfRange(grown, half, grown.length);
      int a = writeLeaf(leaf.cell(), left, grownHashes == null ? null
          : java.util.Arrays.copyOfRange(grownHashes, 0, half));
      int b = writeLeaf(Cell.NONE, right, grownHashes == null ? null
          : java.util.Arrays.copyOfRange(grownHashes, half, grown.length));
      cells.set(li, a);
      cells.add(li + 1, b);
      if (cells.size() > MAX_INDEX) {
        throw new UnsupportedFeatureException(null, "more than " + MAX_INDEX * (long) MAX_LEAF
            + " subkeys", file.source() + ": the subkey index of a key is full");
      }
    }
    int ri = indexed ? get32(parent, NK_LIST) : Cell.NONE;
    put32(parent, NK_LIST, writeIndexRoot(ri, cells));
  }

  private void removeFromList(int parent, int child) throws IOException {
    List<Leaf> leaves = leaves(parent);
    boolean indexed = isIndexRoot(parent);
    for (int li = 0; li < leaves.size(); li++) {
      Leaf leaf = leaves.get(li);
      int[] keys = leaf.keys();
      int at = -1;
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] == child) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        continue;
      }
      int[] shrunk = new int[keys.length - 1];
      System.arraycopy(keys, 0, shrunk, 0, at);
      System.arraycopy(keys, at + 1, shrunk, at, keys.length - at - 1);
      int[] shrunkHashes = null;
      if (leaf.hashes() != null) {
        int[] h = leaf.hashes();
        shrunkHashes = new int[h.length - 1];
        System.arraycopy(h, 0, shrunkHashes, 0, at);
        System.arraycopy(h, at + 1, shrunkHashes, at, h.length - at - 1);
      }
      if (!indexed) {
        if (shrunk.length == 0) {
          alloc.free(leaf.cell());
          put32(parent, NK_LIST, Cell.NONE);
        } else {
          put32(parent, NK_LIST, writeLeaf(leaf.cell(), shrunk, shrunkHashes));
        }
        return;
      }
      List<Integer> cells = new ArrayList<>();
      for (Leaf l : leaves) {
        cells.add(l.cell());
      }
      int ri = get32(parent, NK_LIST);
      if (shrunk.length == 0) {
        alloc.free(leaf.cell());
        cells.remove(li);
      } else {
        cells.set(li, writeLeaf(leaf.cell(), shrunk, shrunkHashes));
      }
      if (cells.isEmpty()) {
        alloc.free(ri);
        put32(parent, NK_LIST, Cell.NONE);
      } else {
        put32(parent, NK_LIST, writeIndexRoot(ri, cells));
      }
      return;
    }
    throw new CorruptStructureException(file.source(), -1, "subkey list", "key node " + child
        + " is missing from its parent's subkey list");
  }

  /**
   * Writes an lh (or lf) leaf, in place when the old cell is big enough; returns its offset.
   * The hashes are computed from the names when {@code hashes} is null.
   */
  private int writeLeaf(int old, int[] keys, int[] hashes) throws IOException {
    boolean lh = file.baseBlock().minorVersion() >= 5;
    int length = SubkeyList.leafLength(keys.length);
    int cell = reuseOrAllocate(old, length);
    int[] h = hashes;
    if (h == null) {
      h = new int[keys.length];
      for (int i = 0; i < keys.length; i++) {
        String name = nameOf(keys[i]);
        h[i] = lh ? lhHash(name) : lfHint(name);
      }
    }
    SubkeyList.writeLeaf(file.bins(), cell + 4, lh ? "lh" : "lf", keys, h);
    file.markDirty(cell, 4 + length);
    return cell;
  }

  private int writeIndexRoot(int old, List<Integer> leaves) throws IOException {
    int length = SubkeyList.indexLength(leaves.size());
    int cell = reuseOrAllocate(old, length);
    SubkeyList.writeIndexRoot(file.bins(), cell + 4,
        leaves.stream().mapToInt(Integer::intValue).toArray());
    file.markDirty(cell, 4 + length);
    return cell;
  }

  /**
   * The old cell when its data holds {@code length} bytes without wasting more than half of it,
   * else a new one (the old is freed). Lists thus shrink as entries go, as Windows reallocates
   * them.
   */
  private int reuseOrAllocate(int old, int length) throws IOException {
    if (old != Cell.NONE) {
      if (roomy(old, length)) {
        return old;
      }
      int cell = alloc.allocate(length);
      alloc.free(old);
      return cell;
    }
    return alloc.allocate(length);
  }

  /** The lh hash: for each UTF-16 code unit of the upper-cased name, h = 37 * h + unit. */
  public static int lhHash(String name) {
    int h = 0;
    for (int i = 0; i < name.length(); i++) {
      h = 37 * h + Character.toUpperCase(name.charAt(i));
    }
    return h;
  }

  /**
   * The lf name hint: the first four characters of the name, one byte each, zero-padded; all zero
   * when one of them is not below U+0100.
   */
  public static int lfHint(String name) {
    int h = 0;
    for (int i = 0; i < 4 && i < name.length(); i++) {
      char c = name.charAt(i);
      if (c > 0xff) {
        return 0;
      }
      h |= c << (8 * i);
    }
    return h;
  }

  /**
   * Compares names the way Windows orders subkey lists: code unit by code unit after upper-casing
   * each, as unsigned numbers; a proper prefix sorts first.
   */
  public static int compareNames(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = Character.toUpperCase(a.charAt(i));
      char y = Character.toUpperCase(b.charAt(i));
      if (x != y) {
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  // ---------------------------------------------------------------- values

  /** Creates or replaces a value of an existing key. */
  public void setValue(String keyPath, String name, int type, byte[] data) throws IOException {
    checkName(name, MAX_VALUE_NAME, "value");
    int key = find(parts(keyPath));
    if (key < 0) {
      throw new NoSuchFileException(keyPath, null, "no such registry key");
    }
    int[] stored = stored(data);
    int existing = findValue(key, name);
    ByteBuffer b = file.bins();
    if (existing >= 0) {
      ValueKey old = file.valueKey(existing);
      freeData(old);
      int d = existing + 4;
      b.putInt(d + ValueKey.DATA_SIZE, stored[0]).putInt(d + ValueKey.DATA_OFFSET, stored[1])
          .putInt(d + ValueKey.TYPE, type);
      file.markDirty(d, 16);
    } else {
      byte[] raw = encodeName(name);
      int vk = alloc.allocate(ValueKey.FIXED + raw.length);
      ValueKey.writeTo(file.bins(), vk + 4, raw, compressible(name) && !name.isEmpty()
          ? ValueKey.VALUE_COMP_NAME : 0, stored[0], stored[1], type);
      file.markDirty(vk, CellAllocator.cellSize(ValueKey.FIXED + raw.length));
      int count = get32(key, NK_VALUES);
      int list = count == 0 ? Cell.NONE : get32(key, NK_VALUE_LIST);
      int newList = reuseOrAllocateCopy(list, count * 4, (count + 1) * 4);
      file.bins().putInt(newList + 4 + count * 4, vk);
      file.markDirty(newList + 4 + count * 4, 4);
      put32(key, NK_VALUE_LIST, newList);
      put32(key, NK_VALUES, count + 1);
      if (get32(key, NK_MAX_VALUE_NAME) < name.length() * 2) {
        put32(key, NK_MAX_VALUE_NAME, name.length() * 2);
      }
    }
    if (Integer.compareUnsigned(get32(key, NK_MAX_VALUE_DATA), data.length) < 0) {
      put32(key, NK_MAX_VALUE_DATA, data.length);
    }
    touch(key);
  }

  /** Deletes a value; false when the key or the value does not exist. */
  public boolean deleteValue(String keyPath, String name) throws IOException {
    int key = find(parts(keyPath));
    if (key < 0) {
      return false;
    }
    int vk = findValue(key, name);
    if (vk < 0) {
      return false;
    }
    KeyNode nk = file.keyNode(key);
    int[] values = file.values(nk);
    int list = nk.valueList();
    freeValue(vk);
    if (values.length == 1) {
      alloc.free(list);
      put32(key, NK_VALUE_LIST, Cell.NONE);
      put32(key, NK_MAX_VALUE_NAME, 0);
      put32(key, NK_MAX_VALUE_DATA, 0);
    } else {
      ByteBuffer b = file.bins();
      int n = 0;
      for (int v : values) {
        if (v != vk) {
          b.putInt(list + 4 + n * 4, v);
          n++;
        }
      }
      file.markDirty(list + 4, values.length * 4);
      if (!roomy(list, n * 4)) {
        put32(key, NK_VALUE_LIST, reuseOrAllocateCopy(list, n * 4, n * 4));
      }
    }
    put32(key, NK_VALUES, values.length - 1);
    touch(key);
    return true;
  }

  private int findValue(int key, String name) throws CorruptStructureException {
    for (int v : file.values(file.keyNode(key))) {
      if (equalsIgnoreCase(file.valueKey(v).name(), name)) {
        return v;
      }
    }
    return -1;
  }

  private void freeValue(int vk) throws CorruptStructureException {
    freeData(file.valueKey(vk));
    alloc.free(vk);
  }

  /** Frees the cells holding a value's data (nothing for inline or empty data). */
  private void freeData(ValueKey vk) throws CorruptStructureException {
    if (vk.inline() || vk.length() == 0) {
      return;
    }
    Cell c = file.cell(vk.dataOffset(), "value data");
    if (vk.length() > BigData.SEGMENT && c.signature().equals("db")
        && file.baseBlock().minorVersion() >= 4) {
      BigData db = BigData.parse(c.data(), file.source(), c.fileOffset());
      Cell lc = file.cell(db.segmentList(), "db segment list");
      if ((long) db.segmentCount() * 4 > lc.data().limit()) {
        throw new CorruptStructureException(file.source(), lc.fileOffset(), "db segment list",
            db.segmentCount() + " segments do not fit in the cell");
      }
      int[] segments = new int[db.segmentCount()];
      for (int i = 0; i < segments.length; i++) {
        segments[i] = lc.data().getInt(i * 4);
      }
      for (int s : segments) {
        alloc.free(s);
      }
      alloc.free(db.segmentList());
    }
    alloc.free(vk.dataOffset());
  }

  /** Stores data; returns the vk's data size field and data offset field. */
  private int[] stored(byte[] data) throws IOException {
    if (data.length <= 4) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      b.put(data);
      return new int[] {data.length | 0x80000000, b.getInt(0)};
    }
    if (data.length > BigData.SEGMENT && file.baseBlock().minorVersion() >= 4) {
      int count = (data.length + BigData.SEGMENT - 1) / BigData.SEGMENT;
      if (count > 0xffff) {
        throw new UnsupportedFeatureException(null, "value data of " + data.length + " bytes",
            "more than 65535 big data segments");
      }
      int[] segments = new int[count];
      for (int i = 0; i < count; i++) {
        int from = i * BigData.SEGMENT;
        int n = Math.min(BigData.SEGMENT, data.length - from);
        // Four spare bytes after the data, as in Windows' 16352-byte cells of full segments:
        // hivex takes a segment's cell size minus 8 as its data length.
        segments[i] = alloc.allocate(n + 4);
        file.bins().put(segments[i] + 4, data, from, n);
      }
      int list = alloc.allocate(count * 4);
      for (int i = 0; i < count; i++) {
        file.bins().putInt(list + 4 + i * 4, segments[i]);
      }
      int db = alloc.allocate(BigData.LENGTH);
      new BigData(count, list).writeTo(file.bins(), db + 4);
      return new int[] {data.length, db};
    }
    int cell = alloc.allocate(data.length);
    file.bins().put(cell + 4, data);
    return new int[] {data.length, cell};
  }

  /** Whether a cell holds {@code length} bytes and is at most about twice as big. */
  private boolean roomy(int cell, int length) throws CorruptStructureException {
    int capacity = alloc.sizeOf(cell) - 4;
    return capacity >= length && capacity <= 2 * length + 64;
  }

  /** A cell for a list growing from {@code oldLength} to {@code length} bytes, contents kept. */
  private int reuseOrAllocateCopy(int old, int oldLength, int length) throws IOException {
    if (old != Cell.NONE && roomy(old, length)) {
      return old;
    }
    int cell = alloc.allocate(length);
    if (old != Cell.NONE) {
      ByteBuffer b = file.bins();
      for (int i = 0; i < oldLength; i++) {
        b.put(cell + 4 + i, b.get(old + 4 + i));
      }
      alloc.free(old);
    }
    return cell;
  }

  // ---------------------------------------------------------------- commit

  /** Writes the changes made since the last commit through the store. */
  public void commit() throws IOException {
    if (!dirty()) {
      return;
    }
    if (store == null) {
      throw new UnsupportedFeatureException(null, "commit", "this editor has no store");
    }
    ByteBuffer bb = ByteBuffer.wrap(baseBlock.clone()).order(ByteOrder.LITTLE_ENDIAN);
    int size = file.bins().limit();
    bb.putLong(12, now()).putInt(36, file.baseBlock().rootCellOffset()).putInt(40, size);
    ByteBuffer bins = file.bins().duplicate().clear().limit(size).order(ByteOrder.LITTLE_ENDIAN);
    store.commit(bb, bins, file.dirtySectors());
    bb.get(0, baseBlock);
    file.clearDirty();
  }

  /** Whether there are changes not yet committed. */
  public boolean dirty() {
    return file.isDirty();
  }

  /**
   * The whole hive as it stands in memory (base block with sequence numbers and checksum set,
   * then the hive bins), for tests and fuzzing.
   */
  public ByteBuffer snapshot() {
    int size = file.bins().limit();
    ByteBuffer out = ByteBuffer.allocate(BaseBlock.SIZE + size).order(ByteOrder.LITTLE_ENDIAN);
    out.put(0, baseBlock);
    out.putInt(36, file.baseBlock().rootCellOffset()).putInt(40, size);
    out.putInt(8, out.getInt(4));
    out.putInt(508, BaseBlock.computeChecksum(out));
    out.put(BaseBlock.SIZE, file.bins(), 0, size);
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private int root() {
    return file.baseBlock().rootCellOffset();
  }

  private int find(List<String> parts) throws CorruptStructureException {
    int key = root();
    for (String part : parts) {
      key = findChild(key, part);
      if (key < 0) {
        return -1;
      }
    }
    return key;
  }

  private int findChild(int key, String name) throws CorruptStructureException {
    int[] keys = file.subkeys(file.keyNode(key));
    if (sorted(key, keys)) {
      int lo = 0;
      int hi = keys.length - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = compareStored(keys[mid], name);
        if (c == 0) {
          return keys[mid];
        } else if (c < 0) {
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return -1;
    }
    for (int c : keys) {
      if (compareStored(c, name) == 0) {
        return c;
      }
    }
    return -1;
  }

  /**
   * Whether a key's subkey list is in order (so a binary search finds every name). Checked once
   * per key; the editor's own inserts keep the order, and a freed key node forgets it.
   */
  private boolean sorted(int key, int[] keys) throws CorruptStructureException {
    if (sortedKeys.contains(key)) {
      return true;
    }
    if (keys.length < 16) {
      return false;
    }
    String prev = nameOf(keys[0]);
    for (int i = 1; i < keys.length; i++) {
      String cur = nameOf(keys[i]);
      if (compareNames(prev, cur) >= 0) {
        return false;
      }
      prev = cur;
    }
    sortedKeys.add(key);
    return true;
  }

  /**
   * {@link #compareNames} of a key node's stored name and NAME, read in place without decoding
   * the stored name.
   */
  private int compareStored(int nk, String name) throws CorruptStructureException {
    ByteBuffer b = file.bins();
    if (nk < HiveBinHeader.SIZE || (nk & 7) != 0 || nk > b.limit() - 4 - KeyNode.FIXED) {
      file.keyNode(nk);
    }
    int size = -b.getInt(nk);
    int d = nk + 4;
    int raw = b.getShort(d + NK_NAME_LENGTH) & 0xffff;
    if (size < 4 + KeyNode.FIXED || nk + (long) size > b.limit()
        || KeyNode.FIXED + raw > size - 4 || b.get(d) != 'n' || b.get(d + 1) != 'k') {
      return compareNames(nameOf(nk), name);
    }
    boolean compressed = (b.getShort(d + NK_FLAGS) & KeyNode.KEY_COMP_NAME) != 0;
    int length = compressed ? raw : raw / 2;
    int n = Math.min(length, name.length());
    int at = d + KeyNode.FIXED;
    for (int i = 0; i < n; i++) {
      char x = compressed ? (char) (b.get(at + i) & 0xff) : b.getChar(at + 2 * i);
      char y = name.charAt(i);
      if (x != y) {
        x = Character.toUpperCase(x);
        y = Character.toUpperCase(y);
        if (x != y) {
          return Character.compare(x, y);
        }
      }
    }
    return Integer.compare(length, name.length());
  }

  private String nameOf(int nk) throws CorruptStructureException {
    return file.keyNode(nk).name();
  }

  private static List<String> parts(String path) {
    List<String> out = new ArrayList<>();
    for (String p : path.split("\\\\")) {
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  private static void checkName(String name, int max, String what) {
    if (name.length() > max) {
      throw new IllegalArgumentException(what + " name longer than " + max + " characters");
    }
    if (what.equals("key") && (name.isEmpty() || name.indexOf('\\') >= 0)) {
      throw new IllegalArgumentException("key name \"" + name + "\" is empty or has a backslash");
    }
  }

  static boolean compressible(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) >= 0x100) {
        return false;
      }
    }
    return true;
  }

  static byte[] encodeName(String name) {
    return name.getBytes(compressible(name) ? StandardCharsets.ISO_8859_1
        : StandardCharsets.UTF_16LE);
  }

  /** Whether two names are equal when each UTF-16 code unit is upper-cased on its own. */
  static boolean equalsIgnoreCase(String a, String b) {
    return a.length() == b.length() && compareNames(a, b) == 0;
  }

  private int get32(int cell, int field) {
    return file.bins().getInt(cell + 4 + field);
  }

  private void put32(int cell, int field, int value) {
    file.bins().putInt(cell + 4 + field, value);
    file.markDirty(cell + 4 + field, 4);
  }

  private void touch(int key) {
    file.bins().putLong(key + 4 + NK_WRITTEN, now());
    file.markDirty(key + 4 + NK_WRITTEN, 8);
  }

  /** Now as a FILETIME (100 ns since 1601). */
  static long now() {
    java.time.Instant t = java.time.Instant.now();
    return (t.getEpochSecond() + 11_644_473_600L) * 10_000_000L + t.getNano() / 100;
  }
}
