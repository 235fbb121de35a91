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
import java.util.ArrayList;
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
    List<Write> pending = read(log, inner);
    if (pending == null) {
      return d;
    }
    if (inner.isWritable()) {
      LOG.info("{}: finishing an interrupted atomic write of {} changes from {}",
          inner.description(), pending.size(), log);
      d.apply(pending);
      Files.delete(log);
      syncDirectory(log);
    } else {
      LOG.info("{}: an interrupted atomic write of {} changes in {} is shown from memory (the"
          + " image is open read-only; opening it for writing finishes it)", inner.description(),
          pending.size(), log);
      for (Write w : pending) {
        d.overlayPut(w.offset(), w.data());
      }
    }
    return d;
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

  /** Reads a record: its changes when complete, null when absent or incomplete (deleted). */
  private static List<Write> read(Path log, BlockDevice inner) throws IOException {
    long size;
    try {
      size = Files.size(log);
    } catch (NoSuchFileException e) {
      return null;
    }
    String why = null;
    List<Write> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
      if (size < HEADER + 16) {
        why = "it is " + size + " bytes long";
      } else {
        ByteBuffer h = readFully(ch, 0, HEADER);
        long count = h.getInt(16) & 0xFFFFFFFFL;
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
              if (len < 0 || offset < 0 || offset + len > inner.size()) {
                throw new CorruptStructureException(log, at, "redo record entry",
                    "change " + i + " (" + len + " bytes at " + offset + ") is outside the "
                        + inner.size() + "-byte device");
              }
              ByteBuffer data = readFully(ch, at + ENTRY, len);
              out.add(new Write(offset, data.array()));
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
      return null;
    }
    return out;
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
