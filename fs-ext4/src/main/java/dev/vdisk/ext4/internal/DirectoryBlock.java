package dev.vdisk.ext4.internal;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Linear directory entries ({@code struct ext4_dir_entry_2}) in a directory block or an inline
 * data area, and the checksum tail ({@code struct ext4_dir_entry_tail}) of a leaf block under
 * metadata_csum. htree index blocks read as one empty entry covering the block, so a linear scan
 * of every block lists the directory.
 */
public final class DirectoryBlock {
  /** {@code det_reserved_ft} of a checksum tail. */
  public static final int TAIL_FT = 0xDE;

  /** One entry. */
  public static final class Entry {
    public final long inode;
    public final byte[] name;
    public final int fileType;

    Entry(long inode, byte[] name, int fileType) {
      this.inode = inode;
      this.name = name;
      this.fileType = fileType;
    }

    public String nameString() {
      return new String(name, StandardCharsets.UTF_8);
    }

    public boolean isDotOrDotDot() {
      return (name.length == 1 && name[0] == '.')
          || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }
  }

  private DirectoryBlock() {}

  /**
   * Whether a block ends with a checksum tail.
   *
   * @param b the block
   * @return {@code true} if the last 12 bytes are a tail
   */
  public static boolean hasTail(byte[] b) {
    if (b.length < 12) {
      return false;
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int t = b.length - 12;
    return bb.getInt(t) == 0 && (bb.getShort(t + 4) & 0xFFFF) == 12 && b[t + 6] == 0
        && (b[t + 7] & 0xFF) == TAIL_FT;
  }

  /**
   * Verifies a leaf block's tail checksum.
   *
   * @param b the block
   * @param seed the directory inode's checksum seed
   * @param source the device description
   * @param offset the block's byte offset
   * @param where which directory, for the message
   * @throws CorruptStructureException if it does not match
   */
  public static void verifyTail(byte[] b, int seed, String source, long offset, String where)
      throws CorruptStructureException {
    int t = b.length - 12;
    int stored = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(t + 8);
    int crc = Crc32c.update(seed, b, 0, t);
    if (crc != stored) {
      throw new CorruptStructureException(source, offset, "directory block",
          String.format("%s: det_checksum 0x%08x does not match the computed 0x%08x", where,
              stored, crc));
    }
  }

  /**
   * Parses the entries of one block or inline area.
   *
   * @param b the bytes
   * @param off where the entries start
   * @param end where they end (exclusive; a tail is excluded by the caller)
   * @param filetype whether the {@code filetype} feature is on (else the name length is 16 bits)
   * @param blockSize the block size (a {@code rec_len} of 0 or 65535 means 64 KiB)
   * @param out where to add entries with a non-zero inode
   * @param source the device description
   * @param offset the byte offset of {@code b[0]}, or -1
   * @param where which directory, for messages
   * @throws CorruptStructureException if a {@code rec_len} or {@code name_len} is bad
   */
  public static void parse(byte[] b, int off, int end, boolean filetype, int blockSize,
      List<Entry> out, String source, long offset, String where)
      throws CorruptStructureException {
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int pos = off;
    while (pos + 8 <= end) {
      long inode = bb.getInt(pos) & 0xFFFFFFFFL;
      int recLen = bb.getShort(pos + 4) & 0xFFFF;
      if (blockSize >= 65536 && (recLen == 65535 || recLen == 0)) {
        recLen = 65536;
      }
      int nameLen = filetype ? b[pos + 6] & 0xFF : bb.getShort(pos + 6) & 0xFFFF;
      int type = filetype ? b[pos + 7] & 0xFF : 0;
      if (recLen < 8 || (recLen & 3) != 0 || pos + recLen > end || 8 + nameLen > recLen) {
        throw new CorruptStructureException(source, offset < 0 ? -1 : offset + pos,
            "directory entry", where + ": rec_len " + recLen + " / name_len " + nameLen
                + " at byte " + pos + " do not fit");
      }
      if (inode != 0 && nameLen > 0) {
        byte[] name = new byte[nameLen];
        System.arraycopy(b, pos + 8, name, 0, nameLen);
        out.add(new Entry(inode, name, type));
      }
      pos += recLen;
    }
  }
}
