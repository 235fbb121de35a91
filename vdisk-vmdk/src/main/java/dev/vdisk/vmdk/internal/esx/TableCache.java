package dev.vdisk.vmdk.internal.esx;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small least-recently-used cache of grain tables keyed by their file offset. {@link
 * #getOrLoad} is synchronized on the cache; {@link #get} and {@link #put} are not.
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

  /** Reads and decodes one table. */
  @FunctionalInterface
  interface Loader<T> {
    T load() throws IOException;
  }

  /**
   * The cached table for {@code key}, loaded (under this cache's lock) when it is not cached.
   *
   * @param key the table's sector
   * @param loader reads it
   * @return the table
   * @throws IOException from the loader
   */
  synchronized T getOrLoad(long key, Loader<T> loader) throws IOException {
    T table = tables.get(key);
    if (table == null) {
      table = loader.load();
      tables.put(key, table);
    }
    return table;
  }
}
