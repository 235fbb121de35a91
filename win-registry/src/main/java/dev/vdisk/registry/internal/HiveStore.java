package dev.vdisk.registry.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Where a writable hive lives: it hands out the hive's current (recovered) bytes and makes a new
 * state durable. An implementation decides how a commit survives a crash (the new-format
 * transaction log, {@link LoggedHiveStore}).
 */
public interface HiveStore extends Closeable {

  /** Sector size of the dirty map given to {@link #commit}. */
  int SECTOR = 512;

  /** Name used in messages (the primary file's path). */
  String name();

  /**
   * The hive as it stands after recovery: the 4096-byte base block followed by the hive bins data
   * ({@code limit} = 4096 + hive bins data size). The caller may modify the returned buffer.
   */
  ByteBuffer load() throws IOException;

  /**
   * Makes a new state durable, atomically: after a crash at any point the next {@link #load}
   * returns either the previous committed state or this one.
   *
   * @param baseBlock the new 4096-byte base block with every field set (root cell offset, hive
   *     bins data size, last-written time, versions) except the two sequence numbers and the
   *     checksum, which the store sets
   * @param bins the whole hive bins data; its {@code limit} is the new hive bins data size (a
   *     multiple of 4096, never smaller than before)
   * @param dirty indexes of the {@link #SECTOR}-byte sectors of {@code bins} changed since the
   *     last commit (sector {@code i} covers {@code [i*512, i*512+512)}); sectors past the old end
   *     are always listed
   */
  void commit(ByteBuffer baseBlock, ByteBuffer bins, BitSet dirty) throws IOException;
}
