package dev.vdisk.inspect.internal.rpm;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
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

/**
 * A read-only reader of a Berkeley DB hash database (the format of rpm's {@code Packages} file up
 * to rpm 4.16), as rpm's own {@code bdb_ro} backend reads it: the hash metadata page (page 0)
 * gives the page size, byte order, last page, maximum bucket and the {@code spares} table that
 * maps buckets to pages; each bucket is a chain of hash pages ({@code P_HASH}, or
 * {@code P_HASH_UNSORTED} in hash version 8) holding key/data item pairs; large items live on
 * chains of overflow pages ({@code P_OVERFLOW}). Both byte orders are read; encrypted databases
 * are refused. Every page number is checked against the last page and every chain is bounded.
 */
public final class BerkeleyDbHash {
  static final int HASH_MAGIC = 0x061561;
  static final int META_SIZE = 512;
  static final int PAGE_HEADER = 26;
  /**
   * Room a page checksum of an unencrypted database takes after the 26-byte page header: db 5.3
   * pads to 28 and writes a 4-byte checksum, so the index (or overflow data) starts at byte 32.
   */
  static final int CHECKSUM_SIZE = 6;
  static final int P_INVALID = 0;
  static final int P_HASH_UNSORTED = 2;
  static final int P_OVERFLOW = 7;
  static final int P_HASHMETA = 8;
  static final int P_HASH = 13;
  static final int H_KEYDATA = 1;
  static final int H_DUPLICATE = 2;
  static final int H_OFFPAGE = 3;
  static final int H_OFFDUP = 4;
  static final int NSPARES = 32;

  /** One key/data pair. */
  public record Item(byte[] key, byte[] data, long offset) {}

  /**
   * The hash metadata page.
   *
   * @param order the database's byte order
   * @param version hash version (8 or 9 read)
   * @param pageSize page size (512..65536, a power of two)
   * @param encrypted whether pages are encrypted
   * @param checksummed whether pages carry checksums (contents start at byte 32, not 26)
   * @param lastPage the last page number
   * @param maxBucket the highest bucket in use
   * @param spares the bucket-to-page offsets, per doubling
   */
  public record HashMeta(ByteOrder order, int version, int pageSize, boolean encrypted,
      boolean checksummed, long lastPage, long maxBucket, long[] spares) {

    /** Parses and validates page 0. */
    public static HashMeta parse(ByteBuffer page, Path file) throws IOException {
      if (page.remaining() < META_SIZE) {
        throw new CorruptStructureException(file, 0, "Berkeley DB hash metadata page",
            "file is shorter than the metadata page");
      }
      ByteBuffer b = page.slice().order(ByteOrder.LITTLE_ENDIAN);
      if (b.getInt(12) != HASH_MAGIC) {
        b.order(ByteOrder.BIG_ENDIAN);
        if (b.getInt(12) != HASH_MAGIC) {
          throw new CorruptStructureException(file, 12, "Berkeley DB hash metadata page",
              String.format("magic 0x%08x is not the hash magic 0x061561", b.getInt(12)));
        }
      }
      int version = b.getInt(16);
      int pageSize = b.getInt(20);
      int encryptAlg = Byte.toUnsignedInt(b.get(24));
      int type = Byte.toUnsignedInt(b.get(25));
      int metaFlags = Byte.toUnsignedInt(b.get(26));
      long lastPage = Integer.toUnsignedLong(b.getInt(32));
      long maxBucket = Integer.toUnsignedLong(b.getInt(72));
      if (version < 8 || version > 10) {
        throw new UnsupportedFeatureException(file, "Berkeley DB hash version " + version, "");
      }
      if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
        throw new CorruptStructureException(file, 20, "Berkeley DB hash metadata page",
            "page size " + pageSize);
      }
      if (type != P_HASHMETA) {
        throw new CorruptStructureException(file, 25, "Berkeley DB hash metadata page",
            "page type " + type + " is not hash metadata (8)");
      }
      if (maxBucket > lastPage) {
        throw new CorruptStructureException(file, 72, "Berkeley DB hash metadata page",
            "maximum bucket " + maxBucket + " beyond the last page " + lastPage);
      }
      long[] spares = new long[NSPARES];
      for (int i = 0; i < NSPARES; i++) {
        spares[i] = Integer.toUnsignedLong(b.getInt(96 + 4 * i));
      }
      return new HashMeta(b.order(), version, pageSize, encryptAlg != 0 || (metaFlags & 2) != 0,
          (metaFlags & 1) != 0, lastPage, maxBucket, spares);
    }

    /** The page holding the first page of {@code bucket}. */
    long bucketPage(long bucket) {
      int log2 = 0;
      while ((1L << log2) < bucket + 1) {
        log2++;
      }
      return bucket + spares[Math.min(log2, NSPARES - 1)];
    }
  }

  private final Path file;
  private final SeekableByteChannel channel;
  private final long fileSize;
  private final HashMeta meta;

  private BerkeleyDbHash(Path file, SeekableByteChannel channel, long fileSize, HashMeta meta) {
    this.file = file;
    this.channel = channel;
    this.fileSize = fileSize;
    this.meta = meta;
  }

  /**
   * Every key/data pair of a hash database file, bucket by bucket.
   *
   * @param file the database
   * @return the pairs
   * @throws IOException on an I/O error or a corrupt or unsupported database
   */
  public static List<Item> readAll(Path file) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer first = ByteBuffer.allocate((int) Math.min(size, META_SIZE));
      readFully(ch, first, 0, file);
      HashMeta meta = HashMeta.parse(first.flip(), file);
      if (meta.encrypted()) {
        throw new UnsupportedFeatureException(file, "Berkeley DB encryption", "");
      }
      return new BerkeleyDbHash(file, ch, size, meta).items();
    }
  }

  /** The metadata page of the database. */
  HashMeta meta() {
    return meta;
  }

  private List<Item> items() throws IOException {
    List<Item> out = new ArrayList<>();
    Set<Long> visited = new HashSet<>();
    long pages = Math.min(meta.lastPage() + 1, ceilDiv(fileSize, meta.pageSize()));
    for (long bucket = 0; bucket <= meta.maxBucket(); bucket++) {
      long pgno = meta.bucketPage(bucket);
      while (pgno != 0) {
        if (pgno > meta.lastPage() || pgno >= pages) {
          throw corrupt(pgno, "hash page", "bucket " + bucket + " names page " + pgno
              + " beyond the last page " + (pages - 1));
        }
        if (!visited.add(pgno)) {
          throw corrupt(pgno, "hash page", "page " + pgno + " reached twice (bucket " + bucket
              + ")");
        }
        ByteBuffer page = page(pgno);
        int type = Byte.toUnsignedInt(page.get(25));
        if (type == P_INVALID && page.getInt(8) == 0 && page.getShort(20) == 0) {
          break; // a bucket page never written: Berkeley DB allocates them lazily
        }
        if (type != P_HASH && type != P_HASH_UNSORTED) {
          throw corrupt(pgno, "hash page", "bucket " + bucket + " page " + pgno + " has type "
              + type);
        }
        readPage(pgno, page, out, visited, pages);
        pgno = Integer.toUnsignedLong(page.getInt(16));
      }
    }
    return out;
  }

  private void readPage(long pgno, ByteBuffer page, List<Item> out, Set<Long> visited,
      long pages) throws IOException {
    int overhead = PAGE_HEADER + (meta.checksummed() ? CHECKSUM_SIZE : 0);
    int entries = Short.toUnsignedInt(page.getShort(20));
    int ps = meta.pageSize();
    if (entries % 2 != 0 || overhead + 2L * entries > ps) {
      throw corrupt(pgno, "hash page", "entry count " + entries);
    }
    int[] offsets = new int[entries];
    for (int i = 0; i < entries; i++) {
      offsets[i] = Short.toUnsignedInt(page.getShort(overhead + 2 * i));
      int end = i == 0 ? ps : offsets[i - 1];
      if (offsets[i] < overhead + 2 * entries || offsets[i] >= end) {
        throw corrupt(pgno, "hash page", "item " + i + " at offset " + offsets[i]
            + " outside " + (overhead + 2 * entries) + ".." + end);
      }
    }
    for (int i = 0; i < entries; i += 2) {
      byte[] key = item(pgno, page, offsets, i, visited, pages);
      byte[] data = item(pgno, page, offsets, i + 1, visited, pages);
      if (key == null || data == null) {
        continue;
      }
      out.add(new Item(key, data, pgno * ps + offsets[i + 1]));
    }
  }

  private byte[] item(long pgno, ByteBuffer page, int[] offsets, int i, Set<Long> visited,
      long pages) throws IOException {
    int off = offsets[i];
    int end = i == 0 ? meta.pageSize() : offsets[i - 1];
    int type = Byte.toUnsignedInt(page.get(off));
    switch (type) {
      case H_KEYDATA -> {
        byte[] bytes = new byte[end - off - 1];
        page.get(off + 1, bytes);
        return bytes;
      }
      case H_OFFPAGE -> {
        if (end - off < 12) {
          throw corrupt(pgno, "hash page", "off-page item " + i + " is " + (end - off)
              + " bytes");
        }
        long first = Integer.toUnsignedLong(page.getInt(off + 4));
        long total = Integer.toUnsignedLong(page.getInt(off + 8));
        return overflow(first, total, visited, pages);
      }
      case H_DUPLICATE, H_OFFDUP -> throw new UnsupportedFeatureException(file,
          "Berkeley DB duplicate items", "page " + pgno);
      default -> throw corrupt(pgno, "hash page", "item " + i + " has type " + type);
    }
  }

  private byte[] overflow(long first, long total, Set<Long> visited, long pages)
      throws IOException {
    int overhead = PAGE_HEADER + (meta.checksummed() ? CHECKSUM_SIZE : 0);
    long capacity = (long) (meta.pageSize() - overhead) * pages;
    if (total > capacity || total > RpmHeader.MAX_DATA) {
      throw corrupt(first, "overflow page", "item length " + total
          + " exceeds what the file can hold");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
    long pgno = first;
    while (out.size() < total) {
      if (pgno == 0 || pgno >= pages) {
        throw corrupt(pgno, "overflow page", "chain for " + total + " bytes breaks at page "
            + pgno + " after " + out.size() + " bytes");
      }
      if (!visited.add(pgno)) {
        throw corrupt(pgno, "overflow page", "page " + pgno + " reached twice");
      }
      ByteBuffer page = page(pgno);
      int type = Byte.toUnsignedInt(page.get(25));
      if (type != P_OVERFLOW) {
        throw corrupt(pgno, "overflow page", "page " + pgno + " has type " + type);
      }
      int len = Short.toUnsignedInt(page.getShort(22));
      if (len > meta.pageSize() - overhead || len > total - out.size()) {
        throw corrupt(pgno, "overflow page", "holds " + len + " bytes");
      }
      out.write(page.array(), overhead, len);
      pgno = Integer.toUnsignedLong(page.getInt(16));
    }
    if (out.size() != total) {
      throw corrupt(first, "overflow page", "chain holds " + out.size() + " of " + total
          + " bytes");
    }
    return out.toByteArray();
  }

  private ByteBuffer page(long pgno) throws IOException {
    ByteBuffer page = ByteBuffer.allocate(meta.pageSize());
    readFully(channel, page, pgno * meta.pageSize(), file);
    return page.flip().order(meta.order());
  }

  private static void readFully(SeekableByteChannel ch, ByteBuffer dst, long position, Path file)
      throws IOException {
    ch.position(position);
    while (dst.hasRemaining()) {
      if (ch.read(dst) < 0) {
        throw new CorruptStructureException(file, position, "Berkeley DB page",
            "file ends inside the page at " + position);
      }
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private CorruptStructureException corrupt(long pgno, String structure, String detail) {
    return new CorruptStructureException(file, pgno * meta.pageSize(),
        "Berkeley DB " + structure, detail);
  }
}
