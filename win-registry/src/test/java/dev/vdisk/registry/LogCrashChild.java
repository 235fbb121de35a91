package dev.vdisk.registry;

import dev.vdisk.registry.internal.LoggedHiveStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process {@link LoggedHiveStoreCrashIT} stops: opens a {@link LoggedHiveStore} over a hive
 * file and commits a seeded series of states (random bytes inside free cells, new empty hive
 * bins), halting the JVM ({@code Runtime.halt}, no close, no shutdown hooks) right after
 * write-path step number {@code haltAt} (0: never). Prints {@code commit N} before each commit,
 * {@code halt} at the halt point and {@code steps N} when it finished.
 */
public final class LogCrashChild {
  private LogCrashChild() {}

  /** The states the child commits, in order, starting with the initial file. */
  static List<byte[]> states(byte[] initial, long seed, int commits) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>();
    // the file may hold padding after the hive bins data: the state is what the base block covers
    byte[] s = java.util.Arrays.copyOf(initial, 4096 + LogFixtures.le(initial).getInt(40));
    out.add(s);
    for (int i = 0; i < commits; i++) {
      s = LogFixtures.mutate(s, random, i % 3 == 2);
      out.add(s);
    }
    return out;
  }

  /**
   * Runs the commits.
   *
   * @param args hive, seed, commit count, halt step
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path hive = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    int commits = Integer.parseInt(args[2]);
    int haltAt = Integer.parseInt(args[3]);
    List<byte[]> states = states(Files.readAllBytes(hive), seed, commits);
    AtomicInteger steps = CrashChildren.haltAt(haltAt);
    try (LoggedHiveStore store = LoggedHiveStore.open(hive)) {
      for (int i = 0; i < commits; i++) {
        System.out.println("commit " + i);
        byte[] before = states.get(i);
        byte[] after = states.get(i + 1);
        store.commit(ByteBuffer.wrap(after, 0, 4096).slice(),
            ByteBuffer.wrap(LogFixtures.bins(after)), LogFixtures.dirty(before, after));
      }
    }
    System.out.println("steps " + steps.get());
    System.out.flush();
  }
}
