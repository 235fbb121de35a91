package dev.vdisk.registry;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Applies a {@link RegFile} to a hive opened for writing, as {@code hivexregedit --merge
 * [--prefix P]} and {@code regedit /s} do, with these rules:
 *
 * <ul>
 *   <li>the records are applied in file order: {@code [KEY]} creates the key and its missing
 *       parents, {@code [-KEY]} deletes a key with everything below it (a missing key is no
 *       error), a value line sets or deletes a value of the current key (deleting a missing value
 *       is no error);
 *   <li>every key path must start with the prefix (compared case-insensitively, followed by a
 *       backslash or the end), which is removed; the rest is the path below the hive's root. With
 *       no prefix the paths are taken as written (a leading backslash names the root). A key
 *       outside the prefix, or deleting the root, is an error found before anything changes;
 *   <li>{@link Hive#commit()} is called once, after the last record: when an error stops the
 *       import, nothing has been committed and closing the hive discards the partial changes.
 * </ul>
 *
 * <p>Where hivexregedit differs: it does not create missing parents, it applies the value lines
 * of one {@code [KEY]} section together (deletions first, then the new values, so {@code "x"="1"}
 * followed by {@code "x"=-} leaves x set where this class deletes it), and it ignores a key path
 * outside the prefix by using it unchanged.
 */
public final class RegImport {
  private RegImport() {}

  /**
   * What an import changed.
   *
   * @param keysCreated keys that did not exist before (parents included)
   * @param keysDeleted {@code [-KEY]} records that deleted an existing key
   * @param valuesSet value lines that set a value
   * @param valuesDeleted value deletions that removed an existing value
   */
  public record Counts(int keysCreated, int keysDeleted, int valuesSet, int valuesDeleted) {}

  /**
   * Applies FILE to HIVE and commits.
   *
   * @param prefix removed from the start of every key path (for example {@code
   *     HKEY_LOCAL_MACHINE\SOFTWARE}), or null or "" for none
   * @throws CorruptStructureException when a key lies outside the prefix or a record deletes the
   *     root (nothing is changed then)
   */
  public static Counts apply(RegFile file, Hive hive, String prefix) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(hive, "hive");
    List<String> paths = new ArrayList<>(file.records().size());
    for (RegFile.Record r : file.records()) {
      String p = hivePath(file, r, prefix);
      if (r instanceof RegFile.DeleteKey && p.isEmpty()) {
        throw new CorruptStructureException(file.source(), r.line(), ".reg line",
            "line " + r.line() + ": the root key of a hive cannot be deleted: [-" + r.keyPath()
                + "]");
      }
      paths.add(p);
    }
    int created = 0;
    int deleted = 0;
    int set = 0;
    int valuesDeleted = 0;
    Set<String> known = new HashSet<>();
    for (int i = 0; i < paths.size(); i++) {
      RegFile.Record r = file.records().get(i);
      String path = paths.get(i);
      if (r instanceof RegFile.CreateKey) {
        created += createKey(hive, path, known);
      } else if (r instanceof RegFile.DeleteKey) {
        if (hive.deleteKey(path)) {
          deleted++;
        }
        String gone = path.toLowerCase(Locale.ROOT);
        known.removeIf(k -> k.equals(gone) || k.startsWith(gone + "\\"));
      } else if (r instanceof RegFile.SetValue s) {
        created += createKey(hive, path, known);
        hive.setValue(path, s.value());
        set++;
      } else if (r instanceof RegFile.DeleteValue d) {
        if (hive.deleteValue(path, d.name())) {
          valuesDeleted++;
        }
      }
    }
    hive.commit();
    return new Counts(created, deleted, set, valuesDeleted);
  }

  /** Creates the key and its parents; returns how many were missing. */
  private static int createKey(Hive hive, String path, Set<String> known) throws IOException {
    String lower = path.toLowerCase(Locale.ROOT);
    if (path.isEmpty() || known.contains(lower)) {
      return 0;
    }
    int missing = 0;
    String[] parts = path.split("\\\\");
    StringBuilder sb = new StringBuilder();
    boolean exists = true;
    for (String part : parts) {
      if (sb.length() > 0) {
        sb.append('\\');
      }
      sb.append(part);
      String p = sb.toString();
      String pl = p.toLowerCase(Locale.ROOT);
      if (exists && known.contains(pl)) {
        continue;
      }
      if (exists && hive.key(p).isPresent()) {
        known.add(pl);
        continue;
      }
      exists = false;
      missing++;
      known.add(pl);
    }
    if (missing > 0) {
      hive.createKey(path);
    }
    return missing;
  }

  /**
   * The record's key path below the hive root: the prefix removed, empty components dropped,
   * joined by single backslashes ("" is the root).
   */
  static String hivePath(RegFile file, RegFile.Record r, String prefix)
      throws CorruptStructureException {
    String p = r.keyPath();
    if (prefix != null && !prefix.isEmpty()) {
      String pre = prefix.endsWith("\\") ? prefix.substring(0, prefix.length() - 1) : prefix;
      boolean inside = p.length() >= pre.length()
          && p.regionMatches(true, 0, pre, 0, pre.length())
          && (p.length() == pre.length() || p.charAt(pre.length()) == '\\');
      if (!inside) {
        throw new CorruptStructureException(file.source(), r.line(), ".reg line",
            "line " + r.line() + ": key " + p + " is outside the prefix " + pre);
      }
      p = p.substring(pre.length());
    }
    StringBuilder sb = new StringBuilder();
    for (String part : p.split("\\\\")) {
      if (part.isEmpty()) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append('\\');
      }
      sb.append(part);
    }
    return sb.toString();
  }
}
