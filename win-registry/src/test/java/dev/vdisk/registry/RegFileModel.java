package dev.vdisk.registry;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of a hive as plain maps, for comparing what a {@code .reg} file says with what a hive
 * holds: key paths below the root ("" is the root, components joined by one backslash) to the
 * key's values by name. Keys and value names are matched case-insensitively, as Windows does, but
 * kept as first written.
 */
final class RegFileModel {
  /** Lower-cased path to the key. */
  private final Map<String, Key> keys = new TreeMap<>();

  /** One key: its path as written and its values by lower-cased name. */
  static final class Key {
    final String path;
    final Map<String, RegistryValue> values = new LinkedHashMap<>();

    Key(String path) {
      this.path = path;
    }
  }

  RegFileModel() {
    keys.put("", new Key(""));
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  /** Creates the key and its parents. */
  Key create(String path) {
    Key k = keys.get(lower(path));
    if (k != null) {
      return k;
    }
    int slash = path.lastIndexOf('\\');
    if (slash >= 0) {
      create(path.substring(0, slash));
    }
    k = new Key(path);
    keys.put(lower(path), k);
    return k;
  }

  void delete(String path) {
    String l = lower(path);
    keys.keySet().removeIf(k -> k.equals(l) || k.startsWith(l + "\\"));
  }

  void set(String path, RegistryValue v) {
    create(path).values.put(lower(v.name()), v);
  }

  void deleteValue(String path, String name) {
    Key k = keys.get(lower(path));
    if (k != null) {
      k.values.remove(lower(name));
    }
  }

  /** Applies the records of FILE in order (the way {@link RegImport} means them). */
  RegFileModel apply(RegFile file, String prefix) throws CorruptStructureException {
    for (RegFile.Record r : file.records()) {
      String p = RegImport.hivePath(file, r, prefix);
      if (r instanceof RegFile.CreateKey) {
        create(p);
      } else if (r instanceof RegFile.DeleteKey) {
        delete(p);
      } else if (r instanceof RegFile.SetValue s) {
        set(p, s.value());
      } else if (r instanceof RegFile.DeleteValue d) {
        deleteValue(p, d.name());
      }
    }
    return this;
  }

  /** The model of everything in a hive, read with our reader. */
  static RegFileModel of(Hive hive) throws IOException {
    RegFileModel m = new RegFileModel();
    m.keys.clear();
    List<RegistryKey> stack = new ArrayList<>();
    stack.add(hive.root());
    while (!stack.isEmpty()) {
      RegistryKey k = stack.remove(stack.size() - 1);
      Key key = new Key(k.path());
      for (RegistryValue v : k.values()) {
        key.values.put(lower(v.name()), v);
      }
      m.keys.put(lower(k.path()), key);
      stack.addAll(k.subkeys());
    }
    return m;
  }

  /**
   * A canonical text form (keys sorted by lower-cased path, values by lower-cased name, data in
   * hex), so that assertions show the difference.
   */
  String describe() {
    StringBuilder sb = new StringBuilder();
    for (Key k : keys.values()) {
      sb.append('[').append(k.path).append("]\n");
      new TreeMap<>(k.values).forEach((n, v) -> sb.append('"').append(v.name()).append("\"=")
          .append(Integer.toHexString(v.type())).append(':')
          .append(java.util.HexFormat.of().formatHex(v.data())).append('\n'));
    }
    return sb.toString();
  }

  int keyCount() {
    return keys.size();
  }

  int valueCount() {
    int n = 0;
    for (Key k : keys.values()) {
      n += k.values.size();
    }
    return n;
  }
}
