package dev.vdisk.vmdk.internal.stream;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.vmdk.internal.FileExtent;
import dev.vdisk.vmdk.internal.GrainDirectory;
import dev.vdisk.vmdk.internal.GrainRuns;
import dev.vdisk.vmdk.internal.GrainTable;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only streamOptimized sparse extent: grains compressed with deflate (zlib streams,
 * compressAlgorithm 1), each behind a grain marker naming its LBA and compressed size.
 *
 * <p>When the header's gdOffset is {@link SparseExtentHeader#GD_AT_END} (as VMware and ovftool
 * write it), the grain directory is found through the footer: the last three sectors of the file
 * are a footer marker, the footer (a copy of the header with the real gdOffset) and the
 * end-of-stream marker. Files whose header already names the grain directory (as qemu writes
 * them) are read through it directly. When the footer is missing or damaged, the grain tables are
 * rebuilt by walking the markers ({@link MarkerScan}); a walk that does not reach an end-of-stream
 * marker (a truncated file) is refused with a {@link CorruptStructureException} naming the
 * footer.
 *
 * <p>Memory is bounded: the grain directory (4 bytes per table) is read at open; grain tables are
 * read on demand into an LRU cache of {@value #CACHED_TABLES} tables; inflated grains are kept in
 * an LRU cache of about {@value #GRAIN_CACHE_BYTES} bytes; compressed data is read through a
 * {@value GrainReader#WINDOW}-byte read-ahead window, so a sequential read of the whole disk reads
 * the file sequentially in large chunks. Thread-safe (one lock).
 *
 * <p>Damage is reported as {@link CorruptStructureException} with the file, the offset and the
 * structure: a directory or table entry pointing outside the file, a grain marker whose LBA is not
 * the one the table maps there, a compressed size running past the file, inflate errors, a grain
 * inflating to more than a grain or less than its part of the capacity.
 */
public final class StreamOptimizedExtent extends FileExtent {
  private static final Logger LOG = LoggerFactory.getLogger(StreamOptimizedExtent.class);
  private static final int CACHED_TABLES = 256;
  private static final long TABLE_CACHE_BYTES = 1L << 20;
  private static final long MAX_GRAIN_BYTES = 16L << 20;
  private static final int MAX_RUN_GRAINS = 16384;
  private static final byte[] ZEROS = new byte[64 * 1024];
  private static final long GRAIN_CACHE_BYTES = 4L << 20;
  private static final String GD = "grain directory";
  private static final String GT = "grain table";
  private static final String FOOTER = "streamOptimized footer";

  private final FileChannel channel;
  private final SparseExtentHeader header;
  private final long fileSize;
  private final long grainBytes;
  private final boolean zeroedGrains;
  private final boolean compressed;
  private final long[] directory;
  /** Grain tables rebuilt by {@link MarkerScan} when the footer is unusable, else null. */
  private final GrainTable[] scanned;
  /** Whether the tables were found through the footer (VMware's layout, with markers). */
  private final boolean footerUsed;
  private final LinkedHashMap<Long, GrainTable> tables;
  private final LinkedHashMap<Long, byte[]> grains;
  private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
  private final GrainReader reader;

  private StreamOptimizedExtent(Path file, FileChannel channel, SparseExtentHeader header,
      long fileSize, long[] directory, GrainTable[] scanned, boolean footerUsed) {
    super(file, header.capacityBytes());
    this.scanned = scanned;
    this.footerUsed = footerUsed;
    this.channel = channel;
    this.header = header;
    this.fileSize = fileSize;
    this.grainBytes = header.grainBytes();
    this.zeroedGrains = header.hasFlag(SparseExtentHeader.FLAG_ZEROED_GRAIN_GTE);
    this.compressed = header.compressAlgorithm() == SparseExtentHeader.COMPRESSION_DEFLATE;
    this.directory = directory;
    this.tables = lru((int) Math.max(4,
        Math.min(CACHED_TABLES, TABLE_CACHE_BYTES / (header.numGTEsPerGT() * 4L))));
    int maxGrains = (int) Math.max(2, GRAIN_CACHE_BYTES / grainBytes);
    this.grains =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            if (size() > maxGrains) {
              spare.push(eldest.getValue());
              return true;
            }
            return false;
          }
        };
    this.reader = new GrainReader(file, channel, fileSize, grainBytes,
        header.hasFlag(SparseExtentHeader.FLAG_MARKERS));
  }

  private static <V> LinkedHashMap<Long, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
        return size() > max;
      }
    };
  }

  /**
   * Opens a streamOptimized extent.
   *
   * @param file the extent file, for messages
   * @param channel the open file; closed by {@link #close()}
   * @param header the header at the start of the file, already parsed
   * @return the extent
   * @throws CorruptStructureException if the footer, the grain directory or the header is damaged
   * @throws UnsupportedFeatureException if the grains are neither compressed nor plain
   * @throws IOException on an I/O error
   */
  public static StreamOptimizedExtent open(Path file, FileChannel channel,
      SparseExtentHeader header) throws IOException {
    long fileSize = channel.size();
    SparseExtentHeader effective = header;
    if (header.grainBytes() > MAX_GRAIN_BYTES) {
      throw new UnsupportedFeatureException(file, "grain size " + header.grainSize()
          + " sectors", "streamOptimized grains above 16 MiB are not supported");
    }
    if (header.gdOffset() == SparseExtentHeader.GD_AT_END) {
      try {
        effective = readFooter(file, channel, fileSize);
      } catch (CorruptStructureException footerError) {
        return openByScan(file, channel, header, fileSize, footerError);
      }
      LOG.debug("{}: grain directory at sector {} (from the footer)", file, effective.gdOffset());
    }
    if (effective.grainBytes() > MAX_GRAIN_BYTES) {
      throw new UnsupportedFeatureException(file, "grain size " + effective.grainSize()
          + " sectors", "streamOptimized grains above 16 MiB are not supported");
    }
    long entries = effective.grainDirectoryEntries();
    long gdPosition = effective.gdOffset() * SparseExtentHeader.SECTOR;
    long gdBytes = entries * 4;
    if (gdPosition <= 0 || gdBytes > fileSize || gdPosition > fileSize - gdBytes
        || gdBytes > Integer.MAX_VALUE - 8) {
      throw new CorruptStructureException(file, gdPosition, GD,
          entries + " entries at sector " + effective.gdOffset() + " do not lie inside the file"
              + " of " + fileSize + " bytes");
    }
    ByteBuffer raw = ByteBuffer.allocate((int) gdBytes).order(ByteOrder.LITTLE_ENDIAN);
    ChannelIo.readFully(channel, file, gdPosition, raw, GD);
    GrainDirectory gd = GrainDirectory.parse(file, gdPosition, raw.flip(), (int) entries);
    long tableBytes = effective.numGTEsPerGT() * 4L;
    long[] directory = new long[(int) entries];
    for (int i = 0; i < directory.length; i++) {
      long sector = gd.entry(i);
      if (sector != 0 && sector * SparseExtentHeader.SECTOR > fileSize - tableBytes) {
        throw new CorruptStructureException(file, gdPosition + i * 4L, GD,
            "entry " + i + " points to sector " + sector + ", its grain table would end past"
                + " the file of " + fileSize + " bytes");
      }
      directory[i] = sector;
    }
    return new StreamOptimizedExtent(file, channel, effective, fileSize, directory, null,
        header.gdOffset() == SparseExtentHeader.GD_AT_END);
  }

  /** Opens a file whose footer is unusable by walking its markers ({@link MarkerScan}). */
  private static StreamOptimizedExtent openByScan(Path file, FileChannel channel,
      SparseExtentHeader header, long fileSize, CorruptStructureException footerError)
      throws IOException {
    GrainTable[] tables;
    try {
      tables = MarkerScan.scan(file, channel, fileSize, header,
          header.grainBytes() + header.grainBytes() / 8 + 4096);
    } catch (CorruptStructureException scanError) {
      CorruptStructureException e = new CorruptStructureException(file, footerError.offset(),
          footerError.structure(), footerError.detail() + "; walking the markers instead failed"
              + " at offset " + scanError.offset() + " (" + scanError.structure() + "): "
              + scanError.detail());
      e.addSuppressed(scanError);
      throw e;
    }
    LOG.info("{}: no usable footer ({}); grain tables rebuilt from the markers", file,
        footerError.detail());
    long[] directory = new long[tables.length];
    for (int i = 0; i < tables.length; i++) {
      directory[i] = tables[i] == null ? 0 : i + 1L;
    }
    return new StreamOptimizedExtent(file, channel, header, fileSize, directory, tables, false);
  }

  /** Reads and checks the footer marker, footer and end-of-stream marker ending the file. */
  static SparseExtentHeader readFooter(Path file, FileChannel channel, long fileSize)
      throws IOException {
    long at = fileSize - 3L * SparseExtentHeader.SECTOR;
    if (at < SparseExtentHeader.SECTOR) {
      throw new CorruptStructureException(file, Math.max(at, 0), FOOTER,
          "the header says the grain directory is at the end, but the file of " + fileSize
              + " bytes is too short for a footer");
    }
    ByteBuffer raw = ByteBuffer.allocate(3 * SparseExtentHeader.SECTOR);
    ChannelIo.readFully(channel, file, at, raw, FOOTER);
    raw.flip();
    Marker footerMarker = Marker.parse(file, at, raw);
    Marker eos = Marker.parse(file, at + 1024, raw.duplicate().position(1024));
    if (footerMarker.isGrain() || footerMarker.type() != Marker.TYPE_FOOTER) {
      throw new CorruptStructureException(file, at, FOOTER,
          "no footer marker three sectors before the end of the file (truncated or not"
              + " finished?)");
    }
    if (eos.value() != 0 || eos.size() != 0 || eos.type() != Marker.TYPE_END_OF_STREAM) {
      throw new CorruptStructureException(file, at + 1024, "end-of-stream marker",
          "the last sector of the file is not an end-of-stream marker");
    }
    SparseExtentHeader footer;
    try {
      footer = SparseExtentHeader.parse(file, at + 512, raw.duplicate().position(512));
    } catch (VdiskException e) {
      throw new CorruptStructureException(file, at + 512, FOOTER, e.getMessage(), e);
    }
    if (footer.gdOffset() == SparseExtentHeader.GD_AT_END) {
      throw new CorruptStructureException(file, at + 512 + 56, FOOTER,
          "the footer's gdOffset is GD_AT_END too");
    }
    return footer;
  }

  /**
   * The header in effect: the footer when the file header defers to it.
   *
   * @return the header
   */
  public SparseExtentHeader header() {
    return header;
  }

  @Override
  public synchronized Allocation allocation(long offset) throws IOException {
    checkRange(offset, 1);
    return GrainRuns.run(offset, size, grainBytes, MAX_RUN_GRAINS, g -> state(entry(g)));
  }

  @Override
  public synchronized void read(long offset, ByteBuffer dst) throws IOException {
    checkRange(offset, dst.remaining());
    long at = offset;
    while (dst.hasRemaining()) {
      long grain = at / grainBytes;
      int inGrain = (int) (at - grain * grainBytes);
      int n = (int) Math.min(dst.remaining(), grainBytes - inGrain);
      long sector = entry(grain);
      if (state(sector) != Allocation.State.DATA) {
        putZeros(dst, n);
      } else if (compressed && n == grainBytes && dst.hasArray() && !grains.containsKey(grain)) {
        // a whole grain: inflate straight into the caller's buffer, bypassing the cache
        reader.read(sector * SparseExtentHeader.SECTOR, grain * header.grainSize(), dst.array(),
            dst.arrayOffset() + dst.position(), n);
        dst.position(dst.position() + n);
      } else {
        dst.put(grain(grain, sector), inGrain, n);
      }
      at += n;
    }
  }

  private static void putZeros(ByteBuffer dst, int n) {
    int left = n;
    while (left > 0) {
      int k = Math.min(left, ZEROS.length);
      dst.put(ZEROS, 0, k);
      left -= k;
    }
  }

  @Override
  public synchronized void check(CheckReport.Builder report) throws IOException {
    if (footerUsed && header.hasFlag(SparseExtentHeader.FLAG_MARKERS)) {
      checkMetadataMarkers(report);
    }
    long count = (size + grainBytes - 1) / grainBytes;
    int gtes = header.numGTEsPerGT();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int t = 0; t < directory.length; t++) {
      if (directory[t] == 0) {
        continue;
      }
      if (!seen.add(directory[t])) {
        report.add(CheckReport.Severity.CORRUPTION, header.gdOffset() * 512 + t * 4L, GD,
            "entry " + t + " names the grain table at sector " + directory[t]
                + ", which an earlier entry names too");
        continue;
      }
      long end = Math.min(count, (t + 1L) * gtes);
      for (long g = (long) t * gtes; g < end; g++) {
        try {
          long sector = entry(g);
          if (state(sector) == Allocation.State.DATA) {
            grain(g, sector);
          }
        } catch (CorruptStructureException e) {
          report.add(CheckReport.Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
          if (GT.equals(e.structure())) {
            break;
          }
        }
      }
    }
  }

  /** The grain directory and each grain table should follow a marker naming them. */
  private void checkMetadataMarkers(CheckReport.Builder report) throws IOException {
    long gdSectors = (directory.length * 4L + SparseExtentHeader.SECTOR - 1)
        / SparseExtentHeader.SECTOR;
    expectMarker(report, header.gdOffset(), Marker.TYPE_GRAIN_DIRECTORY, gdSectors,
        "grain directory marker");
    long tableSectors = (header.numGTEsPerGT() * 4L + SparseExtentHeader.SECTOR - 1)
        / SparseExtentHeader.SECTOR;
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (long sector : directory) {
      if (sector != 0 && seen.add(sector)) {
        expectMarker(report, sector, Marker.TYPE_GRAIN_TABLE, tableSectors, "grain table marker");
      }
    }
  }

  private void expectMarker(CheckReport.Builder report, long sector, int type, long sectors,
      String structure) throws IOException {
    long at = (sector - 1) * SparseExtentHeader.SECTOR;
    ByteBuffer raw = ByteBuffer.allocate(16);
    ChannelIo.readFully(channel, file, at, raw, structure);
    Marker marker = Marker.parse(file, at, raw.flip());
    if (marker.isGrain() || marker.type() != type || marker.value() < sectors) {
      report.add(CheckReport.Severity.WARNING, at, structure,
          "the sector before the structure at sector " + sector + " is not a marker of type "
              + type + " for " + sectors + " sectors (found value " + marker.value() + ", size "
              + marker.compressedSize() + ", type " + marker.type() + ")");
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private Allocation.State state(long sector) {
    if (sector == 0) {
      return Allocation.State.UNALLOCATED;
    }
    if (sector == 1 && zeroedGrains) {
      return Allocation.State.ZERO;
    }
    return Allocation.State.DATA;
  }

  /** The inflated grain, from the cache or the file. */
  private byte[] grain(long grain, long sector) throws IOException {
    byte[] data = grains.get(grain);
    if (data != null) {
      return data;
    }
    data = spare.isEmpty() ? new byte[(int) grainBytes] : spare.pop();
    long start = grain * grainBytes;
    int expected = (int) Math.min(grainBytes, size - start);
    long position = sector * SparseExtentHeader.SECTOR;
    if (compressed) {
      reader.read(position, grain * header.grainSize(), data, expected);
    } else {
      if (position > fileSize - expected) {
        throw new CorruptStructureException(file, position, "grain",
            "grain " + grain + " ends past the file of " + fileSize + " bytes");
      }
      ByteBuffer dst = ByteBuffer.wrap(data, 0, expected);
      ChannelIo.readFully(channel, file, position, dst, "grain");
      java.util.Arrays.fill(data, expected, data.length, (byte) 0);
    }
    grains.put(grain, data);
    return data;
  }

  /** The grain table entry for a grain: the sector of its marker, 0 or 1 (zeroed). */
  private long entry(long grain) throws IOException {
    int gtes = header.numGTEsPerGT();
    long tableSector = directory[(int) (grain / gtes)];
    if (tableSector == 0) {
      return 0;
    }
    if (scanned != null) {
      return scanned[(int) (grain / gtes)].entry((int) (grain % gtes));
    }
    GrainTable table = tables.get(tableSector);
    if (table == null) {
      long position = tableSector * SparseExtentHeader.SECTOR;
      ByteBuffer raw = ByteBuffer.allocate(gtes * 4).order(ByteOrder.LITTLE_ENDIAN);
      ChannelIo.readFully(channel, file, position, raw, GT);
      table = GrainTable.parse(file, position, raw.flip(), gtes);
      for (int i = 0; i < gtes; i++) {
        long sector = table.entry(i);
        boolean special = sector == 0 || (sector == 1 && zeroedGrains);
        if (!special && sector * SparseExtentHeader.SECTOR >= fileSize) {
          throw new CorruptStructureException(file, position + i * 4L, GT,
              "entry " + i + " points to sector " + sector + ", outside the grains of the file"
                  + " (" + fileSize + " bytes)");
        }
      }
      tables.put(tableSector, table);
    }
    return table.entry((int) (grain % gtes));
  }
}
