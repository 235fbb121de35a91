package dev.vdisk.vmdk.internal.esx;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.vmdk.internal.FileExtent;
import dev.vdisk.vmdk.internal.GrainRuns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only ESX vmfsSparse extent (magic {@code "COWD"}, the {@code VMFSSPARSE} extent type of a
 * {@code vmfsSparse} descriptor, typically an ESX snapshot's {@code -delta.vmdk}).
 *
 * <p>The grain directory is read at open; grain tables ({@value CowdHeader#GT_ENTRIES} 32-bit
 * sector numbers each) are read on demand and kept in a small LRU cache. Grains are stored
 * uncompressed. A zero directory or table entry means the grain is not stored here
 * ({@link Allocation.State#UNALLOCATED}: the parent's data, or zeros). Every sector number is
 * checked against the file size before use. Thread-safe.
 */
public final class CowdExtent extends FileExtent {
  private static final Logger LOG = LoggerFactory.getLogger(CowdExtent.class);
  private static final int CACHED_TABLES = 64;
  private static final String GD = "COWD grain directory";
  private static final String GT = "COWD grain table";
  private static final String GRAIN = "COWD grain";

  private final FileChannel channel;
  private final CowdHeader header;
  private final long fileSize;
  private final long grainBytes;
  private final long[] directory;
  private final TableCache<long[]> tables = new TableCache<>(CACHED_TABLES);

  private CowdExtent(Path file, FileChannel channel, CowdHeader header, long fileSize,
      long[] directory) {
    super(file, header.numSectors() * 512);
    this.channel = channel;
    this.header = header;
    this.fileSize = fileSize;
    this.grainBytes = header.grainSize() * 512;
    this.directory = directory;
  }

  /**
   * Opens a COWD extent: reads and validates the header and the grain directory.
   *
   * @param file the extent file, for messages
   * @param channel the open file; closed by {@link #close()}
   * @return the extent
   * @throws CorruptStructureException if the header or directory is damaged
   * @throws IOException on an I/O error or an unsupported version
   */
  public static CowdExtent open(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    ByteBuffer raw = EsxIo.read(channel, file, 0, (int) Math.min(CowdHeader.SIZE, fileSize),
        fileSize, "COWD header");
    CowdHeader header = CowdHeader.parse(file, raw);
    if (header.uncleanShutdown()) {
      LOG.warn("{}: COWD uncleanShutdown is set (the delta was not closed cleanly)", file);
    }
    long entries = CowdHeader.neededGdEntries(header.numSectors(), header.grainSize());
    long gdPosition = header.gdOffset() * 512;
    ByteBuffer gd = EsxIo.read(channel, file, gdPosition, (int) (entries * 4), fileSize, GD);
    long[] directory = new long[(int) entries];
    for (int i = 0; i < directory.length; i++) {
      long sector = Integer.toUnsignedLong(gd.getInt(i * 4));
      if (sector != 0 && sector * 512 + CowdHeader.GT_ENTRIES * 4L > fileSize) {
        throw new CorruptStructureException(file, gdPosition + i * 4L, GD,
            "entry " + i + " points to sector " + sector + ", its grain table would end past the"
                + " file of " + fileSize + " bytes");
      }
      directory[i] = sector;
    }
    return new CowdExtent(file, channel, header, fileSize, directory);
  }

  /**
   * The parsed header.
   *
   * @return the header
   */
  public CowdHeader header() {
    return header;
  }

  @Override
  public Allocation allocation(long offset) throws IOException {
    checkRange(offset, 1);
    // Bounded: at most one directory's worth of grains per call.
    return GrainRuns.run(offset, size, grainBytes, 16384, g -> grainSector(g) != 0
        ? Allocation.State.DATA : Allocation.State.UNALLOCATED);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    checkRange(offset, dst.remaining());
    GrainRuns.read(offset, dst, grainBytes, (grain, inGrain, part) -> {
      long sector = grainSector(grain);
      if (sector == 0) {
        ChannelIo.fillZero(part);
      } else {
        long position = sector * 512 + inGrain;
        if (sector * 512 + grainBytes > fileSize) {
          throw new CorruptStructureException(file, sector * 512, GRAIN,
              "grain " + grain + " at sector " + sector + " ends past the file of " + fileSize
                  + " bytes");
        }
        ChannelIo.readFully(channel, file, position, part, GRAIN);
      }
    });
  }

  @Override
  public void check(CheckReport.Builder report) throws IOException {
    if (header.uncleanShutdown()) {
      report.add(CheckReport.Severity.WARNING, 1648, "COWD header",
          "uncleanShutdown is set: the delta was not closed cleanly");
    }
    long grains = (size + grainBytes - 1) / grainBytes;
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int t = 0; t < directory.length && (long) t * CowdHeader.GT_ENTRIES < grains; t++) {
      if (directory[t] == 0) {
        continue;
      }
      if (!seen.add(directory[t])) {
        report.add(CheckReport.Severity.CORRUPTION, header.gdOffset() * 512 + t * 4L, GD,
            "entry " + t + " names a grain table an earlier entry names too");
        continue;
      }
      try {
        grainSector((long) t * CowdHeader.GT_ENTRIES);
      } catch (CorruptStructureException e) {
        report.add(CheckReport.Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** The sector holding a grain, 0 if not allocated; validated against the file size. */
  private long grainSector(long grain) throws IOException {
    int gdIndex = (int) (grain / CowdHeader.GT_ENTRIES);
    long tableSector = directory[gdIndex];
    if (tableSector == 0) {
      return 0;
    }
    long[] table = tables.getOrLoad(tableSector, () -> readTable(tableSector));
    return table[(int) (grain % CowdHeader.GT_ENTRIES)];
  }

  private long[] readTable(long tableSector) throws IOException {
    long position = tableSector * 512;
    ByteBuffer raw = EsxIo.read(channel, file, position, CowdHeader.GT_ENTRIES * 4, fileSize, GT);
    long[] table = new long[CowdHeader.GT_ENTRIES];
    for (int i = 0; i < table.length; i++) {
      long sector = Integer.toUnsignedLong(raw.getInt(i * 4));
      if (sector != 0 && sector * 512 >= fileSize) {
        throw new CorruptStructureException(file, position + i * 4L, GT,
            "entry " + i + " points to sector " + sector + ", past the file of " + fileSize
                + " bytes");
      }
      table[i] = sector;
    }
    return table;
  }
}
