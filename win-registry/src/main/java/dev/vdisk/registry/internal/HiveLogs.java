package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transaction logs beside a primary hive file ({@code NAME.LOG}, {@code NAME.LOG1}, {@code
 * NAME.LOG2}): finding them and replaying them.
 *
 * <p>A hive is dirty when its base block has a bad checksum or its two sequence numbers differ.
 * A dirty hive is recovered in memory, the files are never changed here:
 *
 * <ul>
 *   <li>New format (file type 6, {@code HvLE} entries): the logs whose base block copy is valid
 *       are taken in the order of their sequence numbers (normally {@code .LOG1} then {@code
 *       .LOG2}), then the others. Entries with a sequence number below the primary's secondary
 *       sequence number are old ones and skipped; the first later entry starts the replay and
 *       every following one must carry the next sequence number. A log's entries end at the first
 *       invalid one (signature, size, hive bins data size, page references, Hash-1 or Hash-2);
 *       the next log may continue the sequence. Each applied entry sets the hive bins data size
 *       (growing the hive) and the base block's flags; afterwards both sequence numbers are the
 *       last applied entry's and the checksum is recomputed.
 *   <li>Old format (file type 1 or 2, {@code DIRT} dirty vector): a log with a valid base block
 *       copy, equal sequence numbers and the primary's last-written time; its dirty 512-byte
 *       pages are written at their bit positions.
 *   <li>When the primary's base block is bad (wrong checksum), it is taken from a valid log's
 *       base block copy (file type set back to 0); with no usable log the hive is refused with a
 *       {@link CorruptStructureException}.
 * </ul>
 */
public final class HiveLogs {
  private static final Logger LOG = LoggerFactory.getLogger(HiveLogs.class);
  private static final String[] SUFFIXES = {".LOG1", ".LOG2", ".LOG"};
  /** Largest file read into memory. */
  private static final long MAX_FILE = HiveFile.MAX_DATA;

  private HiveLogs() {}

  /**
   * A log file's bytes and name.
   *
   * @param name for messages
   * @param data the whole file
   */
  public record NamedLog(String name, ByteBuffer data) {}

  /**
   * What a recovery did.
   *
   * @param hive the base block followed by the hive bins data ({@code limit} = 4096 + size)
   * @param dirty whether the primary was dirty
   * @param format {@code "new"}, {@code "old"} or {@code null} when no log was applied
   * @param applied log entries applied (new format) or dirty pages written (old format)
   * @param firstSequence sequence number of the first applied entry
   * @param lastSequence sequence number of the last applied entry (the hive's now)
   * @param logsUsed names of the logs that contributed
   * @param baseBlockFromLog whether the base block was taken from a log
   */
  public record Recovery(ByteBuffer hive, boolean dirty, String format, int applied,
      int firstSequence, int lastSequence, List<String> logsUsed, boolean baseBlockFromLog) {}

  /**
   * Reads a primary hive file and, when it is dirty, replays the valid entries of its
   * transaction logs into the returned bytes (the files are not changed).
   *
   * @return the base block followed by the hive bins data
   */
  public static ByteBuffer readRecovered(Path primary) throws IOException {
    return recover(primary).hive();
  }

  /** The same as {@link #readRecovered(Path)}, naming the hive {@code name} in messages. */
  public static ByteBuffer readRecovered(Path primary, String name) throws IOException {
    return recover(primary, name).hive();
  }

  /** The same as {@link #readRecovered(Path)}, telling what was done. */
  public static Recovery recover(Path primary) throws IOException {
    return recover(primary, primary.toString());
  }

  /** The same as {@link #recover(Path)}, naming the hive {@code name} in messages. */
  public static Recovery recover(Path primary, String name) throws IOException {
    ByteBuffer data = readAll(primary, name);
    List<NamedLog> logs = new ArrayList<>();
    Recovery quick = cleanOrNull(data, name);
    if (quick != null) {
      return quick;
    }
    List<Path> found;
    try {
      found = findLogs(primary);
    } catch (IOException e) {
      LOG.warn("{}: the hive is dirty and its directory cannot be listed for its logs: {}",
          primary, e.toString());
      found = List.of();
    }
    for (Path log : found) {
      logs.add(new NamedLog(log.toString(), readLog(log)));
    }
    return recover(data, name, logs);
  }

  /**
   * The same as {@link #readRecovered(Path)} for a primary and its logs given as channels (the
   * caller keeps owning them); {@code logs} may be empty.
   */
  public static ByteBuffer readRecovered(SeekableByteChannel primary, String name,
      List<SeekableByteChannel> logs) throws IOException {
    ByteBuffer data = readAll(primary, name);
    Recovery quick = cleanOrNull(data, name);
    if (quick != null) {
      return quick.hive();
    }
    List<NamedLog> named = new ArrayList<>();
    for (int i = 0; i < logs.size(); i++) {
      String logName = name + " (log " + (i + 1) + ")";
      named.add(new NamedLog(logName, readAll(logs.get(i), logName)));
    }
    return recover(data, name, named).hive();
  }

  /**
   * The logs beside a primary file that exist, in the order {@code .LOG1}, {@code .LOG2}, {@code
   * .LOG}, names compared case-insensitively (the parent directory is listed, so this works on
   * any file system provider).
   */
  public static List<Path> findLogs(Path primary) throws IOException {
    Path name = primary.getFileName();
    Path parent = primary.getParent();
    if (name == null) {
      return List.of();
    }
    if (parent == null) {
      parent = primary.toAbsolutePath().getParent();
      if (parent == null) {
        return List.of();
      }
    }
    Path[] found = new Path[SUFFIXES.length];
    String base = name.toString().toUpperCase(Locale.ROOT);
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(parent)) {
      for (Path p : dir) {
        Path fn = p.getFileName();
        if (fn == null) {
          continue;
        }
        String n = fn.toString().toUpperCase(Locale.ROOT);
        for (int i = 0; i < SUFFIXES.length; i++) {
          if (n.equals(base + SUFFIXES[i]) && found[i] == null && Files.isRegularFile(p)) {
            found[i] = primary.getParent() == null ? fn : p;
          }
        }
      }
    }
    List<Path> out = new ArrayList<>();
    for (Path p : found) {
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /** A log's bytes; a log too large to be one reads as empty (it is then not used). */
  static ByteBuffer readLog(Path log) throws IOException {
    try {
      return readAll(log);
    } catch (CorruptStructureException e) {
      LOG.warn("{}: ignoring the log: {}", log, e.getMessage());
      return ByteBuffer.allocate(0);
    }
  }

  /** Reads a whole file into memory, refusing files too large to be a hive or a log. */
  static ByteBuffer readAll(Path file) throws IOException {
    return readAll(file, file.toString());
  }

  static ByteBuffer readAll(Path file, String name) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      return readAll(ch, name);
    }
  }

  static ByteBuffer readAll(SeekableByteChannel ch, String name) throws IOException {
    long size = ch.size();
    if (size > MAX_FILE) {
      throw new CorruptStructureException(name, 0, "regf", "file of " + size
          + " bytes is larger than any hive or log");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size);
    ch.position(0);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        break;
      }
    }
    return b.flip().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The primary as it stands when its base block is valid and clean, else {@code null}. */
  private static Recovery cleanOrNull(ByteBuffer primary, String name) {
    if (baseBlockProblem(primary) == null && primary.getInt(4) == primary.getInt(8)) {
      return new Recovery(trim(primary), false, null, 0, 0, 0, List.of(), false);
    }
    return null;
  }

  private static ByteBuffer trim(ByteBuffer primary) {
    long want = BaseBlock.SIZE + Integer.toUnsignedLong(primary.getInt(40));
    if (want <= primary.limit()) {
      return primary.duplicate().limit((int) want).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
    return primary; // HiveFile reports the truncation
  }

  /** Why a primary's base block is not usable as it stands, or {@code null}. */
  static String baseBlockProblem(ByteBuffer b) {
    if (b.limit() < BaseBlock.SIZE) {
      return "the file of " + b.limit() + " bytes is shorter than a base block";
    }
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (le.getInt(0) != 0x66676572) {
      return "signature is not regf";
    }
    int stored = le.getInt(508);
    int computed = BaseBlock.computeChecksum(le);
    if (stored != computed) {
      return String.format("checksum %08x does not match the computed %08x", stored, computed);
    }
    int size = le.getInt(40);
    if (size <= 0 || size % BaseBlock.ALIGNMENT != 0) {
      return "hive bins data size " + Integer.toUnsignedString(size)
          + " is not a positive multiple of 4096";
    }
    return null;
  }

  /**
   * Recovers a primary held in memory with the given logs (see the class description).
   *
   * @throws CorruptStructureException when the base block is bad and no log can replace it
   */
  public static Recovery recover(ByteBuffer primaryFile, String name, List<NamedLog> logs)
      throws CorruptStructureException {
    ByteBuffer primary = primaryFile.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    String problem = baseBlockProblem(primary);
    boolean valid = problem == null;
    if (valid && primary.getInt(4) == primary.getInt(8)) {
      return new Recovery(trim(primary), false, null, 0, 0, 0, List.of(), false);
    }
    if (!valid && (primary.limit() < 4 || primary.getInt(0) != 0x66676572)) {
      // not a hive at all: let the base block parser say so
      return new Recovery(primary, true, null, 0, 0, 0, List.of(), false);
    }
    long bound = Math.max(0, primary.limit() - BaseBlock.SIZE);
    List<LogFile> files = new ArrayList<>();
    for (NamedLog l : logs) {
      LogFile f = LogFile.of(l.data(), l.name());
      files.add(f);
      bound += l.data().limit();
    }
    bound = Math.min(HiveFile.MAX_DATA, (bound + 4095) / 4096 * 4096);
    Recovery r = replayNew(primary, name, valid, files, bound);
    if (r == null) {
      r = replayOld(primary, name, valid, files, bound);
    }
    if (r != null) {
      LOG.info("{}: replayed {} {} from {} ({} log format), sequence {}..{}", name, r.applied(),
          r.format().equals("new") ? "log entries" : "dirty pages", r.logsUsed(), r.format(),
          Integer.toUnsignedString(r.firstSequence()), Integer.toUnsignedString(r.lastSequence()));
      return r;
    }
    if (valid) {
      LOG.warn("{}: the hive is dirty (sequence numbers {} and {}) but no transaction log applies;"
          + " reading it as it stands", name, Integer.toUnsignedString(primary.getInt(4)),
          Integer.toUnsignedString(primary.getInt(8)));
      return new Recovery(trim(primary), true, null, 0, 0, 0, List.of(), false);
    }
    long at = problem.startsWith("signature") ? 0 : problem.startsWith("hive bins") ? 40 : 508;
    throw new CorruptStructureException(name, at, "regf base block", problem
        + (logs.isEmpty() ? "; no transaction log to recover it from"
            : "; no usable transaction log to recover it from"));
  }

  private static ByteBuffer baseFrom(ByteBuffer primary, boolean valid, LogFile log) {
    byte[] base = new byte[BaseBlock.SIZE];
    if (valid) {
      primary.get(0, base);
    } else {
      log.data().get(0, base, 0, 512);
    }
    ByteBuffer b = ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(28, 0);
    return b;
  }

  private static Recovery replayNew(ByteBuffer primary, String name, boolean valid,
      List<LogFile> files, long bound) {
    List<LogFile> ordered = new ArrayList<>();
    for (LogFile f : files) {
      if (f.newFormat() && (f.fileType() == LogFile.TYPE_NEW || !f.baseBlockValid())) {
        ordered.add(f);
      }
    }
    if (ordered.isEmpty()) {
      return null;
    }
    ordered.sort(Comparator.comparing((LogFile f) -> !f.baseBlockValid())
        .thenComparing(f -> Integer.toUnsignedLong(f.secondarySequence())));
    LogFile baseLog = null;
    if (!valid) {
      for (LogFile f : ordered) {
        if (f.baseBlockValid()) {
          baseLog = f;
          break;
        }
      }
      if (baseLog == null) {
        return null;
      }
    }
    ByteBuffer base = baseFrom(primary, valid, baseLog);
    long lower = Integer.toUnsignedLong(base.getInt(8));
    int binsSize = base.getInt(40);
    byte[] bins = new byte[0];
    int available = Math.max(0, primary.limit() - BaseBlock.SIZE);
    boolean started = false;
    int next = 0;
    int first = 0;
    int applied = 0;
    int flags = base.getInt(144);
    List<String> used = new ArrayList<>();
    for (LogFile f : ordered) {
      LogFile.Entries entries = f.entries();
      boolean contributed = false;
      for (LogEntry e : entries.entries()) {
        long seq = Integer.toUnsignedLong(e.sequence());
        if (!started) {
          if (seq < lower) {
            continue; // an old entry, already in the primary
          }
        } else if (e.sequence() != next) {
          break; // remnants or a gap: the rest of this log does not follow
        }
        if (e.hiveBinsDataSize() > bound) {
          LOG.warn("{}: log entry {} claims a hive bins data size of {} bytes, more than the"
              + " primary and its logs can hold; replay stops", f.source(), seq,
              Integer.toUnsignedString(e.hiveBinsDataSize()));
          break;
        }
        if (!started) {
          // materialise the primary's hive bins now that something applies
          int initial = (int) Math.max(0, Math.min(Integer.toUnsignedLong(binsSize), bound));
          bins = new byte[Math.max(initial, e.hiveBinsDataSize())];
          if (available > 0) {
            primary.get(BaseBlock.SIZE, bins, 0, Math.min(available, bins.length));
          }
          first = e.sequence();
          started = true;
        }
        if (e.hiveBinsDataSize() > bins.length) {
          bins = Arrays.copyOf(bins, e.hiveBinsDataSize());
        }
        for (LogEntry.Page p : e.pages()) {
          p.data().get(p.data().position(), bins, p.offset(), p.data().remaining());
        }
        binsSize = e.hiveBinsDataSize();
        flags = e.flags();
        next = e.sequence() + 1;
        applied++;
        contributed = true;
      }
      if (entries.stoppedBy() != null) {
        LOG.debug("{}: entries end at offset {}: {}", f.source(), entries.end(),
            entries.stoppedBy().getMessage());
      }
      if (contributed) {
        used.add(f.source());
      }
    }
    if (!started) {
      return null;
    }
    int last = next - 1;
    base.putInt(4, last).putInt(8, last).putInt(40, binsSize).putInt(144, flags);
    base.putInt(508, BaseBlock.computeChecksum(base));
    ByteBuffer out = ByteBuffer.allocate(BaseBlock.SIZE + binsSize).order(ByteOrder.LITTLE_ENDIAN);
    out.put(0, base, 0, BaseBlock.SIZE);
    out.put(BaseBlock.SIZE, bins, 0, binsSize);
    return new Recovery(out, true, "new", applied, first, last, List.copyOf(used), !valid);
  }

  private static Recovery replayOld(ByteBuffer primary, String name, boolean valid,
      List<LogFile> files, long bound) {
    for (LogFile f : files) {
      if (!f.oldFormat() || !f.baseBlockValid() || f.fileType() == LogFile.TYPE_NEW) {
        continue;
      }
      if (f.primarySequence() != f.secondarySequence()) {
        LOG.debug("{}: old-format log was not completely written", f.source());
        continue;
      }
      if (valid && f.lastWritten() != primary.getLong(12)) {
        LOG.debug("{}: old-format log belongs to another write of the hive", f.source());
        continue;
      }
      DirtyVector v;
      try {
        v = f.dirtyVector();
      } catch (CorruptStructureException e) {
        LOG.debug("{}: {}", f.source(), e.getMessage());
        continue;
      }
      int binsSize = f.field(40);
      if (binsSize <= 0 || binsSize > bound) {
        LOG.debug("{}: hive bins data size {} out of bounds", f.source(), binsSize);
        continue;
      }
      ByteBuffer base = baseFrom(primary, valid, f);
      byte[] bins = new byte[binsSize];
      int available = Math.min(Math.max(0, primary.limit() - BaseBlock.SIZE), binsSize);
      if (available > 0) {
        primary.get(BaseBlock.SIZE, bins, 0, available);
      }
      ByteBuffer log = f.data();
      BitSet dirty = v.dirty();
      int page = 0;
      for (int i = dirty.nextSetBit(0); i >= 0; i = dirty.nextSetBit(i + 1)) {
        log.get(v.pagesStart() + page * DirtyVector.PAGE, bins, i * DirtyVector.PAGE,
            DirtyVector.PAGE);
        page++;
      }
      int seq = valid ? base.getInt(4) : f.primarySequence();
      base.putInt(4, seq).putInt(8, seq).putInt(40, binsSize);
      base.putInt(508, BaseBlock.computeChecksum(base));
      ByteBuffer out = ByteBuffer.allocate(BaseBlock.SIZE + binsSize)
          .order(ByteOrder.LITTLE_ENDIAN);
      out.put(0, base, 0, BaseBlock.SIZE);
      out.put(BaseBlock.SIZE, bins, 0, binsSize);
      return new Recovery(out, true, "old", page, seq, seq, List.of(f.source()), !valid);
    }
    return null;
  }
}
