/**
 * Decoders for Microsoft's compression formats, for file systems and Windows update packages.
 *
 * <ul>
 *   <li>{@link dev.vdisk.codec.Lznt1}: LZNT1, the compression of NTFS compressed files ([MS-XCA]
 *       section 2.5).
 *   <li>{@link dev.vdisk.codec.XpressHuffman}: LZ77+Huffman ("XPRESS Huffman", [MS-XCA] section
 *       2.1), used by WOF system compression and WIM.
 *   <li>{@link dev.vdisk.codec.Lzx}: LZX as WIM and WOF use it.
 *   <li>{@link dev.vdisk.codec.WofReader}: random access to a WOF-compressed file's {@code
 *       WofCompressedData} stream.
 * </ul>
 *
 * <p>Every decoder is bounded: it never writes beyond the output length it is given, never reads
 * beyond its input, and reports bad input only as {@link
 * dev.vdisk.codec.CorruptCompressedDataException}.
 */
package dev.vdisk.codec;
