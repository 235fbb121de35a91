package dev.vdisk.codec;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Test vectors written by {@code testdata/scripts/make-wim-codec-vectors.sh}: chunks and their
 * compressed form made by wimlib's compressors (libwim), the independent implementation.
 *
 * @param type wimlib's compression type: 1 XPRESS, 2 LZX
 * @param chunkSize the compressor's maximum block size (for LZX also the window size)
 * @param records the chunks
 * @param name where they came from, for messages
 */
record CodecVectors(int type, int chunkSize, List<Record> records, String name) {
  static final int XPRESS = 1;
  static final int LZX = 2;

  /** The committed vector files (gzip-compressed) under {@code vectors/}. */
  static final List<String> COMMITTED = List.of("xpress-4096", "xpress-16384", "xpress-65536",
      "lzx-32768", "lzx-65536");

  /**
   * One chunk.
   *
   * @param raw the uncompressed bytes
   * @param compressed wimlib's output (empty when wimlib declined to compress)
   * @param level the wimlib compression level
   */
  record Record(byte[] raw, byte[] compressed, int level) {}

  static CodecVectors committed(String name) {
    try (InputStream in = CodecVectors.class.getResourceAsStream("vectors/" + name + ".vec.gz")) {
      if (in == null) {
        throw new IllegalStateException("missing vector resource " + name);
      }
      return parse(new GZIPInputStream(in).readAllBytes(), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CodecVectors read(Path file) throws IOException {
    return parse(Files.readAllBytes(file), file.getFileName().toString());
  }

  static CodecVectors parse(byte[] bytes, String name) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    byte[] magic = new byte[4];
    in.readFully(magic);
    if (!"VDCV".equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
      throw new IOException(name + ": not a vector file");
    }
    int type = le32(in);
    int chunk = le32(in);
    List<Record> records = new ArrayList<>();
    while (true) {
      int ulen;
      try {
        ulen = le32(in);
      } catch (EOFException end) {
        break;
      }
      int clen = le32(in);
      int level = le32(in);
      byte[] raw = new byte[ulen];
      in.readFully(raw);
      byte[] compressed = new byte[clen];
      in.readFully(compressed);
      records.add(new Record(raw, compressed, level));
    }
    return new CodecVectors(type, chunk, records, name);
  }

  private static int le32(DataInputStream in) throws IOException {
    byte[] b = new byte[4];
    in.readFully(b);
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  /**
   * Decodes one record's compressed bytes with this file's algorithm.
   *
   * @param r the record
   * @param dst where to decode, at least {@code r.raw().length} bytes from {@code dstOff}
   * @param dstOff where to start
   * @throws CorruptCompressedDataException if the decoder rejects the data
   */
  void decode(Record r, byte[] dst, int dstOff) throws CorruptCompressedDataException {
    decode(r.compressed(), 0, r.compressed().length, dst, dstOff, r.raw().length);
  }

  void decode(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstLen)
      throws CorruptCompressedDataException {
    if (type == XPRESS) {
      XpressHuffman.decompress(src, srcOff, srcLen, dst, dstOff, dstLen);
    } else {
      Lzx.decompress(src, srcOff, srcLen, dst, dstOff, dstLen, Math.max(chunkSize,
          Lzx.MIN_WINDOW_SIZE));
    }
  }
}
