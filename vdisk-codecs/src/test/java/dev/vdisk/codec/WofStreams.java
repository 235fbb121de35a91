package dev.vdisk.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays out {@code WofCompressedData} streams as Windows does, from chunks some other
 * implementation compressed: the chunk-offset table (one entry per chunk but the first, each the
 * end of a chunk counted from the end of the table), then the chunks; a chunk the compressor did
 * not shrink is stored as is.
 */
final class WofStreams {
  private WofStreams() {}

  /** A file's uncompressed bytes and its WOF stream. */
  record Built(byte[] uncompressed, byte[] stream, int rawChunks, int compressedChunks) {}

  /**
   * Builds the stream from chunks in file order.
   *
   * @param chunks the records, each the uncompressed chunk and the compressor's output
   * @param entrySize 4, or 8 as for files of 4 GiB and more
   */
  static Built build(List<CodecVectors.Record> chunks, int entrySize) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    List<Long> ends = new ArrayList<>();
    int raw = 0;
    int compressed = 0;
    for (CodecVectors.Record r : chunks) {
      byte[] c = r.compressed();
      if (c.length == 0 || c.length >= r.raw().length) {
        data.writeBytes(r.raw());
        raw++;
      } else {
        data.writeBytes(c);
        compressed++;
      }
      file.writeBytes(r.raw());
      ends.add((long) data.size());
    }
    ByteBuffer table = ByteBuffer.allocate(Math.max(0, chunks.size() - 1) * entrySize)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 1 < chunks.size(); i++) {
      if (entrySize == 8) {
        table.putLong(ends.get(i));
      } else {
        table.putInt((int) (long) ends.get(i));
      }
    }
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.writeBytes(table.array());
    stream.writeBytes(data.toByteArray());
    return new Built(file.toByteArray(), stream.toByteArray(), raw, compressed);
  }

  /**
   * The records of a vector file that make one file of the given chunk size: every full-size
   * chunk, then one shorter chunk as the tail.
   */
  static List<CodecVectors.Record> fileChunks(CodecVectors v, int chunkSize) {
    List<CodecVectors.Record> full = new ArrayList<>();
    CodecVectors.Record tail = null;
    for (CodecVectors.Record r : v.records()) {
      if (r.raw().length == chunkSize) {
        full.add(r);
      } else if (tail == null && r.raw().length > 1000 && r.raw().length < chunkSize) {
        tail = r;
      }
    }
    if (tail != null) {
      full.add(tail);
    }
    return full;
  }

  /** A source over bytes in memory. */
  static RandomAccessSource source(byte[] bytes) {
    return new RandomAccessSource() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public int read(long position, ByteBuffer dst) {
        if (position >= bytes.length) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), bytes.length - position);
        dst.put(bytes, (int) position, n);
        return n;
      }
    };
  }
}
