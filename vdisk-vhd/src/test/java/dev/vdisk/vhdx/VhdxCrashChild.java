package dev.vdisk.vhdx;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.util.WriteSteps;
import dev.vdisk.testdata.CrashHarness;
import java.util.List;

/**
 * The process that {@link VhdxCrashIT} kills: opens an image read-write, performs a seeded
 * sequence of writes, and halts the JVM (no shutdown hooks, no close, exit code 77) right after
 * write-path step number {@code haltAt}. The protocol is {@link CrashHarness}'s.
 */
public final class VhdxCrashChild {
  private VhdxCrashChild() {}

  /** The seeded write sequence, the same in the child and in the test. */
  static List<CrashHarness.Write> plan(long seed, long size, int count) {
    return CrashHarness.plan(seed, size, count, 4, 2_600_000);
  }

  /**
   * Runs the writes.
   *
   * @param args image, seed, write count, halt step (0 for never)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    CrashHarness.child(args, l -> WriteSteps.setListener(l::accept), CrashHarness.Halt.EXIT,
        image -> {
          VirtualDisk disk = new VhdxFormat().open(image, OpenOptions.readWrite());
          return CrashHarness.target(disk.size(), disk::write, disk);
        }, VhdxCrashChild::plan);
  }
}
