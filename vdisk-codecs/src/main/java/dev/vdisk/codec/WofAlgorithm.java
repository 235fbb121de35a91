package dev.vdisk.codec;

/**
 * The compression algorithms of Windows Overlay Filter (WOF) "system compression" ({@code compact
 * /exe:...}), as the {@code FILE_PROVIDER_COMPRESSION_*} code in a file's WOF reparse point names
 * them, each with the fixed chunk size its {@code WofCompressedData} stream uses.
 */
public enum WofAlgorithm {
  /** XPRESS Huffman in 4 KiB chunks ({@code FILE_PROVIDER_COMPRESSION_XPRESS4K}, code 0). */
  XPRESS4K(0, 4096),
  /** LZX in 32 KiB chunks ({@code FILE_PROVIDER_COMPRESSION_LZX}, code 1). */
  LZX(1, 32768),
  /** XPRESS Huffman in 8 KiB chunks ({@code FILE_PROVIDER_COMPRESSION_XPRESS8K}, code 2). */
  XPRESS8K(2, 8192),
  /** XPRESS Huffman in 16 KiB chunks ({@code FILE_PROVIDER_COMPRESSION_XPRESS16K}, code 3). */
  XPRESS16K(3, 16384);

  private final int code;
  private final int chunkSize;

  WofAlgorithm(int code, int chunkSize) {
    this.code = code;
    this.chunkSize = chunkSize;
  }

  /**
   * The algorithm's code in the WOF reparse point.
   *
   * @return the code, 0 to 3
   */
  public int code() {
    return code;
  }

  /**
   * The uncompressed size of every chunk but possibly the last.
   *
   * @return the chunk size in bytes
   */
  public int chunkSize() {
    return chunkSize;
  }

  /**
   * The algorithm with a reparse-point code.
   *
   * @param code the code, 0 to 3
   * @return the algorithm
   * @throws IllegalArgumentException if no algorithm has that code
   */
  public static WofAlgorithm fromCode(int code) {
    for (WofAlgorithm a : values()) {
      if (a.code == code) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown WOF compression algorithm code " + code);
  }
}
