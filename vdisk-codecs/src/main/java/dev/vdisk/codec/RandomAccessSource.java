package dev.vdisk.codec;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Random access to a sequence of bytes, such as one stream of a file inside a file system: the
 * input a {@link WofReader} reads its compressed chunks from. Implementations used by a {@link
 * WofReader} from several threads must allow concurrent reads.
 */
public interface RandomAccessSource {
  /**
   * The number of bytes in the source.
   *
   * @return the size, never negative
   */
  long size();

  /**
   * Reads bytes at a position, like {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}:
   * transfers up to {@code dst.remaining()} bytes and advances the buffer's position.
   *
   * @param position where to start reading, not negative
   * @param dst where to put the bytes
   * @return the number of bytes read (possibly fewer than requested), or -1 at or past the end
   * @throws IOException on an I/O error
   */
  int read(long position, ByteBuffer dst) throws IOException;
}
