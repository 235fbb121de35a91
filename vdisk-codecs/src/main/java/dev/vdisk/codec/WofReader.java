package dev.vdisk.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a file compressed by Windows Overlay Filter "system compression" ({@code compact /exe}):
 * its {@code WofCompressedData} stream, which holds the chunk-offset table and the chunks.
 *
 * <p>The file's uncompressed data are cut into chunks of {@link WofAlgorithm#chunkSize()} bytes
 * (the last one shorter). The stream starts with one little-endian entry per chunk but the first
 * (4 bytes each, 8 when the uncompressed size is 4 GiB or more): entry {@code i} is where chunk
 * {@code i + 1} starts, counted from the end of the table; chunk 0 starts right after the table
 * and the last chunk ends at the end of the stream. A chunk whose stored size equals its
 * uncompressed size is stored as is; any other is compressed with the algorithm.
 *
 * <p>Thread-safe (given a {@link RandomAccessSource} that allows concurrent reads); it keeps a
 * bounded number of decoded chunks (about 1 MiB) to serve small sequential reads.
 */
public final class WofReader {
  private static final String ALGORITHM = "WOF";
  private static final int CACHE_BYTES = 1 << 20;

  private final RandomAccessSource compressed;
  private final long size;
  private final WofAlgorithm algorithm;
  private final int chunkSize;
  private final long chunkCount;
  private final int entrySize;
  private final long tableSize;
  private final long dataSize;
  private final Map<Long, byte[]> cache;

  /**
   * Opens a WOF-compressed file.
   *
   * @param compressed the {@code WofCompressedData} stream
   * @param uncompressedSize the file's size (its unnamed data stream's size)
   * @param algorithm the algorithm the WOF reparse point names
   * @throws IOException if the stream is too short for its chunk table ({@link
   *     CorruptCompressedDataException})
   * @throws IllegalArgumentException if {@code uncompressedSize} is negative
   */
  public WofReader(RandomAccessSource compressed, long uncompressedSize, WofAlgorithm algorithm)
      throws IOException {
    this.compressed = Objects.requireNonNull(compressed, "compressed");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    if (uncompressedSize < 0) {
      throw new IllegalArgumentException("negative uncompressed size " + uncompressedSize);
    }
    this.size = uncompressedSize;
    this.chunkSize = algorithm.chunkSize();
    this.chunkCount = (uncompressedSize + chunkSize - 1) / chunkSize;
    this.entrySize = uncompressedSize >= (1L << 32) ? 8 : 4;
    this.tableSize = chunkCount == 0 ? 0 : (chunkCount - 1) * entrySize;
    long streamSize = compressed.size();
    if (streamSize < tableSize || (chunkCount > 0 && streamSize == tableSize)) {
      throw new CorruptCompressedDataException(ALGORITHM, 0, "WofCompressedData stream of "
          + streamSize + " bytes cannot hold " + chunkCount + " chunks and their " + tableSize
          + "-byte chunk table");
    }
    this.dataSize = streamSize - tableSize;
    int capacity = Math.max(16, CACHE_BYTES / chunkSize);
    this.cache = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * The uncompressed size.
   *
   * @return the size in bytes
   */
  public long size() {
    return size;
  }

  /**
   * Reads uncompressed bytes, like {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}:
   * fills {@code dst} up to its limit or the end of the file and advances its position.
   *
   * @param position where to start, not negative
   * @param dst where to put the bytes
   * @return the number of bytes read, or -1 if {@code position} is at or past the end
   * @throws IOException on an I/O error of the source, or {@link CorruptCompressedDataException}
   *     if the chunk table or a chunk is corrupt
   * @throws IllegalArgumentException if {@code position} is negative
   */
  public int read(long position, ByteBuffer dst) throws IOException {
    if (position < 0) {
      throw new IllegalArgumentException("negative position " + position);
    }
    if (position >= size) {
      return -1;
    }
    int total = 0;
    long pos = position;
    while (dst.hasRemaining() && pos < size) {
      long index = pos / chunkSize;
      byte[] chunk = chunk(index);
      int within = (int) (pos - index * chunkSize);
      int n = Math.min(dst.remaining(), chunk.length - within);
      dst.put(chunk, within, n);
      pos += n;
      total += n;
    }
    return total;
  }

  private byte[] chunk(long index) throws IOException {
    synchronized (cache) {
      byte[] cached = cache.get(index);
      if (cached != null) {
        return cached;
      }
    }
    byte[] decoded = decode(index);
    synchronized (cache) {
      cache.put(index, decoded);
    }
    return decoded;
  }

  private byte[] decode(long index) throws IOException {
    long start = index == 0 ? 0 : entry(index - 1);
    long stop = index == chunkCount - 1 ? dataSize : entry(index);
    int length = (int) Math.min(chunkSize, size - index * chunkSize);
    long streamOffset = tableSize + start;
    if (start < 0 || stop > dataSize || stop <= start) {
      throw new CorruptCompressedDataException(ALGORITHM, tableSize + start, "chunk " + index
          + " spans " + start + " to " + stop + " of " + dataSize + " bytes of chunk data");
    }
    long stored = stop - start;
    if (stored > length) {
      throw new CorruptCompressedDataException(ALGORITHM, streamOffset, "chunk " + index
          + " stores " + stored + " bytes for " + length + " uncompressed bytes");
    }
    byte[] raw = new byte[(int) stored];
    readFully(streamOffset, raw);
    if (stored == length) {
      return raw;
    }
    byte[] out = new byte[length];
    try {
      switch (algorithm) {
        case LZX -> Lzx.decompress(raw, 0, raw.length, out, 0, length);
        default -> XpressHuffman.decompress(raw, 0, raw.length, out, 0, length);
      }
    } catch (CorruptCompressedDataException e) {
      throw new CorruptCompressedDataException(ALGORITHM, streamOffset + e.inputOffset(),
          "chunk " + index + " (" + algorithm + "): " + e.getMessage(), e);
    }
    return out;
  }

  private long entry(long i) throws IOException {
    byte[] b = new byte[entrySize];
    readFully(i * entrySize, b);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    return entrySize == 8 ? bb.getLong() : bb.getInt() & 0xFFFF_FFFFL;
  }

  private void readFully(long position, byte[] into) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into);
    long pos = position;
    while (b.hasRemaining()) {
      int n = compressed.read(pos, b);
      if (n <= 0) {
        throw new CorruptCompressedDataException(ALGORITHM, pos,
            "WofCompressedData stream ends at " + pos + " (" + compressed.size() + " bytes)");
      }
      pos += n;
    }
  }
}
