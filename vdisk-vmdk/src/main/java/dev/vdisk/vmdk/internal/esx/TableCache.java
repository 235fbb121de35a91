package dev.vdisk.vmdk.internal.esx;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small least-recently-used cache of grain tables keyed by their file offset. Not thread-safe:
 * the extents call it under their own lock.
 *
 * @param <T> the decoded table type
 */
final class TableCache<T> {
  private final LinkedHashMap<Long, T> tables;

  TableCache(int maxTables) {
    this.tables =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, T> eldest) {
            return size() > maxTables;
          }
        };
  }

  T get(long key) {
    return tables.get(key);
  }

  void put(long key, T table) {
    tables.put(key, table);
  }
}
