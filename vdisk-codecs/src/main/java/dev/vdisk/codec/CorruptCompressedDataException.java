package dev.vdisk.codec;

import java.io.IOException;

/**
 * Compressed input that cannot be decoded: a bad Huffman table, a match reaching before the start
 * of the output, a stream that ends too early, a chunk table that points outside its stream.
 *
 * <p>The exception names the algorithm (for example {@code "LZNT1"}, {@code "XPRESS Huffman"},
 * {@code "LZX"} or {@code "WOF"}) and the byte offset in the compressed input at which decoding
 * failed; for a single buffer the offset counts from the start of that buffer, for a {@link
 * WofReader} from the start of the {@code WofCompressedData} stream.
 */
public class CorruptCompressedDataException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The algorithm whose data is corrupt. */
  private final String algorithm;
  /** Where in the compressed input decoding failed, or -1. */
  private final long inputOffset;

  /**
   * Creates the exception.
   *
   * @param algorithm the compression algorithm, such as {@code "LZX"}
   * @param inputOffset the offset in the compressed input where decoding failed, or -1 if unknown
   * @param detail what is wrong
   */
  public CorruptCompressedDataException(String algorithm, long inputOffset, String detail) {
    super(algorithm + " data corrupt at input offset " + inputOffset + ": " + detail);
    this.algorithm = algorithm;
    this.inputOffset = inputOffset;
  }

  /**
   * Creates the exception with the error that caused it.
   *
   * @param algorithm the compression algorithm, such as {@code "LZX"}
   * @param inputOffset the offset in the compressed input where decoding failed, or -1 if unknown
   * @param detail what is wrong
   * @param cause the underlying error (for example a decoder error inside one chunk)
   */
  public CorruptCompressedDataException(String algorithm, long inputOffset, String detail,
      Throwable cause) {
    this(algorithm, inputOffset, detail);
    initCause(cause);
  }

  /**
   * The compression algorithm whose data is corrupt.
   *
   * @return its name, such as {@code "LZNT1"}
   */
  public String algorithm() {
    return algorithm;
  }

  /**
   * Where in the compressed input decoding failed.
   *
   * @return the byte offset, or -1 if unknown
   */
  public long inputOffset() {
    return inputOffset;
  }
}
