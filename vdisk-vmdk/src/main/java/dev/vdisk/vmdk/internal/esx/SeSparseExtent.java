package dev.vdisk.vmdk.internal.esx;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.vmdk.internal.FileExtent;
import dev.vdisk.vmdk.internal.GrainRuns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A read-only ESXi seSparse extent (the {@code SESPARSE} extent type, ESXi 6.5+ snapshots and
 * space-efficient disks).
 *
 * <p>Layout: {@link SeSparseConstHeader} at sector 0, {@link SeSparseVolatileHeader}, a journal,
 * the grain directory (64-bit entries: 0 = no table, {@code 0x1000_0000_xxxx_xxxx} = grain table
 * number {@code xxxx_xxxx}), the grain tables (4096 64-bit entries each), the grains (4 KiB). A
 * grain table entry's top nibble is its type: 0 not allocated (the whole entry must be 0),
 * 1 unmapped (SCSI UNMAP) and 2 zeroed (both read as zeros, {@link Allocation.State#ZERO}), 3
 * allocated: the grain number is the entry's bits 0-47 shifted left by 12 plus bits 48-59.
 *
 * <p>A volatile header whose replay-journal flag is set is refused
 * ({@link UnsupportedFeatureException} naming the file and the volatile header): the tables may
 * be stale until the journal is applied, and replaying the (unpublished) journal format is not
 * implemented. The journal's content is not otherwise interpreted. Thread-safe.
 */
public final class SeSparseExtent extends FileExtent {
  private static final int CACHED_TABLES = 32;
  private static final String GD = "seSparse grain directory";
  private static final String GT = "seSparse grain table";
  private static final String GRAIN = "seSparse grain";
  private static final long GRAIN_BYTES = SeSparseConstHeader.GRAIN_SECTORS * 512;
  private static final long TYPE_MASK = 0xf000000000000000L;

  private final FileChannel channel;
  private final SeSparseConstHeader header;
  private final long fileSize;
  private final long[] directory;
  private final TableCache<long[]> tables = new TableCache<>(CACHED_TABLES);

  private SeSparseExtent(Path file, FileChannel channel, SeSparseConstHeader header,
      long fileSize, long[] directory) {
    super(file, header.capacity() * 512);
    this.channel = channel;
    this.header = header;
    this.fileSize = fileSize;
    this.directory = directory;
  }

  /**
   * Opens a seSparse extent: reads and validates both headers and the grain directory.
   *
   * @param file the extent file, for messages
   * @param channel the open file; closed by {@link #close()}
   * @return the extent
   * @throws CorruptStructureException if a header or the directory is damaged
   * @throws UnsupportedFeatureException for an unknown version or geometry, or a journal that
   *     must be replayed
   * @throws IOException on an I/O error
   */
  public static SeSparseExtent open(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    ByteBuffer raw = EsxIo.read(channel, file, 0,
        (int) Math.min(SeSparseConstHeader.SIZE, fileSize), fileSize, "seSparse const header");
    SeSparseConstHeader header = SeSparseConstHeader.parse(file, raw);
    long volatileAt = header.volatileHeaderOffset() * 512;
    SeSparseVolatileHeader volatileHeader = SeSparseVolatileHeader.parse(file, volatileAt,
        EsxIo.read(channel, file, volatileAt, SeSparseVolatileHeader.SIZE, fileSize,
            "seSparse volatile header"));
    if (volatileHeader.needsReplay()) {
      throw new UnsupportedFeatureException(file, "seSparse journal replay",
          "the volatile header at offset " + volatileAt + " has the replay-journal flag set ("
              + volatileHeader.replayJournal() + "): the image was not closed cleanly and its"
              + " journal must be replayed by ESXi before it can be read");
    }
    long needed = header.neededGdEntries();
    long available = header.grainDirSize() * 512 / 8;
    if (available < needed) {
      throw new CorruptStructureException(file, 17 * 8, "seSparse const header",
          "the grain directory of " + header.grainDirSize() + " sectors holds " + available
              + " entries, " + needed + " are needed for " + header.capacity() + " sectors");
    }
    long gdPosition = header.grainDirOffset() * 512;
    ByteBuffer gd = EsxIo.read(channel, file, gdPosition, (int) (needed * 8), fileSize, GD);
    long[] directory = new long[(int) needed];
    for (int i = 0; i < directory.length; i++) {
      long entry = gd.getLong(i * 8);
      long tableSector = 0;
      if (entry != 0) {
        if ((entry & 0xffffffff00000000L) != 0x1000000000000000L) {
          throw new CorruptStructureException(file, gdPosition + i * 8L, GD,
              String.format("entry %d holds 0x%016x, not an allocated grain table", i, entry));
        }
        long number = entry & 0xffffffffL;
        tableSector = header.grainTablesOffset()
            + number * SeSparseConstHeader.GRAIN_TABLE_SECTORS;
        // Only the file bounds the table (as qemu, which does not check grainTablesSize).
        if (tableSector * 512 > fileSize - SeSparseConstHeader.GT_ENTRIES * 8L) {
          throw new CorruptStructureException(file, gdPosition + i * 8L, GD,
              "entry " + i + " names grain table " + number + ", which would end past the file"
                  + " of " + fileSize + " bytes");
        }
      }
      directory[i] = tableSector;
    }
    return new SeSparseExtent(file, channel, header, fileSize, directory);
  }

  /**
   * The parsed const header.
   *
   * @return the header
   */
  public SeSparseConstHeader header() {
    return header;
  }

  @Override
  public Allocation allocation(long offset) throws IOException {
    checkRange(offset, 1);
    return GrainRuns.run(offset, size, GRAIN_BYTES, 16384, g -> state(entry(g)));
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkRange(offset, dst.remaining());
    GrainRuns.read(offset, dst, GRAIN_BYTES, (grain, inGrain, part) -> {
      long entry = entry(grain);
      if (state(entry) == Allocation.State.DATA) {
        long position = grainPosition(grain, entry);
        ChannelIo.readFully(channel, file, position + inGrain, part, GRAIN);
      } else {
        ChannelIo.fillZero(part);
      }
    });
  }

  @Override
  public void check(CheckReport.Builder report) throws IOException {
    long grains = (size + GRAIN_BYTES - 1) / GRAIN_BYTES;
    int per = SeSparseConstHeader.GT_ENTRIES;
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int t = 0; t < directory.length; t++) {
      if (directory[t] == 0) {
        continue;
      }
      if (!seen.add(directory[t])) {
        report.add(CheckReport.Severity.CORRUPTION, header.grainDirOffset() * 512 + t * 8L, GD,
            "entry " + t + " names a grain table an earlier entry names too");
        continue;
      }
      long end = Math.min(grains, (t + 1L) * per);
      for (long g = (long) t * per; g < end; g++) {
        try {
          long entry = entry(g);
          if (state(entry) == Allocation.State.DATA) {
            grainPosition(g, entry);
          }
        } catch (CorruptStructureException e) {
          report.add(CheckReport.Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
          if (GT.equals(e.structure()) && e.offset() >= 0) {
            break;
          }
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static Allocation.State state(long entry) {
    long type = entry & TYPE_MASK;
    if (type == 0) {
      return Allocation.State.UNALLOCATED;
    }
    if (type == 0x3000000000000000L) {
      return Allocation.State.DATA;
    }
    return Allocation.State.ZERO;
  }

  private long grainPosition(long grain, long entry) throws CorruptStructureException {
    long number = ((entry & 0x0fff000000000000L) >>> 48) | ((entry & 0x0000ffffffffffffL) << 12);
    // Only the file bounds the grain (as qemu, which does not check grainsSize).
    long sector = header.grainsOffset() + number * SeSparseConstHeader.GRAIN_SECTORS;
    if (number > (1L << 40) || sector * 512 > fileSize - GRAIN_BYTES) {
      throw new CorruptStructureException(file, -1, GT,
          String.format("the entry for grain %d (0x%016x) names grain %d, which lies past the"
              + " file of %d bytes", grain, entry, number, fileSize));
    }
    return sector * 512;
  }

  /** The grain table entry of a grain, validated for its type; 0 where no table exists. */
  private long entry(long grain) throws IOException {
    long tableSector = directory[(int) (grain / SeSparseConstHeader.GT_ENTRIES)];
    if (tableSector == 0) {
      return 0;
    }
    long[] table = tables.getOrLoad(tableSector, () -> readTable(tableSector));
    return table[(int) (grain % SeSparseConstHeader.GT_ENTRIES)];
  }

  private long[] readTable(long tableSector) throws IOException {
    long position = tableSector * 512;
    ByteBuffer raw = EsxIo.read(channel, file, position, SeSparseConstHeader.GT_ENTRIES * 8,
        fileSize, GT);
    long[] table = new long[SeSparseConstHeader.GT_ENTRIES];
    for (int i = 0; i < table.length; i++) {
      long e = raw.getLong(i * 8);
      long type = e & TYPE_MASK;
      if ((type == 0 && e != 0) || Long.compareUnsigned(type, 0x3000000000000000L) > 0) {
        throw new CorruptStructureException(file, position + i * 8L, GT,
            String.format("entry %d holds 0x%016x, an unknown grain type", i, e));
      }
      table[i] = e;
    }
    return table;
  }
}
