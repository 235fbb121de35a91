package dev.vdisk.registry.internal;

import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * A hive file written the way Windows 8.1 and later write hives: each commit first goes to the
 * new-format transaction log ({@code .LOG1}/{@code .LOG2}), then to the primary file.
 */
public final class LoggedHiveStore implements HiveStore {
  private LoggedHiveStore() {}

  /**
   * Opens a primary hive file for writing; a pending log is replayed into the file first and the
   * logs are reset.
   */
  public static LoggedHiveStore open(Path primary) throws IOException {
    throw new UnsupportedFeatureException(null, "hive writing", "not written yet");
  }

  @Override
  public String name() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ByteBuffer load() throws IOException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void commit(ByteBuffer baseBlock, ByteBuffer bins, BitSet dirty) throws IOException {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() throws IOException {}
}
