package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The structures of a streamOptimized file in file order, found by walking its markers from the
 * first grain: for tests comparing our layout with qemu's and VMware's.
 *
 * @param header the header at sector 0
 * @param items the structures after the descriptor, in file order
 * @param end where the walk stopped
 */
record StreamLayout(SparseExtentHeader header, List<Item> items, long end) {

  /**
   * One structure.
   *
   * @param offset its byte offset
   * @param kind "grain", "GT", "GD", "footer" or "EOS"
   * @param value the grain's LBA or the metadata's sector count
   * @param size the grain's compressed size, 0 for metadata
   */
  record Item(long offset, String kind, long value, long size) {}

  static StreamLayout walk(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    SparseExtentHeader header = SparseExtentHeader.parse(file, b);
    List<Item> items = new ArrayList<>();
    long pos = header.overHead() * 512;
    while (pos + 16 <= all.length) {
      long value = b.getLong((int) pos);
      long size = Integer.toUnsignedLong(b.getInt((int) pos + 8));
      if (size != 0) {
        items.add(new Item(pos, "grain", value, size));
        pos = (pos + 12 + size + 511) / 512 * 512;
        continue;
      }
      int type = b.getInt((int) pos + 12);
      String kind = switch (type) {
        case Marker.TYPE_END_OF_STREAM -> "EOS";
        case Marker.TYPE_GRAIN_TABLE -> "GT";
        case Marker.TYPE_GRAIN_DIRECTORY -> "GD";
        case Marker.TYPE_FOOTER -> "footer";
        default -> "unknown" + type;
      };
      items.add(new Item(pos, kind, value, 0));
      pos += 512 + value * 512;
      if (kind.equals("EOS")) {
        break;
      }
    }
    return new StreamLayout(header, items, pos);
  }

  List<Long> grainLbas() {
    return items.stream().filter(i -> i.kind().equals("grain")).map(Item::value).toList();
  }

  /** The kinds in order, runs of grains shown once as "grain". */
  List<String> order() {
    List<String> kinds = new ArrayList<>();
    for (Item item : items) {
      if (kinds.isEmpty() || !kinds.get(kinds.size() - 1).equals(item.kind())
          || !item.kind().equals("grain")) {
        kinds.add(item.kind());
      }
    }
    return kinds;
  }
}
