package dev.vdisk.registry;

import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.VdiskException;
import dev.vdisk.registry.internal.HiveEditor;
import dev.vdisk.registry.internal.HiveFile;
import dev.vdisk.registry.internal.HiveLogs;
import dev.vdisk.registry.internal.HiveStore;
import dev.vdisk.registry.internal.LoggedHiveStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry hive file (regf). The base block and the hive bins are validated when opening;
 * cells are parsed and validated as they are reached. Corruption is reported as
 * {@link dev.vdisk.core.CorruptStructureException}, transaction log files and unknown format
 * versions as {@link dev.vdisk.core.UnsupportedFeatureException}.
 *
 * <p>{@link #open(Path)} replays a pending transaction log ({@code .LOG1}/{@code .LOG2} or the
 * old {@code .LOG}) into memory without changing any file. {@link #openWritable(Path)} replays it
 * into the file, then lets keys and values be changed; {@link #commit()} makes the changes
 * durable through the new-format transaction log, so a crash leaves the old state or the new
 * one. Changes are made in place in memory: {@link RegistryKey} objects read before a change may
 * be stale (a deleted key's cells are reused), so look keys up again after changing the hive.
 */
public final class Hive implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Hive.class);

  private final HiveFile readOnlyFile;
  private final HiveEditor editor;
  private final HiveStore store;

  private Hive(HiveFile file) {
    this.readOnlyFile = file;
    this.editor = null;
    this.store = null;
    if (!file.baseBlock().clean()) {
      LOG.warn("{}: sequence numbers differ ({} / {}) and no log could be replayed",
          file.source(), file.baseBlock().primarySequence(), file.baseBlock().secondarySequence());
    }
  }

  private Hive(HiveStore store, HiveEditor editor) {
    this.readOnlyFile = null;
    this.editor = editor;
    this.store = store;
  }

  /**
   * Opens a hive file read-only; a pending transaction log beside it ({@code NAME.LOG1},
   * {@code NAME.LOG2}, {@code NAME.LOG}, names compared case-insensitively) is replayed in
   * memory. Works on any {@link Path}, including one inside a disk image.
   */
  public static Hive open(Path file) throws IOException {
    return open(file, file.toString());
  }

  /**
   * The same as {@link #open(Path)}, naming the hive {@code name} in messages (for example
   * {@code disk.vhdx:/Windows/System32/config/SOFTWARE} for a hive inside an image).
   */
  public static Hive open(Path file, String name) throws IOException {
    return new Hive(HiveFile.of(HiveLogs.readRecovered(file, name), name));
  }

  /**
   * Reads a hive from a channel without transaction logs; the caller keeps owning the channel
   * (the hive is read into memory, the channel is not used after this returns).
   *
   * @param name name of the hive used in messages
   */
  public static Hive open(SeekableByteChannel channel, String name) throws IOException {
    return new Hive(HiveFile.read(channel, name));
  }

  /**
   * Reads a hive from a channel, replaying the newest valid entries of the given transaction
   * logs when the hive's sequence numbers differ. The caller keeps owning the channels.
   *
   * @param name name of the hive used in messages
   * @param logs the hive's {@code .LOG1}/{@code .LOG2} (or old {@code .LOG}) files, any order
   */
  public static Hive open(SeekableByteChannel channel, String name,
      List<SeekableByteChannel> logs) throws IOException {
    return new Hive(HiveFile.of(HiveLogs.readRecovered(channel, name, logs), name));
  }

  /**
   * Opens a hive file for writing. A pending transaction log is replayed into the file first
   * (and the logs reset, as Windows does).
   */
  public static Hive openWritable(Path file) throws IOException {
    return openWritable(LoggedHiveStore.open(file));
  }

  /**
   * Creates a new hive file holding an empty root key with a default security descriptor, and
   * opens it for writing.
   *
   * @param rootName the root key's stored name (Windows uses names like {@code ROOT} or
   *     {@code CMI-CreateHive{GUID}})
   * @throws java.nio.file.FileAlreadyExistsException if the file exists
   */
  public static Hive create(Path file, String rootName) throws IOException {
    writeEmpty(file, rootName);
    return openWritable(file);
  }

  /** Writes the file {@link #create} starts from (through a temporary file, then a move). */
  static void writeEmpty(Path file, String rootName) throws IOException {
    ByteBuffer empty = HiveEditor.emptyHive(rootName);
    Path tmp = file.resolveSibling(file.getFileName() + ".vdisk-new");
    try (SeekableByteChannel ch = Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      while (empty.hasRemaining()) {
        ch.write(empty);
      }
      if (ch instanceof java.nio.channels.FileChannel fc) {
        fc.force(true);
      }
    }
    try {
      Files.move(tmp, file);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** Opens a writable hive over any store (tests use this with their own stores). */
  static Hive openWritable(HiveStore store) throws IOException {
    try {
      return new Hive(store, HiveEditor.open(store));
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Whether this hive was opened for writing. */
  public boolean writable() {
    return editor != null;
  }

  private HiveFile file() {
    return editor != null ? editor.file() : readOnlyFile;
  }

  private HiveEditor editor() throws VdiskException {
    if (editor == null) {
      throw new UnsafeToWriteException(null, UnsafeToWriteException.Reason.READ_ONLY,
          file().source() + ": the hive was opened read-only");
    }
    return editor;
  }

  /**
   * Creates a key, and any missing parents, by backslash-separated path; returns the key (an
   * existing key is returned unchanged). Names compare case-insensitively; a new key takes its
   * parent's security descriptor.
   *
   * @throws IllegalArgumentException if a name is longer than 255 characters
   */
  public RegistryKey createKey(String path) throws IOException {
    editor().createKey(path);
    return key(path).orElseThrow();
  }

  /**
   * Deletes a key with all its subkeys and values; false when there is no such key.
   *
   * @throws IllegalArgumentException for the root key
   */
  public boolean deleteKey(String path) throws IOException {
    return editor().deleteKey(path);
  }

  /**
   * Creates or replaces a value of an existing key ({@code value.name()} "" is the default
   * value).
   *
   * @throws java.nio.file.NoSuchFileException if the key does not exist
   * @throws IllegalArgumentException if the name is longer than 16383 characters
   */
  public void setValue(String keyPath, RegistryValue value) throws IOException {
    editor().setValue(keyPath, value.name(), value.type(), value.data());
  }

  /** Deletes a value; false when the key or the value does not exist. */
  public boolean deleteValue(String keyPath, String valueName) throws IOException {
    return editor().deleteValue(keyPath, valueName);
  }

  /** Makes the changes since the last commit durable (nothing happens when there are none). */
  public void commit() throws IOException {
    editor().commit();
  }

  /** A hive held in memory (base block followed by the hive bins), for tests. */
  static Hive of(java.nio.ByteBuffer whole, String name) throws IOException {
    return new Hive(HiveFile.of(whole, name));
  }

  /** The root key. */
  public RegistryKey root() throws IOException {
    HiveFile f = file();
    int offset = f.baseBlock().rootCellOffset();
    return new RegistryKey(f, offset, f.keyNode(offset), "");
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

  /**
   * Closes the hive. Changes of a writable hive that were not committed are discarded (and a
   * warning logged); the files are left as the last commit made them.
   */
  @Override
  public void close() throws IOException {
    if (store != null) {
      if (editor.dirty()) {
        LOG.warn("{}: closed with uncommitted changes; they are discarded", store.name());
      }
      store.close();
    }
  }
}
