package dev.vdisk.core.tx;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.VirtualDisks;
import dev.vdisk.core.util.WriteSteps;
import dev.vdisk.testdata.CrashHarness;
import java.nio.file.Path;
import java.util.List;

/**
 * The process {@link TransactionCrashIT} kills: opens a raw image read-write, puts a {@link
 * Transaction} on it, performs a seeded sequence of writes into the transaction and commits it
 * on close; right after commit step number {@code haltAt} it prints {@code halt STEP} and waits
 * for SIGKILL. The protocol is {@link CrashHarness}'s.
 */
public final class TransactionCrashChild {
  private TransactionCrashChild() {}

  static List<CrashHarness.Write> plan(long seed, long size, int count) {
    return CrashHarness.plan(seed, size, count, 3, 1_500_000);
  }

  static Path record(Path image) {
    return Transaction.record(image);
  }

  /**
   * Runs the writes.
   *
   * @param args image, seed, write count, halt step (0 for never)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    CrashHarness.child(args, l -> WriteSteps.setListener(l::accept),
        CrashHarness.Halt.WAIT_FOR_KILL, image -> {
          VirtualDisk disk = VirtualDisks.open(image, OpenOptions.readWrite());
          Transaction tx = Transaction.begin(disk, image.getParent());
          return CrashHarness.target(disk.size(), tx::write, () -> {
            tx.commit(record(image));
            tx.close();
            disk.close();
          });
        }, TransactionCrashChild::plan);
  }
}
