package dev.vdisk.registry.internal;

import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Changes to a hive held in memory: cells are allocated, freed and rewritten in the hive bins
 * data; {@link #commit} hands the changed sectors to the {@link HiveStore}.
 */
public final class HiveEditor {
  private HiveEditor() {}

  /** Opens an editor over a store's current state. */
  public static HiveEditor open(HiveStore store) throws IOException {
    throw new UnsupportedFeatureException(null, "hive writing", "not written yet");
  }

  /** The bytes of a new empty hive (base block and one hive bin) with a root key of this name. */
  public static ByteBuffer emptyHive(String rootName) {
    throw new UnsupportedOperationException("not written yet");
  }

  /** The hive as it stands in memory, uncommitted changes included. */
  public HiveFile file() {
    throw new UnsupportedOperationException();
  }

  /** Creates a key and any missing parents; returns the key node's offset. */
  public int createKey(String path) throws IOException {
    throw new UnsupportedOperationException();
  }

  /** Deletes a key with all its subkeys and values; false when it does not exist. */
  public boolean deleteKey(String path) throws IOException {
    throw new UnsupportedOperationException();
  }

  /** Creates or replaces a value of an existing key. */
  public void setValue(String keyPath, String name, int type, byte[] data) throws IOException {
    throw new UnsupportedOperationException();
  }

  /** Deletes a value; false when the key or the value does not exist. */
  public boolean deleteValue(String keyPath, String name) throws IOException {
    throw new UnsupportedOperationException();
  }

  /** Writes the changes made since the last commit through the store. */
  public void commit() throws IOException {
    throw new UnsupportedOperationException();
  }

  /** Whether there are changes not yet committed. */
  public boolean dirty() {
    return false;
  }
}
