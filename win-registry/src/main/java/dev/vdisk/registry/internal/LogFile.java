package dev.vdisk.registry.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction log file held in memory: the partial base block copy in its first sector (file
 * type 1 or 2 for the old format, 6 for the new one) and either a dirty vector ({@link
 * DirtyVector}) or log entries ({@link LogEntry}).
 */
public final class LogFile {
  /** File type of a new-format log. */
  public static final int TYPE_NEW = 6;

  private final String source;
  private final ByteBuffer data;
  private final boolean baseBlockValid;
  private final String baseBlockProblem;

  private LogFile(String source, ByteBuffer data) {
    this.source = source;
    this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    this.baseBlockProblem = problem(this.data);
    this.baseBlockValid = baseBlockProblem == null;
  }

  /** Wraps a whole log file (not copied). */
  public static LogFile of(ByteBuffer data, String source) {
    return new LogFile(source, data);
  }

  private static String problem(ByteBuffer b) {
    if (b.limit() < 512) {
      return "shorter than one sector";
    }
    if (b.getInt(0) != 0x66676572) {
      return "signature is not regf";
    }
    int stored = b.getInt(508);
    int computed = BaseBlock.computeChecksum(b);
    if (stored != computed) {
      return String.format("checksum %08x does not match the computed %08x", stored, computed);
    }
    int type = b.getInt(28);
    if (type != 1 && type != 2 && type != TYPE_NEW) {
      return "file type " + type + " is not a transaction log";
    }
    return null;
  }

  /** Name used in messages. */
  public String source() {
    return source;
  }

  /** The whole log. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether the base block copy has the signature, a valid checksum and a log file type. */
  public boolean baseBlockValid() {
    return baseBlockValid;
  }

  /** Why the base block copy is not valid, or {@code null}. */
  public String baseBlockProblem() {
    return baseBlockProblem;
  }

  /** A field of the base block copy (little-endian int at {@code offset}, below 512). */
  public int field(int offset) {
    return data.limit() >= offset + 4 ? data.getInt(offset) : 0;
  }

  /** The primary sequence number of the base block copy. */
  public int primarySequence() {
    return field(4);
  }

  /** The secondary sequence number of the base block copy. */
  public int secondarySequence() {
    return field(8);
  }

  /** The last-written timestamp of the base block copy. */
  public long lastWritten() {
    return data.limit() >= 20 ? data.getLong(12) : 0;
  }

  /** The file type of the base block copy. */
  public int fileType() {
    return field(28);
  }

  /** Whether the log holds new-format entries (an {@code HvLE} signature in its second sector). */
  public boolean newFormat() {
    return LogEntry.startsAt(data, 512);
  }

  /** Whether the log holds an old-format dirty vector. */
  public boolean oldFormat() {
    return DirtyVector.present(data);
  }

  /**
   * The log entries from the second sector on, up to the first one that is not a valid entry
   * (missing signature, bad size, bad hash or page reference); remnants after it are ignored.
   */
  public Entries entries() {
    List<LogEntry> out = new ArrayList<>();
    List<Integer> offsets = new ArrayList<>();
    int at = 512;
    CorruptStructureException stop = null;
    while (LogEntry.startsAt(data, at)) {
      try {
        LogEntry e = LogEntry.parse(data, at, source);
        out.add(e);
        offsets.add(at);
        at += e.size();
      } catch (CorruptStructureException ex) {
        stop = ex;
        break;
      }
    }
    return new Entries(List.copyOf(out), List.copyOf(offsets), stop, at);
  }

  /**
   * The valid entries of a log.
   *
   * @param entries the entries in stored order
   * @param offsets where each starts in the log
   * @param stoppedBy why parsing stopped before the end of the entries, or {@code null} when it
   *     stopped at a sector without the {@code HvLE} signature
   * @param end the offset after the last valid entry
   */
  public record Entries(List<LogEntry> entries, List<Integer> offsets,
      CorruptStructureException stoppedBy, int end) {}

  /** The dirty vector of an old-format log, for the hive bins size of its base block copy. */
  public DirtyVector dirtyVector() throws CorruptStructureException {
    return DirtyVector.parse(data, field(40), source);
  }
}
