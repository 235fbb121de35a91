package dev.vdisk.codec;

import dev.vdisk.codec.internal.Matches;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decoder of LZNT1 ([MS-XCA] section 2.5), the compression of NTFS compressed files.
 *
 * <p>NTFS compresses a file in compression units of 16 clusters. A compressed unit holds a
 * sequence of chunks, each with a 16-bit little-endian header: bits 0-11 are the chunk's stored
 * size minus 3 (so the header and data take {@code (header & 0xFFF) + 3} bytes), bit 15 says the
 * chunk is compressed, bits 12-14 hold the signature 3 (not checked here). An uncompressed chunk's
 * data are its bytes. A compressed chunk's data are groups of a flag byte and eight items, a 0 flag
 * bit (least significant first) a literal byte and a 1 bit a 16-bit little-endian match token,
 * whose split between offset and length depends on how much of the chunk has been produced. Each
 * chunk decodes to at most 4096 bytes; a chunk that decodes to fewer and is followed by another
 * chunk is padded with zeros to 4096 bytes, as NTFS does. A zero header or the end of the input
 * ends the unit.
 */
public final class Lznt1 {
  private static final String ALGORITHM = "LZNT1";
  private static final int CHUNK = 4096;

  private Lznt1() {}

  /**
   * Decompresses one NTFS compression unit (a sequence of LZNT1 chunks of up to 4096 bytes each,
   * each with its 2-byte header; a zero header or the end of input ends it). Writes at most
   * {@code dstLen} bytes; returns the bytes produced. The caller fills the rest of the unit (the
   * bytes after the returned count) with zeros.
   *
   * @param src the compressed unit
   * @param srcOff where it starts in {@code src}
   * @param srcLen its length (the unit's allocated clusters); nothing after it is read
   * @param dst where to put the uncompressed data
   * @param dstOff where to start writing in {@code dst}
   * @param dstLen the most bytes to write (output beyond it is dropped)
   * @return the number of bytes produced, at most {@code dstLen}
   * @throws CorruptCompressedDataException if a chunk is truncated or a match reaches before the
   *     start of its chunk or past its 4096 bytes (the offset counts from {@code srcOff})
   * @throws IndexOutOfBoundsException if the offsets and lengths do not fit the arrays
   */
  public static int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff,
      int dstLen) throws CorruptCompressedDataException {
    Objects.checkFromIndexSize(srcOff, srcLen, src.length);
    Objects.checkFromIndexSize(dstOff, dstLen, dst.length);
    final int end = srcOff + srcLen;
    final int outEnd = dstOff + dstLen;
    int in = srcOff;
    int out = dstOff;
    int padTo = -1;
    while (end - in >= 2 && out < outEnd) {
      int header = (src[in] & 0xFF) | (src[in + 1] & 0xFF) << 8;
      if (header == 0) {
        break;
      }
      if (padTo > out) {
        int stop = Math.min(padTo, outEnd);
        Arrays.fill(dst, out, stop, (byte) 0);
        out = stop;
        if (out == outEnd) {
          break;
        }
      }
      int chunkStart = in + 2;
      int chunkLen = (header & 0xFFF) + 1;
      if (chunkLen > end - chunkStart) {
        throw corrupt(in - srcOff, "chunk of " + chunkLen + " bytes, " + (end - chunkStart)
            + " left in the input");
      }
      int chunkEnd = chunkStart + chunkLen;
      int chunkBase = out;
      if ((header & 0x8000) == 0) {
        int n = Math.min(chunkLen, outEnd - out);
        System.arraycopy(src, chunkStart, dst, out, n);
        out += n;
      } else {
        out = decodeChunk(src, srcOff, chunkStart, chunkEnd, dst, out, outEnd);
      }
      padTo = chunkBase + CHUNK;
      in = chunkEnd;
    }
    return out - dstOff;
  }

  private static int decodeChunk(byte[] src, int srcOff, int in, int chunkEnd, byte[] dst,
      int out, int outEnd) throws CorruptCompressedDataException {
    final int chunkBase = out;
    final int limit = (int) Math.min((long) chunkBase + CHUNK, outEnd);
    while (in < chunkEnd && out < limit) {
      int flags = src[in++] & 0xFF;
      for (int bit = 0; bit < 8 && in < chunkEnd && out < limit; bit++, flags >>>= 1) {
        if ((flags & 1) == 0) {
          dst[out++] = src[in++];
          continue;
        }
        if (chunkEnd - in < 2) {
          throw corrupt(in - srcOff, "match token cut by the end of the chunk");
        }
        int token = (src[in] & 0xFF) | (src[in + 1] & 0xFF) << 8;
        int pos = out - chunkBase;
        if (pos == 0) {
          throw corrupt(in - srcOff, "match token at the start of a chunk");
        }
        int offsetBits = 32 - Integer.numberOfLeadingZeros(pos - 1);
        if (offsetBits < 4) {
          offsetBits = 4;
        }
        int lengthBits = 16 - offsetBits;
        int offset = (token >>> lengthBits) + 1;
        int length = (token & ((1 << lengthBits) - 1)) + 3;
        if (offset > pos) {
          throw corrupt(in - srcOff, "match offset " + offset + " before the start of the chunk (at "
              + pos + ")");
        }
        if (length > CHUNK - pos) {
          throw corrupt(in - srcOff, "match of " + length + " bytes past the end of the chunk (at "
              + pos + ")");
        }
        in += 2;
        int n = Math.min(length, limit - out);
        Matches.copy(dst, out, offset, n);
        out += n;
      }
    }
    return out;
  }

  private static CorruptCompressedDataException corrupt(long offset, String detail) {
    return new CorruptCompressedDataException(ALGORITHM, offset, detail);
  }
}
