package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.vmdk.internal.GrainTable;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Rebuilds the grain tables of a streamOptimized file without a usable footer by walking its
 * markers from the first grain to the end-of-stream marker: each grain marker maps its LBA to its
 * sector; grain-table, grain-directory and footer markers are stepped over.
 *
 * <p>The walk must end at an end-of-stream marker: a file that ends first (a truncated copy or an
 * unfinished write) is refused, since its missing grains would otherwise read as zeros. A grain
 * marker whose LBA is not a grain start, lies past the capacity or appears twice, a compressed
 * size past the file and an unknown marker type are corrupt. Every step advances at least one
 * sector, so the walk is bounded by the file size; the tables take 4 bytes per entry of each grain
 * table that holds a grain.
 */
final class MarkerScan {
  private MarkerScan() {}

  /**
   * Walks the markers.
   *
   * @param file the file, for messages
   * @param channel the file
   * @param fileSize its size
   * @param header the header at sector 0 (its capacity, grain size, table size and overHead)
   * @param maxCompressed the largest compressed size of one grain
   * @return per grain table (index in the directory), the sector of each grain's marker (0: not
   *     stored), or {@code null} for tables without grains
   * @throws CorruptStructureException if the walk fails
   * @throws IOException on an I/O error
   */
  static GrainTable[] scan(Path file, FileChannel channel, long fileSize, SparseExtentHeader header,
      long maxCompressed) throws IOException {
    long grainSectors = header.grainSize();
    int gtes = header.numGTEsPerGT();
    long grains = (header.capacity() + grainSectors - 1) / grainSectors;
    long entries = header.grainDirectoryEntries();
    if (entries > fileSize) {
      throw new CorruptStructureException(file, 0, "sparse extent header",
          "a capacity of " + header.capacity() + " sectors needs " + entries
              + " grain tables, more than a file of " + fileSize + " bytes can map");
    }
    GrainTable[] tables = new GrainTable[(int) entries];
    long pos = header.overHead() * SparseExtentHeader.SECTOR;
    if (pos <= 0) {
      throw new CorruptStructureException(file, 64, "sparse extent header",
          "overHead is 0: no place where the grains start");
    }
    ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    while (true) {
      if (pos > fileSize - SparseExtentHeader.SECTOR) {
        throw new CorruptStructureException(file, pos, "stream marker",
            "the file ends at " + fileSize + " before an end-of-stream marker (truncated?)");
      }
      head.clear();
      while (head.hasRemaining()) {
        if (channel.read(head, pos + head.position()) < 0) {
          throw new CorruptStructureException(file, pos, "stream marker", "the file ends in it");
        }
      }
      long value = head.getLong(0);
      long size = Integer.toUnsignedLong(head.getInt(8));
      if (size != 0) {
        if (value < 0 || value % grainSectors != 0 || value / grainSectors >= grains) {
          throw new CorruptStructureException(file, pos, "grain marker",
              "LBA " + Long.toUnsignedString(value) + " is not the start of one of the " + grains
                  + " grains");
        }
        if (size > maxCompressed || size > fileSize - pos - Marker.GRAIN_MARKER_SIZE) {
          throw new CorruptStructureException(file, pos, "grain marker",
              "compressed size " + size + " is larger than a grain's deflate stream or runs"
                  + " past the end of the file");
        }
        long sector = pos / SparseExtentHeader.SECTOR;
        if (sector > 0xffffffffL) {
          throw new CorruptStructureException(file, pos, "grain marker",
              "lies beyond the 2^32 sectors a grain table can address");
        }
        long g = value / grainSectors;
        GrainTable table = tables[(int) (g / gtes)];
        if (table == null) {
          table = GrainTable.empty(gtes);
          tables[(int) (g / gtes)] = table;
        }
        if (table.entry((int) (g % gtes)) != 0) {
          throw new CorruptStructureException(file, pos, "grain marker",
              "LBA " + value + " was already stored at sector " + table.entry((int) (g % gtes)));
        }
        table.set((int) (g % gtes), sector);
        pos = (pos + Marker.GRAIN_MARKER_SIZE + size + SparseExtentHeader.SECTOR - 1)
            / SparseExtentHeader.SECTOR * SparseExtentHeader.SECTOR;
        continue;
      }
      int type = head.getInt(12);
      switch (type) {
        case Marker.TYPE_END_OF_STREAM:
          return tables;
        case Marker.TYPE_GRAIN_TABLE:
        case Marker.TYPE_GRAIN_DIRECTORY:
        case Marker.TYPE_FOOTER:
          if (value < 0 || value > (fileSize - pos) / SparseExtentHeader.SECTOR) {
            throw new CorruptStructureException(file, pos, "stream marker",
                "metadata of " + Long.toUnsignedString(value) + " sectors runs past the file");
          }
          pos += SparseExtentHeader.SECTOR + value * SparseExtentHeader.SECTOR;
          break;
        default:
          throw new CorruptStructureException(file, pos, "stream marker",
              "unknown marker type " + Integer.toUnsignedString(type));
      }
    }
  }
}
