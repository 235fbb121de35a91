package dev.vdisk.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process {@link HiveCrashIT} stops: {@link Hive#openWritable(Path)}, then batches of
 * createKey/setValue/deleteValue/deleteKey each followed by a commit, halting the JVM right after
 * write-path step number {@code haltAt} (0: never). Prints {@code commit N} before each commit,
 * {@code halt STEP} at the halt point and {@code steps N} at the end.
 */
public final class HiveCrashChild {
  private HiveCrashChild() {}

  /** The edits of batch {@code b}: the same in the child and in the test. */
  static void batch(Hive h, long seed, int b) throws IOException {
    Random r = new Random(seed * 31 + b);
    String base = "Crash\\B" + b;
    for (int j = 0; j < 3; j++) {
      String key = base + "\\K" + j;
      h.createKey(key);
      int values = 1 + r.nextInt(4);
      for (int v = 0; v < values; v++) {
        h.setValue(key, value("v" + v, r));
      }
    }
    h.setValue("Software", value("crash" + b, r));
    if (b > 0) {
      h.deleteKey("Crash\\B" + (b - 1) + "\\K" + r.nextInt(3));
      h.deleteValue("Software", "crash" + (b - 1));
    }
  }

  private static RegistryValue value(String name, Random r) {
    switch (r.nextInt(5)) {
      case 0:
        return new RegistryValue(name, 4, new byte[] {(byte) r.nextInt(), 0, 0, 1});
      case 1:
        return new RegistryValue(name, 1,
            ("text " + r.nextLong() + "\0").getBytes(StandardCharsets.UTF_16LE));
      case 2: {
        byte[] big = new byte[r.nextBoolean() ? 20000 : 3000];
        r.nextBytes(big);
        return new RegistryValue(name, 3, big);
      }
      case 3:
        return new RegistryValue(name, 7, ("a\0b" + r.nextInt(100) + "\0\0")
            .getBytes(StandardCharsets.UTF_16LE));
      default: {
        byte[] small = new byte[r.nextInt(64)];
        r.nextBytes(small);
        return new RegistryValue(name, 3, small);
      }
    }
  }

  /**
   * Runs the batches.
   *
   * @param args hive, seed, batch count, halt step
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path hive = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int batches = Integer.parseInt(args[2]);
    int haltAt = Integer.parseInt(args[3]);
    AtomicInteger steps = CrashChildren.haltAt(haltAt);
    try (Hive h = Hive.openWritable(hive)) {
      for (int b = 0; b < batches; b++) {
        batch(h, seed, b);
        System.out.println("commit " + b);
        h.commit();
      }
    }
    System.out.println("steps " + steps.get());
    System.out.flush();
  }
}
