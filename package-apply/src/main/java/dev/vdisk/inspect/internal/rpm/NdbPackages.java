package dev.vdisk.inspect.internal.rpm;

import dev.vdisk.core.CorruptStructureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.Adler32;

/**
 * rpm's own "ndb" package store {@code Packages.db} (rpm's {@code rpmpkg.c}), all little-endian:
 * a header ({@code RpmP} magic, version 0, generation, number of 4096-byte slot pages, next
 * package index) followed from byte 32 by 16-byte slots ({@code Slot} magic, package index,
 * block offset and block count in 16-byte blocks; index 0 is a free slot). Each used slot points
 * to a blob: a 16-byte blob header ({@code BlbS}, package index, generation, blob length), the
 * header blob, padding, and a 12-byte trailer (Adler-32 of everything before it, blob length,
 * {@code BlbE}).
 */
public final class NdbPackages {
  static final int MAGIC = 0x506d7052; // "RpmP" little-endian
  static final int SLOT_MAGIC = 0x746f6c53; // "Slot"
  static final int BLOB_MAGIC_START = 0x53626c42; // "BlbS"
  static final int BLOB_MAGIC_END = 0x45626c42; // "BlbE"
  static final int PAGE_SIZE = 4096;
  static final int SLOT_SIZE = 16;
  static final int BLOCK_SIZE = 16;
  static final int BLOB_HEAD = 16;
  static final int BLOB_TAIL = 12;
  static final int SLOT_START = 32;
  /** rpm refuses more slot pages than this (rpmpkgReadHeader). */
  static final int MAX_SLOT_PAGES = 2048;

  /** One package blob. */
  public record Blob(int packageIndex, byte[] data, long offset) {}

  private NdbPackages() {}

  /**
   * Every package blob, in slot order, with its checksum verified.
   *
   * @param file the {@code Packages.db} file
   * @return the blobs
   * @throws IOException on an I/O error or a corrupt file
   */
  public static List<Blob> readAll(Path file) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = read(ch, 0, SLOT_START, size, file, "ndb header");
      if (head.getInt(0) != MAGIC) {
        throw corrupt(file, 0, "ndb header", String.format("magic 0x%08x is not RpmP",
            head.getInt(0)));
      }
      int version = head.getInt(4);
      if (version != 0) {
        throw new dev.vdisk.core.UnsupportedFeatureException(file, "ndb version " + version, "");
      }
      long slotPages = Integer.toUnsignedLong(head.getInt(12));
      if (slotPages < 1 || slotPages > MAX_SLOT_PAGES || slotPages * PAGE_SIZE > size) {
        throw corrupt(file, 12, "ndb header", "slot page count " + slotPages
            + " for a file of " + size + " bytes");
      }
      int slotBytes = (int) (slotPages * PAGE_SIZE);
      ByteBuffer slots = read(ch, 0, slotBytes, size, file, "ndb slot");
      List<long[]> used = new ArrayList<>();
      Set<Integer> seen = new HashSet<>();
      for (int at = SLOT_START; at + SLOT_SIZE <= slotBytes; at += SLOT_SIZE) {
        if (slots.getInt(at) != SLOT_MAGIC) {
          throw corrupt(file, at, "ndb slot", String.format("magic 0x%08x is not Slot",
              slots.getInt(at)));
        }
        int pkgIdx = slots.getInt(at + 4);
        if (pkgIdx == 0) {
          continue;
        }
        long blkOff = Integer.toUnsignedLong(slots.getInt(at + 8));
        long blkCnt = Integer.toUnsignedLong(slots.getInt(at + 12));
        long off = blkOff * BLOCK_SIZE;
        long len = blkCnt * BLOCK_SIZE;
        if (off < slotBytes || len < BLOB_HEAD + BLOB_TAIL || off + len > size
            || len > RpmHeader.MAX_DATA) {
          throw corrupt(file, at, "ndb slot", "package " + Integer.toUnsignedString(pkgIdx)
              + " blob of " + len + " bytes at " + off + " outside the file of " + size
              + " bytes");
        }
        if (!seen.add(pkgIdx)) {
          throw corrupt(file, at, "ndb slot", "package index "
              + Integer.toUnsignedString(pkgIdx) + " in two slots");
        }
        used.add(new long[] {at, pkgIdx, off, len});
      }
      // as rpm does, refuse overlapping blobs: so the blobs read add up to at most the file
      List<long[]> byOffset = new ArrayList<>(used);
      byOffset.sort(java.util.Comparator.comparingLong(u -> u[2]));
      for (int i = 1; i < byOffset.size(); i++) {
        long[] prev = byOffset.get(i - 1);
        long[] cur = byOffset.get(i);
        if (cur[2] < prev[2] + prev[3]) {
          throw corrupt(file, cur[0], "ndb slot", "blob at " + cur[2]
              + " overlaps the blob at " + prev[2] + " of " + prev[3] + " bytes");
        }
      }
      List<Blob> out = new ArrayList<>();
      for (long[] u : used) {
        out.add(blob(ch, file, (int) u[1], u[2], (int) u[3], size));
      }
      return out;
    }
  }

  private static Blob blob(SeekableByteChannel ch, Path file, int pkgIdx, long off, int len,
      long size) throws IOException {
    ByteBuffer b = read(ch, off, len, size, file, "ndb blob");
    if (b.getInt(0) != BLOB_MAGIC_START) {
      throw corrupt(file, off, "ndb blob header", String.format("magic 0x%08x is not BlbS",
          b.getInt(0)));
    }
    if (b.getInt(4) != pkgIdx) {
      throw corrupt(file, off, "ndb blob header", "package index "
          + Integer.toUnsignedString(b.getInt(4)) + " but the slot names "
          + Integer.toUnsignedString(pkgIdx));
    }
    long blobLen = Integer.toUnsignedLong(b.getInt(12));
    if (blobLen + BLOB_HEAD + BLOB_TAIL > len) {
      throw corrupt(file, off, "ndb blob header", "blob length " + blobLen
          + " does not fit its " + len + " bytes of blocks");
    }
    int tail = len - BLOB_TAIL;
    int sum = b.getInt(tail);
    long tailLen = Integer.toUnsignedLong(b.getInt(tail + 4));
    if (b.getInt(tail + 8) != BLOB_MAGIC_END || tailLen != blobLen) {
      throw corrupt(file, off + tail, "ndb blob trailer", "magic or length " + tailLen
          + " does not match blob length " + blobLen);
    }
    Adler32 adler = new Adler32();
    adler.update(b.array(), 0, tail);
    if ((int) adler.getValue() != sum) {
      throw corrupt(file, off + tail, "ndb blob trailer", String.format(
          "Adler-32 0x%08x but the blob sums to 0x%08x", sum, (int) adler.getValue()));
    }
    byte[] data = new byte[(int) blobLen];
    b.get(BLOB_HEAD, data);
    return new Blob(pkgIdx, data, off + BLOB_HEAD);
  }

  private static ByteBuffer read(SeekableByteChannel ch, long off, int len, long size, Path file,
      String structure) throws IOException {
    if (off + len > size) {
      throw corrupt(file, off, structure, len + " bytes at " + off + " run past the end of the "
          + size + "-byte file");
    }
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(off);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw corrupt(file, off, structure, "file ends early");
      }
    }
    return b.flip();
  }

  private static CorruptStructureException corrupt(Path file, long off, String structure,
      String detail) {
    return new CorruptStructureException(file, off, structure, detail);
  }
}
