package dev.vdisk.ntfs.internal;

import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** NTFS times: 100-nanosecond intervals since 1601-01-01 UTC. */
public final class NtfsTime {
  /** Seconds from 1601-01-01 to 1970-01-01. */
  private static final long EPOCH_DIFFERENCE = 11_644_473_600L;

  private NtfsTime() {}

  /**
   * Converts an NTFS time to a {@link FileTime} with its full 100 ns precision.
   *
   * @param value the raw 64-bit value (treated as unsigned)
   * @return the time
   */
  public static FileTime toFileTime(long value) {
    long seconds = Long.divideUnsigned(value, 10_000_000L) - EPOCH_DIFFERENCE;
    long nanos = Long.remainderUnsigned(value, 10_000_000L) * 100;
    return FileTime.from(Instant.ofEpochSecond(seconds, nanos));
  }
}
