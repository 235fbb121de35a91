package dev.vdisk.inspect.internal.rpm;

import dev.vdisk.core.CorruptStructureException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An rpm header as the rpm databases store it (the "header blob": no lead, no header magic):
 * big-endian index count {@code il} and data length {@code dl}, {@code il} index entries of 16
 * bytes (tag, type, offset, count) and {@code dl} bytes of data store. The first entry is normally
 * a region tag (62 signatures, 63 immutable, 61 legacy image) whose 16-byte trailer in the data
 * store gives the number of entries the region covers; entries after it ("dribbles") replace
 * region entries of the same tag. Every entry is checked against the data store when parsed.
 */
public final class RpmHeader {
  /** Legacy header image region tag. */
  public static final int TAG_HEADERIMAGE = 61;
  /** Signature region tag. */
  public static final int TAG_HEADERSIGNATURES = 62;
  /** Immutable region tag. */
  public static final int TAG_HEADERIMMUTABLE = 63;
  /** Package name. */
  public static final int TAG_NAME = 1000;
  /** Version. */
  public static final int TAG_VERSION = 1001;
  /** Release. */
  public static final int TAG_RELEASE = 1002;
  /** Epoch. */
  public static final int TAG_EPOCH = 1003;
  /** Summary (i18n string). */
  public static final int TAG_SUMMARY = 1004;
  /** Build time. */
  public static final int TAG_BUILDTIME = 1006;
  /** Install time. */
  public static final int TAG_INSTALLTIME = 1008;
  /** Installed size. */
  public static final int TAG_SIZE = 1009;
  /** Vendor. */
  public static final int TAG_VENDOR = 1011;
  /** License. */
  public static final int TAG_LICENSE = 1014;
  /** Architecture. */
  public static final int TAG_ARCH = 1022;
  /** Source package file name. */
  public static final int TAG_SOURCERPM = 1044;

  /** Type codes (rpmTagType). */
  static final int NULL = 0;
  static final int CHAR = 1;
  static final int INT8 = 2;
  static final int INT16 = 3;
  static final int INT32 = 4;
  static final int INT64 = 5;
  static final int STRING = 6;
  static final int BIN = 7;
  static final int STRING_ARRAY = 8;
  static final int I18NSTRING = 9;

  /** rpm's limits (hdrchkTags, hdrchkData). */
  static final int MAX_TAGS = 0xffff;
  static final int MAX_DATA = 0x0fffffff;
  static final int ENTRY_SIZE = 16;

  /** One index entry. */
  record Entry(int tag, int type, int offset, int count, int length) {}

  private final ByteBuffer data;
  private final Map<Integer, Entry> entries;

  private RpmHeader(ByteBuffer data, Map<Integer, Entry> entries) {
    this.data = data;
    this.entries = entries;
  }

  /**
   * Parses and validates a header blob; the buffer's remaining bytes must be exactly the blob.
   *
   * @param blob the blob (position to limit)
   * @param file the file it came from, for error messages (may be null)
   * @param fileOffset the blob's offset in {@code file}, or -1
   * @return the header
   * @throws CorruptStructureException when the blob is malformed
   */
  public static RpmHeader parse(ByteBuffer blob, Path file, long fileOffset)
      throws CorruptStructureException {
    ByteBuffer b = blob.slice().order(ByteOrder.BIG_ENDIAN);
    int size = b.remaining();
    if (size < 8) {
      throw corrupt(file, fileOffset, "blob of " + size + " bytes is shorter than its 8-byte intro");
    }
    long il = Integer.toUnsignedLong(b.getInt(0));
    long dl = Integer.toUnsignedLong(b.getInt(4));
    if (il < 1 || il > MAX_TAGS) {
      throw corrupt(file, fileOffset, "index entry count " + il + " outside 1.." + MAX_TAGS);
    }
    if (dl > MAX_DATA) {
      throw corrupt(file, fileOffset, "data length " + dl + " exceeds " + MAX_DATA);
    }
    long expected = 8 + il * ENTRY_SIZE + dl;
    if (expected != size) {
      throw corrupt(file, fileOffset,
          "blob is " + size + " bytes but il " + il + " and dl " + dl + " make " + expected);
    }
    int dataStart = (int) (8 + il * ENTRY_SIZE);
    ByteBuffer store = b.slice(dataStart, (int) dl).order(ByteOrder.BIG_ENDIAN);
    Map<Integer, Entry> map = new HashMap<>();
    int regionEntries = (int) il;
    for (int i = 0; i < il; i++) {
      int at = 8 + i * ENTRY_SIZE;
      int tag = b.getInt(at);
      int type = b.getInt(at + 4);
      int offset = b.getInt(at + 8);
      int count = b.getInt(at + 12);
      long entryOffset = fileOffset < 0 ? -1 : fileOffset + at;
      if (i == 0 && isRegionTag(tag)) {
        regionEntries = region(store, tag, type, offset, count, (int) il, file, entryOffset);
        continue;
      }
      if (i > 0 && i < regionEntries && isRegionTag(tag)) {
        throw corrupt(file, entryOffset, "region tag " + tag + " inside a region at entry " + i);
      }
      Entry e = entry(store, tag, type, offset, count, file, entryOffset);
      map.put(tag, e); // dribble entries after the region replace region entries
    }
    return new RpmHeader(store, map);
  }

  /** Parses a blob held in a byte array. */
  public static RpmHeader parse(byte[] blob, Path file, long fileOffset)
      throws CorruptStructureException {
    return parse(ByteBuffer.wrap(blob), file, fileOffset);
  }

  private static boolean isRegionTag(int tag) {
    return tag == TAG_HEADERIMAGE || tag == TAG_HEADERSIGNATURES || tag == TAG_HEADERIMMUTABLE;
  }

  private static int region(ByteBuffer store, int tag, int type, int offset, int count, int il,
      Path file, long at) throws CorruptStructureException {
    if (type != BIN || count != ENTRY_SIZE) {
      throw corrupt(file, at, "region tag " + tag + " has type " + type + " count " + count);
    }
    if (offset < 0 || (long) offset + ENTRY_SIZE > store.limit()) {
      throw corrupt(file, at, "region trailer offset " + offset + " outside the data store of "
          + store.limit() + " bytes");
    }
    int trailerTag = store.getInt(offset);
    int trailerType = store.getInt(offset + 4);
    int trailerOffset = store.getInt(offset + 8);
    int trailerCount = store.getInt(offset + 12);
    if (!isRegionTag(trailerTag) || trailerType != BIN || trailerCount != ENTRY_SIZE) {
      throw corrupt(file, at, "region trailer of tag " + tag + " reads tag " + trailerTag
          + " type " + trailerType + " count " + trailerCount);
    }
    long ril = -(long) trailerOffset;
    if (ril % ENTRY_SIZE != 0 || ril / ENTRY_SIZE < 1 || ril / ENTRY_SIZE > il) {
      throw corrupt(file, at, "region trailer offset " + trailerOffset
          + " does not name 1.." + il + " entries");
    }
    return (int) (ril / ENTRY_SIZE);
  }

  private static Entry entry(ByteBuffer store, int tag, int type, int offset, int count,
      Path file, long at) throws CorruptStructureException {
    int dl = store.limit();
    if (type < CHAR || type > I18NSTRING) {
      throw corrupt(file, at, "tag " + tag + " has type " + type);
    }
    if (offset < 0 || offset >= dl && !(offset == dl && count == 0)) {
      throw corrupt(file, at, "tag " + tag + " offset " + offset + " outside the data store of "
          + dl + " bytes");
    }
    if (count < 1 || count > dl) {
      throw corrupt(file, at, "tag " + tag + " count " + count + " for a data store of " + dl
          + " bytes");
    }
    int align = switch (type) {
      case INT16 -> 2;
      case INT32 -> 4;
      case INT64 -> 8;
      default -> 1;
    };
    if (offset % align != 0) {
      throw corrupt(file, at, "tag " + tag + " offset " + offset + " not aligned to " + align);
    }
    long length;
    switch (type) {
      case STRING, STRING_ARRAY, I18NSTRING -> {
        if (type == STRING && count != 1) {
          throw corrupt(file, at, "string tag " + tag + " has count " + count);
        }
        int p = offset;
        for (int i = 0; i < count; i++) {
          while (p < dl && store.get(p) != 0) {
            p++;
          }
          if (p >= dl) {
            throw corrupt(file, at, "string " + i + " of tag " + tag
                + " runs past the data store");
          }
          p++;
        }
        length = p - offset;
      }
      default -> {
        long width = switch (type) {
          case INT16 -> 2;
          case INT32 -> 4;
          case INT64 -> 8;
          default -> 1;
        };
        length = width * count;
        if (offset + length > dl) {
          throw corrupt(file, at, "tag " + tag + " data of " + length + " bytes at " + offset
              + " runs past the data store of " + dl + " bytes");
        }
      }
    }
    return new Entry(tag, type, offset, count, (int) length);
  }

  private static CorruptStructureException corrupt(Path file, long offset, String detail) {
    return new CorruptStructureException(file, offset, "rpm header blob", detail);
  }

  /** Whether the header carries {@code tag}. */
  public boolean has(int tag) {
    return entries.containsKey(tag);
  }

  /** The tags the header carries (region tags excluded). */
  public java.util.Set<Integer> tags() {
    return java.util.Collections.unmodifiableSet(entries.keySet());
  }

  /**
   * A string tag's value: a {@code STRING}, or the first element of a {@code STRING_ARRAY} or
   * {@code I18NSTRING} (the "C" locale's text), empty when absent or of another type.
   */
  public Optional<String> string(int tag) {
    List<String> all = strings(tag);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  /** Every string of a string-typed tag, empty when absent or of another type. */
  public List<String> strings(int tag) {
    Entry e = entries.get(tag);
    if (e == null || (e.type() != STRING && e.type() != STRING_ARRAY
        && e.type() != I18NSTRING)) {
      return List.of();
    }
    List<String> out = new ArrayList<>(Math.min(e.count(), 1024));
    int p = e.offset();
    for (int i = 0; i < e.count(); i++) {
      int start = p;
      while (store().get(p) != 0) {
        p++;
      }
      byte[] bytes = new byte[p - start];
      store().get(start, bytes);
      out.add(new String(bytes, StandardCharsets.UTF_8));
      p++;
    }
    return out;
  }

  /** The first value of an integer tag (INT8/16/32 unsigned, INT64 as stored). */
  public Optional<Long> number(int tag) {
    Entry e = entries.get(tag);
    if (e == null) {
      return Optional.empty();
    }
    return switch (e.type()) {
      case CHAR, INT8 -> Optional.of((long) Byte.toUnsignedInt(store().get(e.offset())));
      case INT16 -> Optional.of((long) Short.toUnsignedInt(store().getShort(e.offset())));
      case INT32 -> Optional.of(Integer.toUnsignedLong(store().getInt(e.offset())));
      case INT64 -> Optional.of(store().getLong(e.offset()));
      default -> Optional.empty();
    };
  }

  /**
   * The first value of an {@code INT32} tag, unsigned (as rpm's {@code EPOCH} and
   * {@code INSTALLTIME} are stored); empty when absent or of another type.
   */
  public Optional<Long> int32(int tag) {
    Entry e = entries.get(tag);
    if (e == null || e.type() != INT32) {
      return Optional.empty();
    }
    return Optional.of(Integer.toUnsignedLong(store().getInt(e.offset())));
  }

  /** The raw bytes of a {@code BIN} tag. */
  public Optional<byte[]> binary(int tag) {
    Entry e = entries.get(tag);
    if (e == null || e.type() != BIN) {
      return Optional.empty();
    }
    byte[] bytes = new byte[e.count()];
    store().get(e.offset(), bytes);
    return Optional.of(bytes);
  }

  private ByteBuffer store() {
    return data;
  }
}
