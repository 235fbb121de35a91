package dev.vdisk.registry;

import dev.vdisk.registry.internal.HiveFile;
import dev.vdisk.registry.internal.KeyNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A key of an open {@link Hive}. Names compare case-insensitively the way Windows compares them:
 * each UTF-16 code unit is upper-cased on its own ({@link Character#toUpperCase(char)}), which is
 * close to Windows' own upcase table (it does not fold characters whose upper case lies outside
 * the Basic Multilingual Plane or needs several characters).
 */
public final class RegistryKey {
  private final HiveFile file;
  private final int offset;
  private final KeyNode node;
  private final String path;

  RegistryKey(HiveFile file, int offset, KeyNode node, String path) {
    this.file = file;
    this.offset = offset;
    this.node = node;
    this.path = path;
  }

  /** The key's stored name (for the root key, the root's own stored name). */
  public String name() {
    return node.name();
  }

  /** Backslash-separated path from the root, "" for the root. */
  public String path() {
    return path;
  }

  /** When the key was last written. */
  public Instant lastWritten() {
    return filetime(node.lastWritten());
  }

  /** The key's class name, if it has one. */
  public Optional<String> className() throws IOException {
    return Optional.ofNullable(file.className(node));
  }

  /** The subkeys in stored (sorted) order. */
  public List<RegistryKey> subkeys() throws IOException {
    int[] offsets = file.subkeys(node);
    List<RegistryKey> out = new ArrayList<>(offsets.length);
    for (int o : offsets) {
      KeyNode child = file.keyNode(o);
      out.add(new RegistryKey(file, o, child, path.isEmpty() ? child.name()
          : path + "\\" + child.name()));
    }
    return out;
  }

  /** The subkey with this name, compared case-insensitively. */
  public Optional<RegistryKey> subkey(String name) throws IOException {
    for (RegistryKey k : subkeys()) {
      if (equalsIgnoreCase(k.name(), name)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The values in stored order. */
  public List<RegistryValue> values() throws IOException {
    int[] offsets = file.values(node);
    List<RegistryValue> out = new ArrayList<>(offsets.length);
    for (int o : offsets) {
      var vk = file.valueKey(o);
      out.add(new RegistryValue(vk.name(), vk.type(), file.valueData(vk)));
    }
    return out;
  }

  /** The value with this name ("" for the default value), compared case-insensitively. */
  public Optional<RegistryValue> value(String name) throws IOException {
    for (int o : file.values(node)) {
      var vk = file.valueKey(o);
      if (equalsIgnoreCase(vk.name(), name)) {
        return Optional.of(new RegistryValue(vk.name(), vk.type(), file.valueData(vk)));
      }
    }
    return Optional.empty();
  }

  /** Offset of the key node relative to the first hive bin. */
  int cellOffset() {
    return offset;
  }

  /** Whether two names are equal when each UTF-16 code unit is upper-cased on its own. */
  static boolean equalsIgnoreCase(String a, String b) {
    if (a.length() != b.length()) {
      return false;
    }
    for (int i = 0; i < a.length(); i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y && Character.toUpperCase(x) != Character.toUpperCase(y)) {
        return false;
      }
    }
    return true;
  }

  static Instant filetime(long ft) {
    long seconds = Math.floorDiv(ft, 10_000_000L) - 11_644_473_600L;
    long nanos = Math.floorMod(ft, 10_000_000L) * 100;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  @Override
  public String toString() {
    return "RegistryKey[" + path + "]";
  }
}
