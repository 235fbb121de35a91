package dev.vdisk.core.tx;

import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.util.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A block device whose grouped writes are atomic across a crash, through a redo record kept in a
 * file beside the image: {@link #writeAtomically(List)} first writes every change to the record
 * and makes it durable, then writes the changes to the device, flushes it, and deletes the
 * record. Opening a device whose record is still there finishes the interrupted group (when the
 * record is complete) or drops it (when the crash came while the record was being written, before
 * the device was touched). A read-only open shows the finished state without writing: the
 * record's changes are overlaid in memory.
 *
 * <p>File systems without a journal of their own (ext2) write their metadata through this.
 * Single writes ({@link #write(long, ByteBuffer)}) go straight to the device, for data that is
 * written before the metadata that makes it reachable.
 *
 * <p>Closing this device does not close the wrapped one.
 *
 * <p>Record layout (little-endian): a 32-byte header ({@code "VDREDO01"}, the device size, the
 * number of changes, the total number of data bytes), then per change its offset (8 bytes),
 * length (4), CRC32C of the data (4) and the data, then a 16-byte trailer ({@code "VDREDOEN"},
 * the change count, and the CRC32C of everything before it).
 */
public final class RedoLogDevice extends ForwardingBlockDevice {
  private static final Logger LOG = LoggerFactory.getLogger(RedoLogDevice.class);
  private static final long MAGIC = 0x31304f4445524456L; // "VDREDO01"
  private static final long TRAILER = 0x4e454f4445524456L; // "VDREDOEN"
  private static final int HEADER = 32;
  private static final int ENTRY = 16;

  /**
   * One change of a group.
   *
   * @param offset the byte offset on the device
   * @param data the new bytes
   */
  public record Write(long offset, byte[] data) {}

  private final BlockDevice inner;
  private final Path log;
  private final TreeMap<Long, byte[]> overlay = new TreeMap<>();

  private RedoLogDevice(BlockDevice inner, Path log) {
    super(inner);
    this.inner = inner;
    this.log = log;
  }

  /**
   * Wraps a device, first finishing or dropping a record an interrupted group left.
   *
   * @param inner the device (writable for writing; a read-only one gets an in-memory overlay)
   * @param log the record's file (beside the image, e.g. {@code disk.vhdx.vdisk-redo})
   * @return the device
   * @throws CorruptStructureException if a complete record names changes outside the device
   * @throws IOException on an I/O error
   */
  public static RedoLogDevice open(BlockDevice inner, Path log) throws IOException {
    RedoLogDevice d = new RedoLogDevice(inner, log);
    long count = validate(log, inner);
    if (count < 0) {
      return d;
    }
    if (inner.isWritable()) {
      LOG.info("{}: finishing an interrupted atomic write of {} changes from {}",
          inner.description(), count, log);
      // streamed: a record may be far larger than memory
      forEachEntry(log, count, (offset, data) -> inner.write(offset, data));
      inner.flush();
      Files.delete(log);
      syncDirectory(log);
    } else {
      LOG.info("{}: an interrupted atomic write of {} changes in {} is shown from memory (the"
          + " image is open read-only; opening it for writing finishes it)", inner.description(),
          count, log);
      forEachEntry(log, count, (offset, data) -> {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        d.overlayPut(offset, b);
      });
    }
    return d;
  }

  /**
   * A group of changes read twice, once into the record and once onto the device, so that it
   * never has to be held in memory (see {@link #writeAtomically(Changes)}).
   */
  public interface Changes {
    /**
     * The number of changes {@link #forEach} gives.
     *
     * @return the count
     */
    int count();

    /**
     * The total number of data bytes {@link #forEach} gives.
     *
     * @return the sum of the changes' lengths
     */
    long bytes();

    /**
     * Gives every change, the same ones in the same order on every call.
     *
     * @param visitor receives them
     * @throws IOException on an I/O error reading them
     */
    void forEach(ChangeVisitor visitor) throws IOException;
  }

  /** Receives changes. */
  @FunctionalInterface
  public interface ChangeVisitor {
    /**
     * One change.
     *
     * @param offset the byte offset on the device
     * @param data the new bytes (valid only during the call)
     * @throws IOException to stop
     */
    void change(long offset, ByteBuffer data) throws IOException;
  }

  /**
   * Whether a record is waiting beside a device.
   *
   * @param log the record's file
   * @return whether it exists
   */
  public static boolean pending(Path log) {
    return Files.exists(log);
  }

  /**
   * Checks a record: the number of its changes when complete, -1 when absent or incomplete (then
   * deleted, if the device is writable). Reads it in bounded pieces.
   */
  private static long validate(Path log, BlockDevice inner) throws IOException {
    long size;
    try {
      size = Files.size(log);
    } catch (NoSuchFileException e) {
      return -1;
    }
    String why = null;
    long count = -1;
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      if (size < HEADER + 16) {
        why = "it is " + size + " bytes long";
      } else {
        ByteBuffer h = readFully(ch, 0, HEADER);
        count = h.getInt(16) & 0xFFFFFFFFL;
        long dataBytes = h.getLong(24);
        if (h.getLong(0) != MAGIC) {
          why = "its header is not a redo record's";
        } else if (dataBytes < 0 || HEADER + count * ENTRY + dataBytes + 16 != size) {
          why = "its length does not match its header (interrupted while being written)";
        } else {
          ByteBuffer t = readFully(ch, size - 16, 16);
          CRC32C crc = new CRC32C();
          long pos = 0;
          while (pos < size - 16) {
            int n = (int) Math.min(1 << 20, size - 16 - pos);
            ByteBuffer b = readFully(ch, pos, n);
            crc.update(b);
            pos += n;
          }
          if (t.getLong(0) != TRAILER || (t.getInt(8) & 0xFFFFFFFFL) != count
              || t.getInt(12) != (int) crc.getValue()) {
            why = "its trailer is missing or its checksum is wrong (interrupted while being"
                + " written)";
          } else {
            long at = HEADER;
            for (long i = 0; i < count; i++) {
              ByteBuffer e = readFully(ch, at, ENTRY);
              long offset = e.getLong(0);
              int len = e.getInt(8);
              if (len < 0 || offset < 0 || offset + len > inner.size()
                  || at + ENTRY + len > size - 16) {
                throw new CorruptStructureException(log, at, "redo record entry",
                    "change " + i + " (" + len + " bytes at " + offset + ") is outside the "
                        + inner.size() + "-byte device");
              }
              at += ENTRY + len;
            }
          }
        }
      }
    }
    if (why != null) {
      LOG.warn("{}: dropping the incomplete redo record {} ({}); the device was not changed by"
          + " it", inner.description(), log, why);
      if (inner.isWritable()) {
        Files.delete(log);
        syncDirectory(log);
      }
      return -1;
    }
    return count;
  }

  /** Gives a validated record's changes, each read in pieces of at most 1 MiB. */
  private static void forEachEntry(Path log, long count, ChangeVisitor visitor)
      throws IOException {
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      long at = HEADER;
      for (long i = 0; i < count; i++) {
        ByteBuffer e = readFully(ch, at, ENTRY);
        long offset = e.getLong(0);
        int len = e.getInt(8);
        long done = 0;
        while (done < len) {
          int n = (int) Math.min(1 << 20, len - done);
          visitor.change(offset + done, readFully(ch, at + ENTRY + done, n));
          done += n;
        }
        at += ENTRY + len;
      }
    }
  }

  private static ByteBuffer readFully(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new java.io.EOFException("the redo record ended early");
      }
    }
    return b.flip().order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Writes a group of changes so that after a crash either all or none of them are on the
   * device (once the device is opened again through this class).
   *
   * @param writes the changes (non-overlapping)
   * @throws IOException on an I/O error (the group is then finished or dropped by the next open)
   */
  public void writeAtomically(List<Write> writes) throws IOException {
    if (writes.isEmpty()) {
      return;
    }
    if (!inner.isWritable()) {
      throw new java.nio.file.ReadOnlyFileSystemException();
    }
    long dataBytes = 0;
    for (Write w : writes) {
      if (w.offset() < 0 || w.offset() + w.data().length > inner.size()) {
        throw new IllegalArgumentException("a change of " + w.data().length + " bytes at "
            + w.offset() + " is outside the device");
      }
      dataBytes += w.data().length;
    }
    CRC32C crc = new CRC32C();
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
      h.putLong(MAGIC).putLong(inner.size()).putInt(writes.size()).putInt(0).putLong(dataBytes);
      put(ch, h.flip(), crc);
      for (Write w : writes) {
        CRC32C one = new CRC32C();
        one.update(w.data());
        ByteBuffer e = ByteBuffer.allocate(ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        e.putLong(w.offset()).putInt(w.data().length).putInt((int) one.getValue());
        put(ch, e.flip(), crc);
        put(ch, ByteBuffer.wrap(w.data()), crc);
      }
      ByteBuffer t = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      t.putLong(TRAILER).putInt(writes.size()).putInt((int) crc.getValue());
      ch.write(t.flip());
      ch.force(true);
    }
    syncDirectory(log);
    apply(writes);
    Files.delete(log);
    syncDirectory(log);
  }

  /**
   * Writes a group of changes too large for memory so that after a crash either all or none of
   * them are on the device (once it is opened again through this class). The changes are read
   * twice: into the record, which is made durable, then onto the device, which is flushed before
   * the record is deleted. Reports the steps {@code redo.record-entry} (after
   * each change appended to the record), {@code redo.record} (record complete and durable), {@code
   * redo.apply} (after each change written to the device), {@code redo.flush} and {@code
   * redo.done} (record deleted) through {@link dev.vdisk.core.util.WriteSteps}.
   *
   * @param changes the changes (non-overlapping, inside the device)
   * @throws IOException on an I/O error (the group is then finished or dropped by the next open)
   */
  public void writeAtomically(Changes changes) throws IOException {
    if (changes.count() == 0) {
      return;
    }
    if (!inner.isWritable()) {
      throw new java.nio.file.ReadOnlyFileSystemException();
    }
    CRC32C crc = new CRC32C();
    long[] seen = new long[2];
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
      h.putLong(MAGIC).putLong(inner.size()).putInt(changes.count()).putInt(0)
          .putLong(changes.bytes());
      put(ch, h.flip(), crc);
      changes.forEach((offset, data) -> {
        int len = data.remaining();
        if (offset < 0 || offset + len > inner.size()) {
          throw new IllegalArgumentException("a change of " + len + " bytes at " + offset
              + " is outside the device");
        }
        CRC32C one = new CRC32C();
        one.update(data.duplicate());
        ByteBuffer e = ByteBuffer.allocate(ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        e.putLong(offset).putInt(len).putInt((int) one.getValue());
        put(ch, e.flip(), crc);
        put(ch, data, crc);
        seen[0]++;
        seen[1] += len;
        dev.vdisk.core.util.WriteSteps.step("redo.record-entry");
      });
      if (seen[0] != changes.count() || seen[1] != changes.bytes()) {
        throw new IllegalStateException("the changes gave " + seen[0] + " changes of " + seen[1]
            + " bytes, not the " + changes.count() + " of " + changes.bytes() + " they announced");
      }
      ByteBuffer t = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      t.putLong(TRAILER).putInt(changes.count()).putInt((int) crc.getValue());
      ch.write(t.flip());
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // the device is untouched: drop the partial record
      Files.deleteIfExists(log);
      throw e;
    }
    syncDirectory(log);
    dev.vdisk.core.util.WriteSteps.step("redo.record");
    changes.forEach((offset, data) -> {
      inner.write(offset, data);
      dev.vdisk.core.util.WriteSteps.step("redo.apply");
    });
    inner.flush();
    dev.vdisk.core.util.WriteSteps.step("redo.flush");
    Files.delete(log);
    syncDirectory(log);
    dev.vdisk.core.util.WriteSteps.step("redo.done");
  }

  private static void put(FileChannel ch, ByteBuffer b, CRC32C crc) throws IOException {
    crc.update(b.duplicate());
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private void apply(List<Write> writes) throws IOException {
    for (Write w : writes) {
      inner.write(w.offset(), ByteBuffer.wrap(w.data()));
    }
    inner.flush();
  }

  private static void syncDirectory(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.debug("cannot sync directory {}: {}", dir, e.toString());
    }
  }

  private void overlayPut(long offset, byte[] data) {
    overlay.put(offset, data);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    int start = dst.position();
    int n = dst.remaining();
    inner.read(offset, dst);
    if (overlay.isEmpty()) {
      return;
    }
    long end = offset + n;
    Map.Entry<Long, byte[]> first = overlay.floorEntry(offset);
    Long from = first != null ? first.getKey() : offset;
    for (Map.Entry<Long, byte[]> e : overlay.subMap(from, true, end, false).entrySet()) {
      long s = Math.max(e.getKey(), offset);
      long t = Math.min(e.getKey() + e.getValue().length, end);
      for (long p = s; p < t; p++) {
        dst.put(start + (int) (p - offset), e.getValue()[(int) (p - e.getKey())]);
      }
    }
  }

  /** Does nothing: the wrapped device stays its opener's to close. */
  @Override
  public void close() {}
}
