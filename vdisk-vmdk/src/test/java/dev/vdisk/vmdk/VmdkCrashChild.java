package dev.vdisk.vmdk;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.util.WriteSteps;
import dev.vdisk.testdata.CrashHarness;
import java.util.List;

/**
 * The process that {@link VmdkCrashIT} kills: opens an image read-write, performs a seeded
 * sequence of writes, and right after write-path step number {@code haltAt} prints {@code halt
 * STEP} and waits to be killed (SIGKILL). The protocol is {@link CrashHarness}'s.
 */
public final class VmdkCrashChild {
  private VmdkCrashChild() {}

  /** The seeded write sequence, the same in the child and in the test. */
  static List<CrashHarness.Write> plan(long seed, long size, int count) {
    return CrashHarness.plan(seed, size, count, 3, 700_000);
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
          VirtualDisk disk = new VmdkFormat().open(image, OpenOptions.readWrite());
          return CrashHarness.target(disk.size(), disk::write, disk);
        }, VmdkCrashChild::plan);
  }
}
