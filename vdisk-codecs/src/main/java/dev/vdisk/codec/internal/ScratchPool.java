package dev.vdisk.codec.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A small pool of reusable scratch objects (a decoder's Huffman tables), so that decoding a chunk
 * allocates no tables and many threads (virtual ones included) share a bounded number of them.
 *
 * @param <T> the scratch type
 */
public final class ScratchPool<T> {
  private final ConcurrentLinkedQueue<T> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger freeCount = new AtomicInteger();
  private final Supplier<T> factory;
  private final int maxFree;

  /**
   * Creates an empty pool.
   *
   * @param factory makes a new scratch object when none is free
   * @param maxFree the most free objects kept
   */
  public ScratchPool(Supplier<T> factory, int maxFree) {
    this.factory = factory;
    this.maxFree = maxFree;
  }

  /**
   * Takes a free object, or makes one.
   *
   * @return the object, owned by the caller until {@link #release}
   */
  public T acquire() {
    T t = free.poll();
    if (t == null) {
      return factory.get();
    }
    freeCount.decrementAndGet();
    return t;
  }

  /**
   * Gives an object back (dropped if the pool is full).
   *
   * @param t the object from {@link #acquire}
   */
  public void release(T t) {
    if (freeCount.incrementAndGet() <= maxFree) {
      free.offer(t);
    } else {
      freeCount.decrementAndGet();
    }
  }
}
