package dev.vdisk.core.tx;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevice;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.util.WriteSteps;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy-on-write overlay on a block device: every write lands in a temporary file and reads see
 * the merged result, while the device itself is not touched until {@link #commit(Path)}, which
 * makes all the changes durable as one atomic group through a {@link RedoLogDevice} record (a
 * crash during the commit leaves the device as before or, once it is opened again through {@link
 * #recover(BlockDevice, Path)} or {@link RedoLogDevice#open}, as after). {@link #discard()} drops
 * every change; the device is then byte for byte as it was.
 *
 * <p>Memory stays bounded: the overlay keeps only an index of its dirty blocks ({@value
 * #BLOCK}-byte units; 24 to 48 bytes each), the data is in the temporary file, and the commit
 * streams it. A write that covers part of a block first copies the block from the device.
 *
 * <p>The device underneath may be read-only while changes accumulate; only {@link #commit} needs
 * it writable. Closing the transaction discards what was not committed and does not close the
 * device. Reads are safe from several threads; writes must be serialised by the caller, as for
 * every {@link BlockDevice}.
 */
public final class Transaction implements BlockDevice {
  private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);
  /** The overlay's unit in bytes. */
  public static final int BLOCK = 4096;
  /** The largest change one redo record entry carries (adjacent dirty blocks are merged). */
  private static final int MAX_RUN = 1 << 20;

  private final BlockDevice base;
  private final Path tempDirectory;
  private FileChannel temp;
  private final BlockIndex index = new BlockIndex();
  private boolean closed;

  private Transaction(BlockDevice base, Path tempDirectory) {
    this.base = base;
    this.tempDirectory = tempDirectory;
  }

  /**
   * Starts a transaction on a device.
   *
   * @param base the device (read-only is fine until {@link #commit})
   * @param tempDirectory where the overlay's temporary file goes (it is unlinked at once where the
   *     host allows, so a crash leaves nothing behind), or {@code null} for {@code
   *     java.io.tmpdir}
   * @return the transaction, with no changes yet
   */
  public static Transaction begin(BlockDevice base, Path tempDirectory) {
    return new Transaction(base, tempDirectory != null ? tempDirectory
        : Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * Finishes or drops a group that a crash interrupted during {@link #commit} (as {@link
   * RedoLogDevice#open} does), so the device reads as before or after that commit.
   *
   * @param device the device, writable
   * @param record the record the commit was given
   * @return whether a record was there
   * @throws IOException on an I/O error or a corrupt record
   */
  public static boolean recover(BlockDevice device, Path record) throws IOException {
    if (!RedoLogDevice.pending(record)) {
      return false;
    }
    RedoLogDevice.open(device, record);
    return true;
  }

  /**
   * The record an image's transactions commit through: {@code IMAGE.vdisk-redo-0} beside it (the
   * same file {@code VdiskFileSystems.redoRecord(image, 0)} names; its offsets are the whole
   * disk's). {@link dev.vdisk.core.VirtualDisks#open} finishes a record found there when it opens
   * the image for writing.
   *
   * @param image the image
   * @return the record's path
   */
  public static Path record(Path image) {
    return image.toAbsolutePath().resolveSibling(image.getFileName() + ".vdisk-redo-0");
  }

  private FileChannel temp() throws IOException {
    if (temp == null) {
      Path file = Files.createTempFile(tempDirectory, ".vdisk-overlay-", ".tmp");
      temp = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE);
      try {
        Files.delete(file); // POSIX: the open channel keeps it; nothing is left after a crash
      } catch (IOException e) {
        LOG.debug("{} stays until closed: {}", file, e.toString());
      }
    }
    return temp;
  }

  @Override
  public long size() {
    return base.size();
  }

  @Override
  public int sectorSize() {
    return base.sectorSize();
  }

  private int blockLength(long block) {
    return (int) Math.min(BLOCK, base.size() - block * BLOCK);
  }

  @Override
  public synchronized void read(long offset, ByteBuffer dst) throws IOException {
    checkOpen();
    int n = dst.remaining();
    check(offset, n);
    if (index.size() == 0) {
      base.read(offset, dst);
      return;
    }
    long pos = offset;
    long end = offset + n;
    while (pos < end) {
      long block = pos / BLOCK;
      int slot = index.get(block);
      if (slot >= 0) {
        long blockEnd = Math.min(end, (block + 1) * BLOCK);
        int len = (int) (blockEnd - pos);
        ByteBuffer part = dst.slice(dst.position(), len);
        readTemp((long) slot * BLOCK + (pos - block * BLOCK), part);
        dst.position(dst.position() + len);
        pos = blockEnd;
      } else {
        // a run of clean blocks in one read from the device
        long runEnd = Math.min(end, (block + 1) * BLOCK);
        while (runEnd < end && index.get(runEnd / BLOCK) < 0) {
          runEnd = Math.min(end, runEnd + BLOCK);
        }
        int len = (int) (runEnd - pos);
        ByteBuffer part = dst.slice(dst.position(), len);
        base.read(pos, part);
        dst.position(dst.position() + len);
        pos = runEnd;
      }
    }
  }

  @Override
  public synchronized void write(long offset, ByteBuffer src) throws IOException {
    checkOpen();
    int n = src.remaining();
    check(offset, n);
    long pos = offset;
    long end = offset + n;
    while (pos < end) {
      long block = pos / BLOCK;
      long blockStart = block * BLOCK;
      int blockLen = blockLength(block);
      long blockEnd = Math.min(end, blockStart + blockLen);
      int len = (int) (blockEnd - pos);
      ByteBuffer part = src.slice(src.position(), len);
      int slot = index.get(block);
      if (slot < 0) {
        slot = index.size();
        if (len < blockLen) {
          ByteBuffer whole = ByteBuffer.allocate(blockLen);
          base.read(blockStart, whole);
          whole.clear();
          whole.position((int) (pos - blockStart));
          whole.put(part);
          whole.clear();
          part = whole;
          writeTemp((long) slot * BLOCK, part);
        } else {
          writeTemp((long) slot * BLOCK, part);
        }
        index.put(block, slot);
      } else {
        writeTemp((long) slot * BLOCK + (pos - blockStart), part);
      }
      src.position(src.position() + len);
      pos = blockEnd;
    }
  }

  private void readTemp(long at, ByteBuffer dst) throws IOException {
    FileChannel ch = temp();
    while (dst.hasRemaining()) {
      if (ch.read(dst, at + dst.position()) < 0) {
        throw new EOFException("the overlay file ended early");
      }
    }
  }

  private void writeTemp(long at, ByteBuffer src) throws IOException {
    FileChannel ch = temp();
    int start = src.position();
    while (src.hasRemaining()) {
      ch.write(src, at + src.position() - start);
    }
  }

  /** Does nothing: nothing is durable before {@link #commit}. */
  @Override
  public void flush() {}

  /**
   * Always writable: writes go to the overlay, whatever the device underneath allows.
   *
   * @return {@code true}
   */
  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public synchronized Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    long block = offset / BLOCK;
    long blockEnd = Math.min(base.size(), (block + 1) * BLOCK);
    if (index.get(block) >= 0) {
      return new Allocation(offset, blockEnd - offset, Allocation.State.DATA);
    }
    Allocation a = base.allocation(offset);
    long length = Math.min(a.length(), blockEnd - offset);
    return new Allocation(offset, length, a.state());
  }

  @Override
  public String description() {
    return base.description() + " (transaction)";
  }

  /**
   * The number of {@value #BLOCK}-byte blocks changed since the start or the last commit or
   * discard.
   *
   * @return the count
   */
  public synchronized long dirtyBlocks() {
    return index.size();
  }

  /**
   * Makes every change durable on the device as one atomic group: a redo record holding them all
   * is written to {@code record} and synced, then the changes are written to the device, the
   * device is flushed and the record deleted. A crash before the record is complete leaves the
   * device untouched (the partial record is dropped by the next {@link #recover}); a crash after
   * it leaves a record that {@link #recover} (or {@link RedoLogDevice#open}) finishes. Steps are
   * reported through {@link WriteSteps} ({@code tx.begin-commit}, the record's steps, {@code
   * tx.committed}). Afterwards the overlay is empty and the transaction can take new changes.
   *
   * @param record the redo record's file, beside the image (see {@code
   *     VdiskFileSystems.redoRecord(image, 0)})
   * @throws UnsafeToWriteException if the device is read-only
   * @throws IOException on an I/O error; the changes are then still in the overlay, and the
   *     device holds them all or none once recovered
   */
  public synchronized void commit(Path record) throws IOException {
    checkOpen();
    if (index.size() == 0) {
      LOG.debug("{}: nothing to commit", base.description());
      return;
    }
    if (!base.isWritable()) {
      throw new UnsafeToWriteException(null, UnsafeToWriteException.Reason.READ_ONLY,
          base.description() + " is open read-only and cannot take the transaction's changes");
    }
    long[] blocks = index.sortedKeys();
    Runs runs = new Runs(blocks);
    LOG.debug("{}: committing {} blocks in {} runs through {}", base.description(),
        blocks.length, runs.count(), record);
    WriteSteps.step("tx.begin-commit");
    RedoLogDevice redo = RedoLogDevice.open(base, record);
    redo.writeAtomically(runs);
    WriteSteps.step("tx.committed");
    reset();
  }

  /** Drops every change; the device reads as before. The transaction can take new changes. */
  public synchronized void discard() {
    if (index.size() > 0) {
      LOG.debug("{}: discarding {} changed blocks", base.description(), index.size());
    }
    try {
      reset();
    } catch (IOException e) {
      LOG.debug("{}: truncating the overlay file: {}", base.description(), e.toString());
      closeTemp();
    }
  }

  private void reset() throws IOException {
    index.clear();
    if (temp != null) {
      temp.truncate(0);
    }
  }

  /** Adjacent dirty blocks merged into changes of at most {@link #MAX_RUN} bytes. */
  private final class Runs implements RedoLogDevice.Changes {
    private final long[] blocks;
    private final int count;
    private final long bytes;

    Runs(long[] blocks) {
      this.blocks = blocks;
      int c = 0;
      long b = 0;
      int i = 0;
      while (i < blocks.length) {
        int j = runEnd(i);
        c++;
        for (int k = i; k < j; k++) {
          b += blockLength(blocks[k]);
        }
        i = j;
      }
      this.count = c;
      this.bytes = b;
    }

    private int runEnd(int i) {
      int j = i + 1;
      while (j < blocks.length && blocks[j] == blocks[j - 1] + 1 && j - i < MAX_RUN / BLOCK) {
        j++;
      }
      return j;
    }

    @Override
    public int count() {
      return count;
    }

    @Override
    public long bytes() {
      return bytes;
    }

    @Override
    public void forEach(RedoLogDevice.ChangeVisitor visitor) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(MAX_RUN);
      int i = 0;
      while (i < blocks.length) {
        int j = runEnd(i);
        buffer.clear();
        for (int k = i; k < j; k++) {
          int len = blockLength(blocks[k]);
          ByteBuffer part = buffer.slice(buffer.position(), len);
          readTemp((long) index.get(blocks[k]) * BLOCK, part);
          buffer.position(buffer.position() + len);
        }
        buffer.flip();
        visitor.change(blocks[i] * BLOCK, buffer);
        i = j;
      }
    }
  }

  private void check(long offset, int n) throws IOException {
    if (offset < 0 || offset + n > base.size()) {
      throw new EOFException(description() + ": " + n + " bytes at " + offset
          + " reach past the end (" + base.size() + " bytes)");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(description() + " is closed");
    }
  }

  private void closeTemp() {
    if (temp != null) {
      try {
        temp.close();
      } catch (IOException e) {
        LOG.debug("closing the overlay file: {}", e.toString());
      }
      temp = null;
    }
  }

  /** Discards what was not committed and removes the overlay file; the device stays open. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    index.clear();
    closeTemp();
    closed = true;
  }

  /**
   * Dirty block number to slot in the overlay file: open addressing over two primitive arrays,
   * at most half full, so a million dirty blocks (4 GiB of changes) take 24 to 48 MiB.
   */
  static final class BlockIndex {
    private long[] keys = new long[64];
    private int[] slots = new int[64];
    private int size;

    BlockIndex() {
      Arrays.fill(keys, -1);
    }

    int size() {
      return size;
    }

    private int hash(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) & mask;
    }

    int get(long key) {
      int mask = keys.length - 1;
      for (int i = hash(key, mask); ; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return slots[i];
        }
        if (keys[i] == -1) {
          return -1;
        }
      }
    }

    void put(long key, int slot) {
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      for (int i = hash(key, mask); ; i = (i + 1) & mask) {
        if (keys[i] == key) {
          slots[i] = slot;
          return;
        }
        if (keys[i] == -1) {
          keys[i] = key;
          slots[i] = slot;
          size++;
          return;
        }
      }
    }

    private void grow() {
      long[] oldKeys = keys;
      int[] oldSlots = slots;
      keys = new long[oldKeys.length * 2];
      slots = new int[oldKeys.length * 2];
      Arrays.fill(keys, -1);
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != -1) {
          put(oldKeys[i], oldSlots[i]);
        }
      }
    }

    long[] sortedKeys() {
      long[] out = new long[size];
      int n = 0;
      for (long k : keys) {
        if (k != -1) {
          out[n++] = k;
        }
      }
      Arrays.sort(out);
      return out;
    }

    void clear() {
      keys = new long[64];
      slots = new int[64];
      Arrays.fill(keys, -1);
      size = 0;
    }
  }
}
