package dev.vdisk.testdata;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Assertions;

/**
 * Compares two devices quickly by their allocation runs: every run that either side stores as
 * data is compared byte for byte; runs that both sides know to hold no data (holes) are skipped,
 * so that large sparse disks are quick.
 */
public final class Contents {
  private Contents() {}

  /**
   * An allocation run as a device reports it.
   *
   * @param end where it ends
   * @param data whether it holds stored data
   */
  public record Run(long end, boolean data) {}

  /** A device's allocation runs. */
  @FunctionalInterface
  public interface Runs {
    /**
     * The run that starts at (or covers) {@code position}.
     *
     * @param position where
     * @return the run
     * @throws IOException on an I/O error
     */
    Run at(long position) throws IOException;
  }

  /**
   * Fails unless the first {@code size} bytes of two devices are the same.
   *
   * @param size how many bytes to compare
   * @param ours the runs of the device under test
   * @param oursRead reads it
   * @param theirs the runs of the reference (such as a raw file)
   * @param theirsRead reads it
   * @param what names the reference in the failure message
   * @throws IOException on an I/O error
   */
  public static void assertSame(long size, Runs ours, Digests.RangeReader oursRead, Runs theirs,
      Digests.RangeReader theirsRead, String what) throws IOException {
    ByteBuffer a = ByteBuffer.allocate(1 << 20);
    ByteBuffer b = ByteBuffer.allocate(1 << 20);
    long pos = 0;
    while (pos < size) {
      Run x = ours.at(pos);
      Run y = theirs.at(pos);
      long end = Math.min(size, Math.min(x.end(), y.end()));
      if (x.data() || y.data()) {
        for (long at = pos; at < end; ) {
          int n = (int) Math.min(a.capacity(), end - at);
          a.clear().limit(n);
          b.clear().limit(n);
          oursRead.read(at, a);
          theirsRead.read(at, b);
          if (!a.flip().equals(b.flip())) {
            Assertions.fail("content differs in [" + at + ", " + (at + n) + ") of " + what);
          }
          at += n;
        }
      }
      pos = end;
    }
  }
}
