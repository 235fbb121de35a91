package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads and inflates compressed grains through a read-ahead window: one channel read fills the
 * window with the grain asked for and the grains stored after it, so a sequential pass over a
 * streamOptimized file reads it in large sequential chunks. One {@link Inflater} is reused. Not
 * thread-safe: callers hold their own lock.
 */
final class GrainReader {
  /** Bytes read ahead per channel read. */
  static final int WINDOW = 1 << 20;

  private static final String GRAIN = "compressed grain";

  private final Path file;
  private final FileChannel channel;
  private final long grainBytes;
  private final boolean markers;
  private final Inflater inflater = new Inflater();
  private final byte[] scratch = new byte[1];
  private final ByteBuffer window = ByteBuffer.allocate(WINDOW).order(ByteOrder.LITTLE_ENDIAN);
  private long windowStart = -1;
  private int windowLength;
  private long fileSize;

  GrainReader(Path file, FileChannel channel, long fileSize, long grainBytes, boolean markers) {
    this.file = file;
    this.channel = channel;
    this.fileSize = fileSize;
    this.grainBytes = grainBytes;
    this.markers = markers;
  }

  /** Updates the known file size (the writer appends while reading back). */
  void fileSize(long size) {
    this.fileSize = size;
  }

  /** The most compressed bytes one grain may take: a deflate stream's worst-case expansion. */
  long maxCompressed() {
    return grainBytes + grainBytes / 8 + 4096;
  }

  /**
   * Inflates the grain whose marker (or, without markers, whose data) is at {@code position}.
   *
   * @param position the grain's byte offset in the file
   * @param lba the grain's first sector, which its marker must name
   * @param out receives the grain; its first {@code grainBytes} bytes are written (zeros after
   *     the data)
   * @param expected the least number of bytes the grain must inflate to (shorter only for the
   *     last grain of a capacity that is not a whole number of grains)
   */
  void read(long position, long lba, byte[] out, int expected) throws IOException {
    read(position, lba, out, 0, expected);
  }

  /**
   * As {@link #read(long, long, byte[], int)}, writing the grain at {@code out[outOffset]}.
   *
   * @param position the grain's byte offset in the file
   * @param lba the grain's first sector
   * @param out receives {@code grainBytes} bytes from {@code outOffset}
   * @param outOffset where in {@code out}
   * @param expected the least number of bytes the grain must inflate to
   */
  void read(long position, long lba, byte[] out, int outOffset, int expected)
      throws IOException {
    long dataStart = position;
    long limit;
    if (markers) {
      if (position < 0 || position > fileSize - Marker.GRAIN_MARKER_SIZE) {
        throw new CorruptStructureException(file, position, "grain marker",
            "does not lie inside the file of " + fileSize + " bytes");
      }
      ByteBuffer head = window(position, Marker.GRAIN_MARKER_SIZE);
      long markerLba = head.getLong(head.position());
      long size = Integer.toUnsignedLong(head.getInt(head.position() + 8));
      if (markerLba != lba) {
        throw new CorruptStructureException(file, position, "grain marker",
            "names LBA " + markerLba + " but the grain table maps LBA " + lba + " here");
      }
      if (size == 0) {
        throw new CorruptStructureException(file, position, "grain marker",
            "is a metadata marker, not a grain (size 0)");
      }
      dataStart = position + Marker.GRAIN_MARKER_SIZE;
      if (size > maxCompressed()) {
        throw new CorruptStructureException(file, position, "grain marker",
            "compressed size " + size + " exceeds the largest deflate stream of one "
                + grainBytes + "-byte grain");
      }
      if (size > fileSize - dataStart) {
        throw new CorruptStructureException(file, position, "grain marker",
            "compressed size " + size + " runs past the end of the file (" + fileSize
                + " bytes)");
      }
      limit = size;
    } else {
      if (position < 0 || position >= fileSize) {
        throw new CorruptStructureException(file, position, GRAIN,
            "does not lie inside the file of " + fileSize + " bytes");
      }
      limit = Math.min(maxCompressed(), fileSize - position);
    }
    inflate(position, dataStart, limit, out, outOffset, expected);
  }

  private void inflate(long position, long dataStart, long limit, byte[] out, int outOffset,
      int expected) throws IOException {
    int outLength = (int) grainBytes;
    inflater.reset();
    long in = dataStart;
    long inEnd = dataStart + limit;
    int produced = 0;
    int stalls = 0;
    try {
      while (!inflater.finished()) {
        int before = produced;
        long inBefore = in;
        if (inflater.needsInput()) {
          if (in >= inEnd) {
            throw new CorruptStructureException(file, position, GRAIN,
                "the deflate stream ends early after " + produced + " bytes of output");
          }
          ByteBuffer chunk = window(in, (int) Math.min(WINDOW, inEnd - in));
          in += chunk.remaining();
          inflater.setInput(chunk);
        }
        if (produced < outLength) {
          produced += inflater.inflate(out, outOffset + produced, outLength - produced);
        } else if (inflater.inflate(scratch, 0, 1) > 0) {
          throw new CorruptStructureException(file, position, GRAIN,
              "inflates to more than the grain size of " + grainBytes + " bytes");
        }
        if (inflater.needsDictionary()) {
          throw new CorruptStructureException(file, position, GRAIN,
              "the zlib stream asks for a preset dictionary");
        }
        stalls = produced == before && in == inBefore ? stalls + 1 : 0;
        if (stalls > 3) {
          throw new CorruptStructureException(file, position, GRAIN,
              "the deflate stream makes no progress");
        }
      }
    } catch (DataFormatException e) {
      throw new CorruptStructureException(file, position, GRAIN,
          "inflate failed: " + e.getMessage(), e);
    }
    if (produced < expected) {
      throw new CorruptStructureException(file, position, GRAIN,
          "inflates to " + produced + " bytes, " + expected + " expected");
    }
    java.util.Arrays.fill(out, outOffset + produced, outOffset + outLength, (byte) 0);
  }

  /**
   * A view of file bytes from {@code at}: at least {@code min(want, file end - at)} bytes when
   * {@code want <= WINDOW}, refilling the window from {@code at} when needed.
   */
  private ByteBuffer window(long at, int want) throws IOException {
    if (windowStart < 0 || at < windowStart || at + want > windowStart + windowLength) {
      window.clear();
      int length = (int) Math.min(WINDOW, fileSize - at);
      window.limit(length);
      long pos = at;
      while (window.hasRemaining()) {
        int n = channel.read(window, pos);
        if (n < 0) {
          break;
        }
        pos += n;
      }
      windowStart = at;
      windowLength = window.position();
      if (windowLength < Math.min(want, length)) {
        throw new CorruptStructureException(file, at, GRAIN,
            "the file ends at " + (at + windowLength) + " inside it");
      }
    }
    int from = (int) (at - windowStart);
    int n = Math.min(want, windowLength - from);
    return window.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(from + n).position(from);
  }
}
