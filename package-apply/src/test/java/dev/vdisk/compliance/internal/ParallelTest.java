package dev.vdisk.compliance.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel#map}: results in input order whatever order the tasks finish in, never more
 * than {@code parallelism} tasks at once, a throwing task mapped to its failure result without
 * stopping the others, and one progress call per input counting up to the number of inputs.
 */
class ParallelTest {
  @Test
  void resultsKeepTheInputOrderAndConcurrencyStaysBounded() {
    long seed = System.nanoTime();
    System.err.println("ParallelTest seed " + seed);
    Random r = new Random(seed);
    for (int round = 0; round < 5; round++) {
      int n = 1 + r.nextInt(40);
      int parallelism = 1 + r.nextInt(6);
      List<Integer> inputs = IntStream.range(0, n).boxed().toList();
      List<Integer> sleeps = inputs.stream().map(i -> r.nextInt(5)).toList();
      AtomicInteger running = new AtomicInteger();
      AtomicInteger peak = new AtomicInteger();
      List<Integer> progress = Collections.synchronizedList(new ArrayList<>());
      List<String> out = Parallel.map(inputs, parallelism, "test", i -> {
        int now = running.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        try {
          Thread.sleep(sleeps.get(i));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        running.decrementAndGet();
        if (i % 7 == 3) {
          throw new IllegalStateException("task " + i);
        }
        return "ok " + i;
      }, (i, e) -> "failed " + i + ": " + e.getMessage(), progress::add);
      String where = "seed " + seed + " round " + round;
      assertEquals(n, out.size(), where);
      for (int i = 0; i < n; i++) {
        assertEquals(i % 7 == 3 ? "failed " + i + ": task " + i : "ok " + i, out.get(i), where);
      }
      assertTrue(peak.get() <= parallelism, where + ": peak " + peak + " > " + parallelism);
      assertEquals(IntStream.rangeClosed(1, n).boxed().toList(),
          progress.stream().sorted().toList(), where);
    }
  }

  @Test
  void aThrowingProgressCallbackDoesNotStopTheWork() {
    List<Integer> out = Parallel.map(List.of(1, 2, 3), 2, "test", i -> i * 10,
        (i, e) -> -1, n -> {
          throw new IllegalStateException("callback");
        });
    assertEquals(List.of(10, 20, 30), out);
  }

  @Test
  void emptyInputAndBadParallelism() {
    assertEquals(List.of(), Parallel.map(List.<Integer>of(), 3, "test", i -> i, (i, e) -> 0,
        null));
    assertThrows(IllegalArgumentException.class,
        () -> Parallel.map(List.of(1), 0, "test", i -> i, (i, e) -> 0, null));
  }
}
