package dev.vdisk.core.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vdisk.core.MemoryBlockDevice;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.util.ForwardingBlockDevice;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy-on-write overlay: against a byte-array model under seeded random writes of every
 * alignment, reads merge overlay and device, the device is untouched until commit, discard
 * restores it, commit makes it equal to the model, and a commit cut short at any device write is
 * finished by recovery.
 */
class TransactionTest {
  @TempDir Path dir;

  /** A size that is not a multiple of the overlay's block, so the last block is partial. */
  private static final int SIZE = 37 * Transaction.BLOCK + 1234;

  private static long seed() {
    long seed = System.nanoTime();
    System.out.println("TransactionTest seed " + seed);
    return seed;
  }

  private static byte[] random(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** Random writes into the transaction and the model alike. */
  private static void scribble(Random rnd, Transaction tx, byte[] model, int count)
      throws IOException {
    for (int i = 0; i < count; i++) {
      int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 3 * Transaction.BLOCK);
      int off = rnd.nextInt(model.length - len + 1);
      byte[] data = random(rnd, len);
      tx.write(off, ByteBuffer.wrap(data));
      System.arraycopy(data, 0, model, off, len);
    }
  }

  private static byte[] readAll(dev.vdisk.core.BlockDevice d) throws IOException {
    byte[] all = new byte[(int) d.size()];
    d.read(0, ByteBuffer.wrap(all));
    return all;
  }

  @RepeatedTest(5)
  void readsMergeAndCommitWritesEverything() throws IOException {
    Random rnd = new Random(seed());
    byte[] initial = random(rnd, SIZE);
    MemoryBlockDevice base = new MemoryBlockDevice(initial.clone(), true, "base", 512);
    byte[] model = initial.clone();
    try (Transaction tx = Transaction.begin(base, dir)) {
      scribble(rnd, tx, model, 60);
      assertThat(base.array()).isEqualTo(initial);
      assertThat(readAll(tx)).isEqualTo(model);
      // random reads of every alignment
      for (int i = 0; i < 200; i++) {
        int len = rnd.nextInt(3 * Transaction.BLOCK);
        int off = rnd.nextInt(SIZE - len + 1);
        byte[] got = new byte[len];
        tx.read(off, ByteBuffer.wrap(got));
        assertThat(got).isEqualTo(Arrays.copyOfRange(model, off, off + len));
      }
      tx.commit(dir.resolve("disk.vdisk-redo-0"));
      assertThat(base.array()).isEqualTo(model);
      assertThat(Files.exists(dir.resolve("disk.vdisk-redo-0"))).isFalse();
      assertThat(tx.dirtyBlocks()).isZero();
      // a second round on the committed state
      scribble(rnd, tx, model, 10);
      tx.commit(dir.resolve("disk.vdisk-redo-0"));
      assertThat(base.array()).isEqualTo(model);
    }
  }

  @Test
  void discardLeavesTheDeviceAsItWas() throws IOException {
    Random rnd = new Random(seed());
    byte[] initial = random(rnd, SIZE);
    MemoryBlockDevice base = new MemoryBlockDevice(initial.clone(), true, "base", 512);
    try (Transaction tx = Transaction.begin(base, dir)) {
      scribble(rnd, tx, initial.clone(), 40);
      tx.discard();
      assertThat(tx.dirtyBlocks()).isZero();
      assertThat(readAll(tx)).isEqualTo(initial);
    }
    assertThat(base.array()).isEqualTo(initial);
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty(); // the overlay file is gone
    }
  }

  @Test
  void aReadOnlyDeviceTakesChangesButNotACommit() throws IOException {
    Random rnd = new Random(seed());
    byte[] initial = random(rnd, SIZE);
    MemoryBlockDevice base = MemoryBlockDevice.readOnlyCopyOf(initial);
    try (Transaction tx = Transaction.begin(base, dir)) {
      byte[] model = initial.clone();
      scribble(rnd, tx, model, 5);
      assertThat(readAll(tx)).isEqualTo(model);
      assertThatThrownBy(() -> tx.commit(dir.resolve("r")))
          .isInstanceOf(UnsafeToWriteException.class);
      assertThat(readAll(tx)).isEqualTo(model);
    }
  }

  @Test
  void outOfRangeIsAnEofError() {
    MemoryBlockDevice base = new MemoryBlockDevice(SIZE);
    Transaction tx = Transaction.begin(base, dir);
    assertThatThrownBy(() -> tx.write(SIZE - 1, ByteBuffer.allocate(2)))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> tx.read(-1, ByteBuffer.allocate(2)))
        .isInstanceOf(EOFException.class);
    tx.close();
  }

  /** Fails every device write after the first {@code limit}, as a crash would stop them. */
  private static final class Cut extends ForwardingBlockDevice {
    private final int limit;
    private int writes;

    Cut(MemoryBlockDevice d, int limit) {
      super(d);
      this.limit = limit;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
      if (writes++ >= limit) {
        throw new IOException("crash");
      }
      delegate.write(offset, src);
    }
  }

  @RepeatedTest(5)
  void aCommitCutShortIsFinishedByRecovery() throws IOException {
    Random rnd = new Random(seed());
    byte[] initial = random(rnd, SIZE);
    byte[] model = initial.clone();
    MemoryBlockDevice mem = new MemoryBlockDevice(initial.clone(), true, "base", 512);
    Path record = dir.resolve("disk.vdisk-redo-0");
    int limit = rnd.nextInt(6);
    try (Transaction tx = Transaction.begin(new Cut(mem, limit), dir)) {
      scribble(rnd, tx, model, 30);
      try {
        tx.commit(record);
      } catch (IOException e) {
        assertThat(e).hasMessage("crash");
      }
    }
    // whatever was cut, the record is complete: recovery finishes the group
    if (Files.exists(record)) {
      assertThat(Transaction.recover(mem, record)).isTrue();
    }
    assertThat(mem.array()).isEqualTo(model);
    assertThat(Files.exists(record)).isFalse();
  }

  @Test
  void theIndexHoldsManyBlocks() {
    Transaction.BlockIndex index = new Transaction.BlockIndex();
    Random rnd = new Random(seed());
    java.util.Map<Long, Integer> model = new java.util.HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      long key = rnd.nextInt(1 << 24);
      index.put(key, i);
      model.put(key, i);
    }
    assertThat(index.size()).isEqualTo(model.size());
    model.forEach((k, v) -> assertThat(index.get(k)).isEqualTo(v));
    assertThat(index.get(1L << 40)).isEqualTo(-1);
    long[] sorted = index.sortedKeys();
    assertThat(sorted).isSorted().hasSize(model.size());
  }
}
