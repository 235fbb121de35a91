package dev.vdisk.vmdk;

import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.util.WriteSteps;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process that {@link VmdkCrashIT} kills: opens an image read-write, performs a seeded
 * sequence of writes, and right after write-path step number {@code haltAt} prints {@code halt
 * STEP} and waits to be killed (SIGKILL). It prints {@code write N} before each write and {@code
 * steps N} when it finishes without halting.
 */
public final class VmdkCrashChild {
  private VmdkCrashChild() {}

  /** One planned write. */
  record Write(long offset, byte[] data) {}

  /** The seeded write sequence, the same in the child and in the test. */
  static List<Write> plan(long seed, long size, int count) {
    Random random = new Random(seed);
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextInt(3) == 0 ? 3000 : 700_000);
      long offset = (long) (random.nextDouble() * (size - length));
      byte[] data = new byte[length];
      random.nextBytes(data);
      writes.add(new Write(offset, data));
    }
    return writes;
  }

  /**
   * Runs the writes.
   *
   * @param args image, seed, write count, halt step (0 for never)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path image = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int count = Integer.parseInt(args[2]);
    int haltAt = Integer.parseInt(args[3]);
    int[] steps = {0};
    WriteSteps.setListener(step -> {
      steps[0]++;
      if (steps[0] == haltAt) {
        System.out.println("halt " + step);
        System.out.flush();
        try {
          Thread.sleep(600_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(78);
      }
    });
    try (VirtualDisk disk = new VmdkFormat().open(image, OpenOptions.readWrite())) {
      List<Write> writes = plan(seed, disk.size(), count);
      for (int i = 0; i < writes.size(); i++) {
        System.out.println("write " + i);
        System.out.flush();
        disk.write(writes.get(i).offset(), ByteBuffer.wrap(writes.get(i).data()));
      }
      System.out.println("closing");
      System.out.flush();
    }
    System.out.println("steps " + steps[0]);
  }
}
