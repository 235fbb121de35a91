package dev.vdisk.compliance.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one task per input on a bounded pool of threads and returns the results in input order.
 * At most {@code parallelism} tasks run at once, so memory is bounded by what that many tasks
 * hold, whatever the number of inputs. When the calling thread is interrupted, tasks not yet
 * started are cancelled; running ones are never interrupted (an interrupt closes the file
 * channels of an image being written) and finish in the background.
 */
public final class Parallel {
  private static final Logger LOG = LoggerFactory.getLogger(Parallel.class);

  private Parallel() {}

  /**
   * Maps every input through {@code task}, {@code parallelism} at a time.
   *
   * @param inputs the inputs
   * @param parallelism the most tasks at once (at least 1)
   * @param name the threads' name prefix
   * @param task the work; should not throw
   * @param failed the result for an input whose task threw (or was interrupted), from the input
   *     and the exception
   * @param done called with the number of inputs done so far after each one, from the worker
   *     thread, or null; its exceptions are logged and ignored
   * @param <T> the input type
   * @param <R> the result type
   * @return one result per input, in input order
   */
  public static <T, R> List<R> map(List<T> inputs, int parallelism, String name,
      Function<T, R> task, BiFunction<T, Throwable, R> failed, IntConsumer done) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    List<R> out = new ArrayList<>(inputs.size());
    if (inputs.isEmpty()) {
      return out;
    }
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, name + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(parallelism, inputs.size()), factory);
    try {
      List<Future<R>> futures = new ArrayList<>(inputs.size());
      for (T in : inputs) {
        futures.add(pool.submit(() -> {
          R r;
          try {
            r = task.apply(in);
          } catch (RuntimeException | Error e) {
            LOG.warn("{}: {}", in, e.toString(), e);
            r = failed.apply(in, e);
          }
          int n = finished.incrementAndGet();
          if (done != null) {
            try {
              done.accept(n);
            } catch (RuntimeException e) {
              LOG.debug("progress callback failed", e);
            }
          }
          return r;
        }));
      }
      boolean interrupted = false;
      for (int i = 0; i < futures.size(); i++) {
        Future<R> f = futures.get(i);
        R r;
        if (interrupted) {
          f.cancel(false);
          r = failed.apply(inputs.get(i), new InterruptedException("interrupted"));
        } else {
          try {
            r = f.get();
          } catch (InterruptedException e) {
            interrupted = true;
            f.cancel(false);
            r = failed.apply(inputs.get(i), e);
          } catch (ExecutionException e) {
            r = failed.apply(inputs.get(i), e.getCause());
          }
        }
        out.add(r);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }
}
