package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A structural check of a whole hive, stricter than reading it: it lists every violation of the
 * format rules a writer must keep, and never throws for a corrupt hive.
 *
 * <ul>
 *   <li>the cells tile every hive bin exactly (sizes multiples of 8, none crossing the bin's end);
 *   <li>every referenced cell (key nodes, subkey lists, value lists, value keys, data, big data
 *       segments and their lists, class names, security cells) is the start of an allocated
 *       cell, and no cell other than a security cell is referenced twice;
 *   <li>subkey lists are sorted by the upper-cased name without duplicates, lh hashes and lf
 *       hints are right, list lengths agree with the key's subkey count, and a key's parent field
 *       names its parent;
 *   <li>the largest subkey name, value name and value data fields are at least what the key's
 *       subkeys and values need;
 *   <li>the security cells form one circular list (forward and backward links agree), each
 *       one's reference count equals the number of keys using it, and every key's sk is in it;
 *   <li>no allocated cell is left unreferenced (a leak).
 * </ul>
 */
public final class HiveCheck {
  private final HiveFile file;
  private final List<String> problems = new ArrayList<>();
  private final TreeMap<Integer, Integer> allocated = new TreeMap<>();
  private final Map<Integer, String> referenced = new HashMap<>();
  private final Map<Integer, Integer> skUsers = new HashMap<>();

  private HiveCheck(HiveFile file) {
    this.file = file;
  }

  /** The problems found, empty for a hive that keeps every rule. */
  public static List<String> check(HiveFile file) {
    HiveCheck c = new HiveCheck(file);
    try {
      c.run();
    } catch (CorruptStructureException | RuntimeException e) {
      c.problems.add("check stopped: " + e);
    }
    return c.problems;
  }

  private void run() throws CorruptStructureException {
    scanBins();
    walkKeys();
    checkSecurityList();
    for (Map.Entry<Integer, Integer> e : allocated.entrySet()) {
      if (!referenced.containsKey(e.getKey())) {
        problems.add("leak: allocated cell at " + e.getKey() + " (" + e.getValue()
            + " bytes, \"" + signature(e.getKey()) + "\") is not referenced");
      }
    }
  }

  private void scanBins() throws CorruptStructureException {
    ByteBuffer b = file.bins();
    int at = 0;
    int limit = b.limit();
    if (file.baseBlock().hiveBinsDataSize() != limit) {
      problems.add("base block data size " + file.baseBlock().hiveBinsDataSize()
          + " differs from the bins' " + limit);
    }
    while (at < limit) {
      HiveBinHeader h = HiveBinHeader.parse(b.slice(at, Math.min(HiveBinHeader.SIZE,
          limit - at)), at, limit - at, file.source());
      int end = at + h.size();
      int c = at + HiveBinHeader.SIZE;
      while (c < end) {
        int raw = b.getInt(c);
        long size = Math.abs((long) raw);
        if (size < 8 || (size & 7) != 0 || c + size > end) {
          problems.add("cell at " + c + " of size " + raw + " does not tile the bin at " + at);
          break;
        }
        if (raw < 0) {
          allocated.put(c, (int) size);
        }
        c += (int) size;
      }
      at = end;
    }
  }

  private boolean ref(int offset, String what) {
    if (!allocated.containsKey(offset)) {
      problems.add(what + " at " + offset + " is not an allocated cell");
      return false;
    }
    String before = referenced.putIfAbsent(offset, what);
    if (before != null && !what.equals("sk")) {
      problems.add(what + " at " + offset + " is also referenced as " + before);
      return false;
    }
    return true;
  }

  private String signature(int offset) {
    ByteBuffer b = file.bins();
    if (offset + 6 > b.limit()) {
      return "";
    }
    char x = (char) (b.get(offset + 4) & 0xff);
    char y = (char) (b.get(offset + 5) & 0xff);
    return Character.isLetter(x) && Character.isLetter(y) ? "" + x + y : "";
  }

  private void walkKeys() {
    int root = file.baseBlock().rootCellOffset();
    Deque<int[]> todo = new ArrayDeque<>();
    todo.push(new int[] {root, -1});
    Set<Integer> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      int[] item = todo.pop();
      int off = item[0];
      if (!seen.add(off)) {
        problems.add("key node at " + off + " is reached twice");
        continue;
      }
      if (!ref(off, "nk")) {
        continue;
      }
      try {
        checkKey(off, item[1], todo);
      } catch (CorruptStructureException e) {
        problems.add("key node at " + off + ": " + e.getMessage());
      }
    }
  }

  private void checkKey(int off, int parent, Deque<int[]> todo) throws CorruptStructureException {
    KeyNode nk = file.keyNode(off);
    String where = "key " + nk.name() + " at " + off;
    if (parent >= 0 && nk.parent() != parent) {
      problems.add(where + ": parent field " + nk.parent() + " is not its parent " + parent);
    }
    skUsers.merge(nk.security(), 1, Integer::sum);
    if (nk.classNameOffset() != Cell.NONE && nk.classNameLength() > 0) {
      ref(nk.classNameOffset(), "class name");
    }
    ByteBuffer raw = file.cell(off, "nk").data();
    int maxName = raw.getInt(52) & 0xffff;
    int maxClass = raw.getInt(56);
    int maxValueName = raw.getInt(60);
    int maxValueData = raw.getInt(64);
    if (nk.subkeyCount() > 0) {
      List<Integer> keys = new ArrayList<>();
      if (ref(nk.subkeyList(), "subkey list")) {
        Cell c = file.cell(nk.subkeyList(), "subkey list");
        SubkeyList list = SubkeyList.parse(c.data(), file.source(), c.fileOffset());
        if (list.type().equals("ri")) {
          for (int leaf : list.offsets()) {
            if (ref(leaf, "subkey list leaf")) {
              Cell lc = file.cell(leaf, "subkey list");
              leaf(where, lc, keys);
            }
          }
        } else {
          leaf(where, c, keys);
        }
      }
      if (keys.size() != nk.subkeyCount()) {
        problems.add(where + ": lists " + keys.size() + " subkeys, count says "
            + nk.subkeyCount());
      }
      String prev = null;
      for (int k : keys) {
        KeyNode child = file.keyNode(k);
        if (prev != null && HiveEditor.compareNames(prev, child.name()) >= 0) {
          problems.add(where + ": subkeys out of order: \"" + prev + "\" before \""
              + child.name() + "\"");
        }
        prev = child.name();
        if (child.name().length() * 2 > maxName) {
          problems.add(where + ": largest subkey name " + maxName + " < " + child.name().length()
              * 2 + " (" + child.name() + ")");
        }
        if (child.classNameLength() > maxClass) {
          problems.add(where + ": largest subkey class name " + maxClass + " < "
              + child.classNameLength());
        }
        todo.push(new int[] {k, off});
      }
    }
    if (nk.valueCount() > 0) {
      if (!ref(nk.valueList(), "value list")) {
        return;
      }
      Set<String> names = new HashSet<>();
      for (int v : file.values(nk)) {
        if (!ref(v, "vk")) {
          continue;
        }
        ValueKey vk = file.valueKey(v);
        if (!names.add(upper(vk.name()))) {
          problems.add(where + ": two values named " + vk.name());
        }
        if (vk.name().length() * 2 > maxValueName) {
          problems.add(where + ": largest value name " + maxValueName + " < "
              + vk.name().length() * 2);
        }
        if (Integer.compareUnsigned(maxValueData, vk.length()) < 0) {
          problems.add(where + ": largest value data " + maxValueData + " < " + vk.length());
        }
        data(where + " value " + vk.name(), vk);
      }
    }
  }

  private void leaf(String where, Cell c, List<Integer> keys) throws CorruptStructureException {
    SubkeyList leaf = SubkeyList.parse(c.data(), file.source(), c.fileOffset());
    if (leaf.type().equals("ri")) {
      problems.add(where + ": an index root refers to an index root");
      return;
    }
    for (int i = 0; i < leaf.offsets().length; i++) {
      int k = leaf.offsets()[i];
      keys.add(k);
      if (leaf.type().equals("lh") || leaf.type().equals("lf")) {
        if (!allocated.containsKey(k)) {
          continue;
        }
        String name = file.keyNode(k).name();
        int stored = c.data().getInt(8 + i * 8);
        int expected = leaf.type().equals("lh") ? HiveEditor.lhHash(name)
            : HiveEditor.lfHint(name);
        if (stored != expected) {
          problems.add(where + ": " + leaf.type() + " hash of " + name + " is "
              + Integer.toHexString(stored) + ", expected " + Integer.toHexString(expected));
        }
      }
    }
  }

  private void data(String where, ValueKey vk) throws CorruptStructureException {
    int length = vk.length();
    if (vk.inline()) {
      if (length > 4) {
        problems.add(where + ": inline data of " + length + " bytes");
      }
      return;
    }
    if (length == 0) {
      return;
    }
    if (!ref(vk.dataOffset(), "value data")) {
      return;
    }
    Cell c = file.cell(vk.dataOffset(), "value data");
    if (length > BigData.SEGMENT && c.signature().equals("db")
        && file.baseBlock().minorVersion() >= 4) {
      BigData db = BigData.parse(c.data(), file.source(), c.fileOffset());
      if (!ref(db.segmentList(), "db segment list")) {
        return;
      }
      Cell lc = file.cell(db.segmentList(), "db segment list");
      if ((long) db.segmentCount() * 4 > lc.data().limit()) {
        problems.add(where + ": db segment list too small");
        return;
      }
      long total = 0;
      for (int i = 0; i < db.segmentCount(); i++) {
        int s = lc.data().getInt(i * 4);
        if (ref(s, "db segment")) {
          total += Math.min(BigData.SEGMENT, file.cell(s, "db segment").data().limit());
        }
      }
      if (total < length) {
        problems.add(where + ": db segments hold " + total + " of " + length + " bytes");
      }
    } else if (length > c.data().limit()) {
      problems.add(where + ": data of " + length + " bytes in a cell of " + c.data().limit());
    }
  }

  private void checkSecurityList() throws CorruptStructureException {
    int root = file.baseBlock().rootCellOffset();
    int first;
    try {
      first = file.keyNode(root).security();
    } catch (CorruptStructureException e) {
      problems.add("root key: " + e.getMessage());
      return;
    }
    Set<Integer> inList = new HashSet<>();
    int at = first;
    int limit = allocated.size() + 1;
    while (inList.size() <= limit) {
      if (!allocated.containsKey(at)) {
        problems.add("security list reaches " + at + ", not an allocated cell");
        break;
      }
      referenced.putIfAbsent(at, "sk");
      Cell c = file.cell(at, "sk");
      SecurityKey sk = SecurityKey.parse(c.data(), file.source(), c.fileOffset());
      inList.add(at);
      int users = skUsers.getOrDefault(at, 0);
      if (sk.referenceCount() != users) {
        problems.add("sk at " + at + ": reference count " + sk.referenceCount() + ", used by "
            + users + " keys");
      }
      int next = sk.flink();
      if (allocated.containsKey(next)) {
        Cell nc = file.cell(next, "sk");
        SecurityKey n = SecurityKey.parse(nc.data(), file.source(), nc.fileOffset());
        if (n.blink() != at) {
          problems.add("sk at " + next + ": backward link " + n.blink() + ", expected " + at);
        }
      }
      if (next == first || inList.contains(next)) {
        if (next != first) {
          problems.add("security list loops back to " + next + ", not to the first " + first);
        }
        break;
      }
      at = next;
    }
    for (int sk : skUsers.keySet()) {
      if (!inList.contains(sk)) {
        problems.add("sk at " + sk + " is used by keys but not in the security list");
        referenced.putIfAbsent(sk, "sk");
      }
    }
  }

  private static String upper(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      b.append(Character.toUpperCase(s.charAt(i)));
    }
    return b.toString();
  }
}
