package dev.vdisk.registry;

import dev.vdisk.registry.internal.HiveFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry hive file (regf), opened read-only. The base block and the hive bins are validated
 * when opening; cells are parsed and validated as they are reached. Corruption is reported as
 * {@link dev.vdisk.core.CorruptStructureException}, transaction log files and unknown format
 * versions as {@link dev.vdisk.core.UnsupportedFeatureException}.
 *
 * <p>Transaction logs are not replayed yet: a hive whose sequence numbers differ is read as it
 * stands in the primary file (hivex does the same).
 */
public final class Hive implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Hive.class);

  private final HiveFile file;

  private Hive(HiveFile file) {
    this.file = file;
    if (!file.baseBlock().clean()) {
      LOG.warn("{}: sequence numbers differ ({} / {}); transaction logs are not replayed",
          file.source(), file.baseBlock().primarySequence(), file.baseBlock().secondarySequence());
    }
  }

  /** Opens a hive file read-only. */
  public static Hive open(Path file) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      return new Hive(HiveFile.read(ch, file.toString()));
    }
  }

  /**
   * Reads a hive from a channel; the caller keeps owning the channel (the hive is read into
   * memory, the channel is not used after this returns).
   *
   * @param name name of the hive used in messages
   */
  public static Hive open(SeekableByteChannel channel, String name) throws IOException {
    return new Hive(HiveFile.read(channel, name));
  }

  /** A hive held in memory (base block followed by the hive bins), for tests. */
  static Hive of(java.nio.ByteBuffer whole, String name) throws IOException {
    return new Hive(HiveFile.of(whole, name));
  }

  /** The root key. */
  public RegistryKey root() throws IOException {
    int offset = file.baseBlock().rootCellOffset();
    return new RegistryKey(file, offset, file.keyNode(offset), "");
  }

  /**
   * A key by backslash-separated path relative to the root ("" or "\\" = root), case-insensitive.
   * Empty components (doubled or leading backslashes) are ignored.
   */
  public Optional<RegistryKey> key(String path) throws IOException {
    RegistryKey k = root();
    for (String part : path.split("\\\\")) {
      if (part.isEmpty()) {
        continue;
      }
      Optional<RegistryKey> next = k.subkey(part);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      k = next.get();
    }
    return Optional.of(k);
  }

  /** Releases the hive's memory (nothing else is held open). */
  @Override
  public void close() {
    // The hive is held in memory; nothing to release.
  }
}
