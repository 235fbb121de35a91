package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.util.WriteSteps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hive file written the way Windows 8.1 and later write hives: each commit first goes to the
 * new-format transaction log ({@code .LOG1}/{@code .LOG2}), then to the primary file.
 *
 * <p>Opening takes an exclusive lock on the primary, replays a pending log into the primary file
 * if it is dirty (see {@link HiveLogs}; the primary's base block is written clean last), and then
 * resets the logs: {@code .LOG1} and {@code .LOG2} (created when missing) get a fresh base block
 * copy (file type 6, both sequence numbers equal to the primary's) and are truncated to that one
 * sector; an old-format {@code .LOG} is truncated to zero bytes, as Windows leaves it.
 *
 * <p>A commit with the hive at sequence number {@code S} (both numbers equal):
 *
 * <ol>
 *   <li>appends one {@code HvLE} entry with sequence number {@code S}, the new hive bins data
 *       size, and every dirty 4096-byte page (the hive bins data's page granularity, as Windows
 *       writes them) to the active log, then forces the log;
 *   <li>writes the new base block with primary sequence number {@code S+1} and secondary {@code
 *       S} (the hive is now dirty), forces;
 *   <li>writes the dirty pages (growing the file), forces;
 *   <li>writes the base block with both sequence numbers {@code S+1}, forces.
 * </ol>
 *
 * A crash before step 2 completes leaves a clean primary in the old state (the entry is ignored:
 * a clean hive's logs are not applied); a crash after it leaves a dirty primary whose secondary
 * sequence number {@code S} selects the entry, so recovery yields the new state. Log rotation:
 * entries are appended to the active log while it stays below {@value #LOG_LIMIT} bytes; the entry
 * that would pass that bound goes to the other log instead, which is reset first (the primary is
 * clean between commits, so nothing in the logs is needed then). A log therefore never exceeds
 * {@value #LOG_LIMIT} bytes or one sector plus a single entry.
 */
public final class LoggedHiveStore implements HiveStore {
  private static final Logger LOG = LoggerFactory.getLogger(LoggedHiveStore.class);
  /** Bound on a log file's size before commits switch to the other log. */
  public static final int LOG_LIMIT = 1 << 20;
  private static final int PAGE = 4096;

  private final Path primary;
  private final FileChannel channel;
  private final FileLock lock; // null on a file system without locks
  private final Path[] logs;
  private final FileChannel[] logChannels;
  private int active;
  private long activeEnd;
  private int sequence;
  private int binsSize;
  private boolean broken;
  private boolean closed;

  private LoggedHiveStore(Path primary, FileChannel channel, FileLock lock, Path[] logs,
      FileChannel[] logChannels, int sequence, int binsSize) {
    this.primary = primary;
    this.channel = channel;
    this.lock = lock;
    this.logs = logs;
    this.logChannels = logChannels;
    this.sequence = sequence;
    this.binsSize = binsSize;
    this.active = 0;
    this.activeEnd = 512;
  }

  /**
   * Opens a primary hive file for writing; a pending log is replayed into the file first and the
   * logs are reset.
   *
   * @throws UnsafeToWriteException with reason {@code LOCKED} when another process (or another
   *     store in this one) holds the file
   */
  public static LoggedHiveStore open(Path primary) throws IOException {
    FileChannel ch = FileChannel.open(primary, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock = null;
    boolean lockable = true;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (UnsupportedOperationException e) {
      lockable = false; // a file system provider without locks: nothing to honour
      LOG.debug("{}: the file system does not support locks", primary);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lockable && lock == null) {
      ch.close();
      throw new UnsafeToWriteException(primary, UnsafeToWriteException.Reason.LOCKED,
          "another process holds a lock on the hive file");
    }
    List<FileChannel> opened = new ArrayList<>();
    try {
      String name = primary.toString();
      List<HiveLogs.NamedLog> named = new ArrayList<>();
      List<Path> found = HiveLogs.findLogs(primary);
      for (Path log : found) {
        named.add(new HiveLogs.NamedLog(log.toString(), HiveLogs.readLog(log)));
      }
      HiveLogs.Recovery r = HiveLogs.recover(HiveLogs.readAll(ch, name), name, named);
      ByteBuffer hive = r.hive();
      HiveFile.of(hive.duplicate(), name); // validates what we are about to write into
      ByteBuffer base = ByteBuffer.allocate(BaseBlock.SIZE).order(ByteOrder.LITTLE_ENDIAN);
      base.put(0, hive, 0, BaseBlock.SIZE);
      int size = base.getInt(40);
      if (r.dirty()) {
        // the recovered bins first, the clean base block last: a crash in between leaves the
        // primary dirty and the logs untouched, so the same recovery runs again
        write(ch, hive.duplicate().position(BaseBlock.SIZE).limit(BaseBlock.SIZE + size).slice(),
            BaseBlock.SIZE, "registry replay: hive bins written");
        force(ch, "registry replay: hive bins forced");
        int seq = base.getInt(4);
        base.putInt(8, seq).putInt(28, 0).putInt(508, BaseBlock.computeChecksum(base));
        write(ch, base.duplicate(), 0, "registry replay: base block written");
        force(ch, "registry replay: base block forced");
        LOG.info("{}: wrote the recovered hive into the primary file ({} {})", name,
            r.applied(), r.format() == null ? "nothing applied" : r.format() + " log");
      }
      Path parent = primary.toAbsolutePath().getParent();
      Path[] logPaths = new Path[2];
      for (Path log : found) {
        String n = log.getFileName().toString().toUpperCase(Locale.ROOT);
        if (n.endsWith(".LOG1")) {
          logPaths[0] = log;
        } else if (n.endsWith(".LOG2")) {
          logPaths[1] = log;
        } else if (Files.size(log) > 0) {
          try (FileChannel old = FileChannel.open(log, StandardOpenOption.WRITE)) {
            old.truncate(0);
            force(old, "registry reset: old log truncated");
          }
        }
      }
      String fileName = primary.getFileName().toString();
      for (int i = 0; i < 2; i++) {
        if (logPaths[i] == null) {
          logPaths[i] = parent.resolve(fileName + ".LOG" + (i + 1));
        }
      }
      FileChannel[] logChannels = new FileChannel[2];
      for (int i = 0; i < 2; i++) {
        logChannels[i] = FileChannel.open(logPaths[i], StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        opened.add(logChannels[i]);
      }
      LoggedHiveStore store = new LoggedHiveStore(primary, ch, lock, logPaths, logChannels,
          base.getInt(4), size);
      for (int i = 0; i < 2; i++) {
        store.resetLog(i);
        force(logChannels[i], "registry reset: log forced");
      }
      return store;
    } catch (IOException | RuntimeException e) {
      for (FileChannel c : opened) {
        c.close();
      }
      if (lock != null) {
        lock.release();
      }
      ch.close();
      throw e;
    }
  }

  /** Writes a fresh base block copy to a log and truncates it to that sector (no force). */
  private void resetLog(int i) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, b, 0);
    b.putInt(4, sequence).putInt(8, sequence).putInt(28, LogFile.TYPE_NEW);
    b.putInt(508, BaseBlock.computeChecksum(b));
    write(logChannels[i], b.flip(), 0, "registry log reset: base block written");
    logChannels[i].truncate(512);
  }

  @Override
  public String name() {
    return primary.toString();
  }

  /** The two log files this store writes ({@code .LOG1}, {@code .LOG2}). */
  public List<Path> logs() {
    return List.of(logs);
  }

  @Override
  public ByteBuffer load() throws IOException {
    check();
    ByteBuffer out = ByteBuffer.allocate(BaseBlock.SIZE + binsSize).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, out, 0);
    return out.flip();
  }

  @Override
  public void commit(ByteBuffer baseBlock, ByteBuffer bins, BitSet dirty) throws IOException {
    check();
    int newSize = bins.limit();
    if (baseBlock.limit() < BaseBlock.SIZE) {
      throw new IllegalArgumentException("base block of " + baseBlock.limit() + " bytes");
    }
    if (newSize <= 0 || newSize % PAGE != 0 || newSize < binsSize) {
      throw new IllegalArgumentException("hive bins data size " + newSize
          + " must be a positive multiple of 4096, at least " + binsSize);
    }
    if (dirty.length() > newSize / SECTOR) {
      throw new IllegalArgumentException("dirty sector " + (dirty.length() - 1)
          + " is past the hive bins data");
    }
    BitSet pages = new BitSet();
    for (int i = dirty.nextSetBit(0); i >= 0; i = dirty.nextSetBit(i + 1)) {
      pages.set(i / (PAGE / SECTOR));
    }
    pages.set(binsSize / PAGE, newSize / PAGE);
    List<LogEntry.Page> runs = new ArrayList<>();
    ByteBuffer data = bins.duplicate().clear().limit(newSize);
    for (int p = pages.nextSetBit(0); p >= 0; ) {
      int end = pages.nextClearBit(p);
      runs.add(new LogEntry.Page(p * PAGE, data.slice(p * PAGE, (end - p) * PAGE)));
      p = pages.nextSetBit(end);
    }
    ByteBuffer base = ByteBuffer.allocate(BaseBlock.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    base.put(0, baseBlock, baseBlock.position(), BaseBlock.SIZE);
    base.putInt(28, 0).putInt(40, newSize);
    int s = sequence;
    ByteBuffer entry = LogEntry.build(base.getInt(144), s, newSize, runs);
    broken = true; // until this commit completes
    if (activeEnd > 512 && activeEnd + entry.limit() > LOG_LIMIT) {
      active ^= 1;
      resetLog(active);
      activeEnd = 512;
    }
    write(logChannels[active], entry, activeEnd, "registry log: entry written");
    force(logChannels[active], "registry log: forced");
    base.putInt(4, s + 1).putInt(8, s).putInt(508, BaseBlock.computeChecksum(base));
    write(channel, base.duplicate(), 0, "registry primary: dirty base block written");
    force(channel, "registry primary: dirty base block forced");
    for (LogEntry.Page run : runs) {
      write(channel, run.data().duplicate(), BaseBlock.SIZE + (long) run.offset(),
          "registry primary: pages written");
    }
    force(channel, "registry primary: pages forced");
    base.putInt(8, s + 1).putInt(508, BaseBlock.computeChecksum(base));
    write(channel, base.duplicate(), 0, "registry primary: clean base block written");
    force(channel, "registry primary: clean base block forced");
    activeEnd += entry.limit();
    sequence = s + 1;
    binsSize = newSize;
    broken = false;
  }

  private void check() throws IOException {
    if (closed) {
      throw new IOException(primary + ": the hive store is closed");
    }
    if (broken) {
      throw new UnsafeToWriteException(primary, UnsafeToWriteException.Reason.OTHER,
          "an earlier commit failed part way; reopen the hive to recover it from its log");
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (FileChannel c : logChannels) {
        c.close();
      }
      if (lock != null && lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }

  private static void write(FileChannel ch, ByteBuffer b, long position, String step)
      throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
    WriteSteps.step(step);
  }

  private static void force(FileChannel ch, String step) throws IOException {
    ch.force(true);
    WriteSteps.step(step);
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos);
      if (n < 0) {
        throw new CorruptStructureException(ch.toString(), pos, "regf", "file ends early");
      }
      pos += n;
    }
  }
}
