package dev.vdisk.inspect.internal.rpm;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds rpm header blobs for tests and fuzz seeds: entries in the immutable region (tag 63, its
 * trailer after the region's data) and optional dribble entries after it. rpm itself lists them
 * in {@code RpmHeaderIT}.
 */
final class HeaderBlobs {
  /** One tag: its type code and value (String, String[], int[], short[] or byte[]). */
  record Tag(int tag, int type, Object value) {
    static Tag string(int tag, String s) {
      return new Tag(tag, RpmHeader.STRING, s);
    }

    static Tag i18n(int tag, String... s) {
      return new Tag(tag, RpmHeader.I18NSTRING, s);
    }

    static Tag strings(int tag, String... s) {
      return new Tag(tag, RpmHeader.STRING_ARRAY, s);
    }

    static Tag int32(int tag, int... v) {
      return new Tag(tag, RpmHeader.INT32, v);
    }

    static Tag int16(int tag, short... v) {
      return new Tag(tag, RpmHeader.INT16, v);
    }
  }

  private HeaderBlobs() {}

  /** A package header: region holding {@code tags}, then {@code dribbles}. */
  static byte[] blob(List<Tag> tags, List<Tag> dribbles) {
    List<int[]> index = new ArrayList<>();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    index.add(null); // the region entry, filled in below
    for (Tag t : tags) {
      index.add(put(t, data));
    }
    int ril = index.size();
    int trailerAt = data.size();
    ByteBuffer trailer = ByteBuffer.allocate(16);
    trailer.putInt(RpmHeader.TAG_HEADERIMMUTABLE).putInt(RpmHeader.BIN).putInt(-ril * 16)
        .putInt(16);
    data.writeBytes(trailer.array());
    index.set(0, new int[] {RpmHeader.TAG_HEADERIMMUTABLE, RpmHeader.BIN, trailerAt, 16});
    for (Tag t : dribbles) {
      index.add(put(t, data));
    }
    ByteBuffer out = ByteBuffer.allocate(8 + 16 * index.size() + data.size());
    out.putInt(index.size()).putInt(data.size());
    for (int[] e : index) {
      out.putInt(e[0]).putInt(e[1]).putInt(e[2]).putInt(e[3]);
    }
    out.put(data.toByteArray());
    return out.array();
  }

  private static int[] put(Tag t, ByteArrayOutputStream data) {
    int align = switch (t.type()) {
      case RpmHeader.INT16 -> 2;
      case RpmHeader.INT32 -> 4;
      case RpmHeader.INT64 -> 8;
      default -> 1;
    };
    while (data.size() % align != 0) {
      data.write(0);
    }
    int offset = data.size();
    int count;
    switch (t.type()) {
      case RpmHeader.STRING -> {
        data.writeBytes(((String) t.value()).getBytes(StandardCharsets.UTF_8));
        data.write(0);
        count = 1;
      }
      case RpmHeader.STRING_ARRAY, RpmHeader.I18NSTRING -> {
        String[] all = (String[]) t.value();
        for (String s : all) {
          data.writeBytes(s.getBytes(StandardCharsets.UTF_8));
          data.write(0);
        }
        count = all.length;
      }
      case RpmHeader.INT32 -> {
        int[] all = (int[]) t.value();
        ByteBuffer b = ByteBuffer.allocate(4 * all.length);
        for (int v : all) {
          b.putInt(v);
        }
        data.writeBytes(b.array());
        count = all.length;
      }
      case RpmHeader.INT16 -> {
        short[] all = (short[]) t.value();
        ByteBuffer b = ByteBuffer.allocate(2 * all.length);
        for (short v : all) {
          b.putShort(v);
        }
        data.writeBytes(b.array());
        count = all.length;
      }
      default -> {
        byte[] all = (byte[]) t.value();
        data.writeBytes(all);
        count = all.length;
      }
    }
    return new int[] {t.tag(), t.type(), offset, count};
  }

  /** A typical package header. */
  static byte[] pkg(String name, Integer epoch, String version, String release, String arch,
      String vendor, int installTime, List<Tag> dribbles) {
    List<Tag> tags = new ArrayList<>();
    tags.add(Tag.string(RpmHeader.TAG_NAME, name));
    tags.add(Tag.string(RpmHeader.TAG_VERSION, version));
    tags.add(Tag.string(RpmHeader.TAG_RELEASE, release));
    if (epoch != null) {
      tags.add(Tag.int32(RpmHeader.TAG_EPOCH, epoch));
    }
    tags.add(Tag.i18n(RpmHeader.TAG_SUMMARY, "A test package " + name));
    tags.add(Tag.int32(RpmHeader.TAG_INSTALLTIME, installTime));
    tags.add(Tag.int32(RpmHeader.TAG_SIZE, 12345));
    if (vendor != null) {
      tags.add(Tag.string(RpmHeader.TAG_VENDOR, vendor));
    }
    tags.add(Tag.string(RpmHeader.TAG_LICENSE, "MIT"));
    if (arch != null) {
      tags.add(Tag.string(RpmHeader.TAG_ARCH, arch));
    }
    tags.add(Tag.string(RpmHeader.TAG_SOURCERPM, name + "-" + version + "-" + release
        + ".src.rpm"));
    tags.add(Tag.int16(1030, (short) 0100644, (short) 040755)); // FILEMODES
    tags.add(Tag.strings(1117, "a", "b")); // BASENAMES
    return blob(tags, dribbles);
  }
}
