package dev.vdisk.vhdx.internal;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Positional access to a VHDX file, optionally seen through an in-memory overlay of 4 KiB sectors
 * (a log replayed in memory on a read-only open). Every read of metadata and payload goes through
 * here, so the overlay is never bypassed; the file itself is never written while an overlay
 * exists.
 */
public final class ImageFile {
  private static final int SECTOR = 4096;
  private static final byte[] ZERO_SECTOR = new byte[SECTOR];
  /** The most sectors an in-memory replay may hold (1 GiB of distinct sectors). */
  private static final int MAX_OVERLAY_SECTORS = 1 << 18;

  private final Path path;
  private final FileChannel channel;
  private final TreeMap<Long, byte[]> overlay = new TreeMap<>();
  private volatile long overlayLength;

  /**
   * Wraps an open channel.
   *
   * @param path the file, for messages
   * @param channel the channel
   */
  public ImageFile(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * The file, for messages.
   *
   * @return the path
   */
  public Path path() {
    return path;
  }

  /**
   * The channel (for writes, which never happen while an overlay exists).
   *
   * @return the channel
   */
  public FileChannel channel() {
    return channel;
  }

  /**
   * The file's length as seen through the overlay.
   *
   * @return bytes
   * @throws IOException on an I/O error
   */
  public long size() throws IOException {
    return Math.max(channel.size(), overlayLength);
  }

  /**
   * Whether a replay is held in memory.
   *
   * @return {@code true} if there is an overlay
   */
  public boolean hasOverlay() {
    return overlayLength > 0 || !overlay.isEmpty();
  }

  /**
   * Replays log actions into the in-memory overlay.
   *
   * @param writes the actions in replay order
   * @param minimumLength the file length the replay implies (LastFileOffset)
   * @throws IOException if the replay is too large to hold in memory
   */
  public synchronized void overlay(List<VhdxLog.Write> writes, long minimumLength)
      throws IOException {
    long end = Math.max(minimumLength, channel.size());
    for (VhdxLog.Write w : writes) {
      long count = w.sector() != null ? 1 : w.zeroLength() / SECTOR;
      if (overlay.size() + count > MAX_OVERLAY_SECTORS) {
        throw new UnsupportedFeatureException(path, "VHDX log replay in memory",
            "the log touches more than " + MAX_OVERLAY_SECTORS + " sectors; open read-write");
      }
      for (long i = 0; i < count; i++) {
        overlay.put(w.fileOffset() + i * SECTOR, w.sector() != null ? w.sector() : ZERO_SECTOR);
      }
      end = Math.max(end, w.end());
    }
    overlayLength = end;
  }

  /**
   * Reads exactly {@code dst.remaining()} bytes of a structure.
   *
   * @param offset the file offset
   * @param dst where to put them
   * @param structure the structure's name, for the error
   * @throws CorruptStructureException if the range is not inside the file
   * @throws IOException on an I/O error
   */
  public void read(long offset, ByteBuffer dst, String structure) throws IOException {
    long size = size();
    if (offset < 0 || offset > size || dst.remaining() > size - offset) {
      throw new CorruptStructureException(path, offset, structure, dst.remaining()
          + " bytes at " + offset + " extend past the end of the " + size + "-byte file");
    }
    readUnchecked(offset, dst);
  }

  /**
   * Reads, with bytes past the end of the file reading as zeros.
   *
   * @param offset the file offset, not negative
   * @param dst where to put the bytes
   * @throws IOException on an I/O error
   */
  public void readUnchecked(long offset, ByteBuffer dst) throws IOException {
    int start = dst.position();
    int length = dst.remaining();
    long position = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, position);
      if (n < 0) {
        fillZero(dst);
        break;
      }
      position += n;
    }
    if (!overlay.isEmpty()) {
      applyOverlay(offset, dst, start, length);
    }
  }

  /**
   * Fills the buffer's remaining bytes with zeros and advances it to its limit.
   *
   * @param dst the buffer
   */
  public static void fillZero(ByteBuffer dst) {
    if (dst.hasArray()) {
      Arrays.fill(dst.array(), dst.arrayOffset() + dst.position(),
          dst.arrayOffset() + dst.limit(), (byte) 0);
      dst.position(dst.limit());
    } else {
      while (dst.hasRemaining()) {
        dst.put(ZERO_SECTOR, 0, Math.min(SECTOR, dst.remaining()));
      }
    }
  }

  private synchronized void applyOverlay(long offset, ByteBuffer dst, int start, int length) {
    long first = offset - Math.floorMod(offset, SECTOR);
    NavigableMap<Long, byte[]> hits = overlay.subMap(first, true, offset + length, false);
    for (Map.Entry<Long, byte[]> e : hits.entrySet()) {
      long s = Math.max(e.getKey(), offset);
      long t = Math.min(e.getKey() + SECTOR, offset + length);
      if (s < t) {
        dst.put(start + (int) (s - offset), e.getValue(), (int) (s - e.getKey()), (int) (t - s));
      }
    }
  }

  /**
   * Writes all of {@code src} at {@code offset}.
   *
   * @param offset the file offset
   * @param src the bytes
   * @throws IOException on an I/O error
   */
  public void write(long offset, ByteBuffer src) throws IOException {
    if (hasOverlay()) {
      throw new IllegalStateException("write to a file with an in-memory replay");
    }
    long position = offset;
    while (src.hasRemaining()) {
      position += channel.write(src, position);
    }
  }

  /**
   * Makes written data durable.
   *
   * @throws IOException on an I/O error
   */
  public void force() throws IOException {
    channel.force(true);
  }
}
