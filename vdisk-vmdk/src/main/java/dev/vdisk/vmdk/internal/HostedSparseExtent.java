package dev.vdisk.vmdk.internal;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.core.util.WriteSteps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hosted sparse extent (KDMV, not compressed): header, grain directory, redundant grain
 * directory, grain tables and grains.
 *
 * <p>Reading uses the grain directory; when it or a grain table it names points outside the file,
 * the redundant copy is used instead and a warning recorded ({@link #warnings()}). Large reads of
 * contiguous grains become one file read. Grain tables are cached (bounded).
 *
 * <p>Writing allocates grains at the end of the file in a crash-safe order: the grains' data,
 * flush; the grain table entries, flush; the redundant grain table entries. A missing grain table
 * is allocated (zeros, both copies) before the directory entries that name it. The header's
 * {@code uncleanShutdown} is set before the first write and cleared by {@link #close()}.
 */
public final class HostedSparseExtent extends FileExtent {
  private static final Logger LOG = LoggerFactory.getLogger(HostedSparseExtent.class);
  /** Grain tables kept in memory at most. */
  static final int TABLE_CACHE = 4096;
  /** The largest grain directory accepted (entries). */
  public static final int MAX_GD_ENTRIES = 1 << 24;
  private static final int MAX_MERGED_GRAINS = 1 << 15;

  private final FileChannel channel;
  private SparseExtentHeader header;
  private final boolean writable;
  private final long grainBytes;
  private final int gtes;
  private final long tableBytes;
  private final long capacityGrains;
  private final GrainDirectory gd;
  private final GrainDirectory rgd;
  private final boolean usingRedundant;
  private final List<String> warnings = new ArrayList<>();
  private final Map<Integer, GrainTable> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, GrainTable> eldest) {
          return size() > TABLE_CACHE;
        }
      };
  private long nextFree;
  private boolean dirtyMarked;
  private boolean zerosReadAsUnallocated;

  private HostedSparseExtent(Path file, FileChannel channel, SparseExtentHeader header, long size,
      boolean writable, GrainDirectory gd, GrainDirectory rgd, boolean usingRedundant,
      List<String> warnings) throws IOException {
    super(file, size);
    this.channel = channel;
    this.header = header;
    this.writable = writable;
    this.grainBytes = header.grainBytes();
    this.gtes = header.numGTEsPerGT();
    this.tableBytes = (gtes * 4L + 511) / 512 * 512;
    this.capacityGrains = (header.capacity() + header.grainSize() - 1) / header.grainSize();
    this.gd = gd;
    this.rgd = rgd;
    this.usingRedundant = usingRedundant;
    this.warnings.addAll(warnings);
    this.nextFree = Math.max((channel.size() + 511) / 512 * 512, header.overHead() * 512);
  }

  /**
   * Opens a hosted sparse extent.
   *
   * @param file the extent file
   * @param channel its channel (owned by the caller)
   * @param header the parsed header at offset 0
   * @param size the extent's size in bytes (the descriptor's sectors × 512)
   * @param writable whether to allow writes
   * @return the extent
   * @throws IOException if the directories are unusable
   */
  public static HostedSparseExtent open(Path file, FileChannel channel, SparseExtentHeader header,
      long size, boolean writable) throws IOException {
    if (header.hasFlag(SparseExtentHeader.FLAG_COMPRESSED_GRAINS)
        || header.hasFlag(SparseExtentHeader.FLAG_MARKERS)
        || header.gdOffset() == SparseExtentHeader.GD_AT_END) {
      throw new UnsupportedFeatureException(file, "streamOptimized (compressed) sparse extent",
          "open it through its streamOptimized reader");
    }
    long fileSize = channel.size();
    long count = header.grainDirectoryEntries();
    if (count > MAX_GD_ENTRIES || count * 4 > fileSize) {
      throw new CorruptStructureException(file, 0, "sparse extent header",
          "capacity " + header.capacity() + " needs " + count
              + " grain directory entries, more than the file can hold");
    }
    long tableBytes = header.numGTEsPerGT() * 4L;
    List<String> warnings = new ArrayList<>();
    GrainDirectory primary = null;
    String primaryProblem = null;
    try {
      primary = readDirectory(file, channel, header.gdOffset(), (int) count);
      int bad = primary.firstBadEntry(fileSize, tableBytes);
      if (bad >= 0) {
        primaryProblem = "entry " + bad + " points at sector " + primary.entry(bad)
            + ", outside the file";
      }
    } catch (CorruptStructureException e) {
      primaryProblem = e.detail();
    }
    GrainDirectory redundant = null;
    String redundantProblem = null;
    if (header.hasFlag(SparseExtentHeader.FLAG_REDUNDANT_GRAIN_TABLE) && header.rgdOffset() != 0) {
      try {
        redundant = readDirectory(file, channel, header.rgdOffset(), (int) count);
        int bad = redundant.firstBadEntry(fileSize, tableBytes);
        if (bad >= 0) {
          redundantProblem = "entry " + bad + " points at sector " + redundant.entry(bad)
              + ", outside the file";
        }
      } catch (CorruptStructureException e) {
        redundantProblem = e.detail();
      }
    }
    if (primaryProblem == null) {
      if (redundant != null && redundantProblem != null) {
        warnings.add("redundant grain directory is damaged (" + redundantProblem + ")");
        redundant = null;
      }
      return new HostedSparseExtent(file, channel, header, size, writable, primary, redundant,
          false, warnings);
    }
    if (redundant == null || redundantProblem != null) {
      throw new CorruptStructureException(file, header.gdOffset() * 512, "grain directory",
          primaryProblem + (redundant == null && redundantProblem == null
              ? " and there is no redundant grain directory"
              : "; the redundant grain directory is damaged too (" + redundantProblem + ")"));
    }
    String w = "grain directory is damaged (" + primaryProblem
        + "); using the redundant grain directory";
    LOG.warn("{}: {}", file, w);
    warnings.add(w);
    return new HostedSparseExtent(file, channel, header, size, writable, redundant, primary,
        true, warnings);
  }

  private static GrainDirectory readDirectory(Path file, FileChannel channel, long sector,
      int count) throws IOException {
    long fileSize = channel.size();
    long at = sector * 512;
    if (sector == 0 || at + count * 4L > fileSize) {
      throw new CorruptStructureException(file, at, "grain directory",
          "at sector " + sector + " with " + count + " entries lies outside the "
              + fileSize + "-byte file");
    }
    ByteBuffer b = ByteBuffer.allocate(count * 4);
    ChannelIo.readZeroPadded(channel, at, b);
    return GrainDirectory.parse(file, at, b.flip(), count);
  }

  /**
   * Problems found while opening (a damaged directory or table replaced by its redundant copy).
   *
   * @return the messages
   */
  public synchronized List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * The header as last written.
   *
   * @return the header
   */
  public synchronized SparseExtentHeader header() {
    return header;
  }

  /**
   * The grain size in bytes.
   *
   * @return bytes
   */
  public long grainBytes() {
    return grainBytes;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  // -----------------------------------------------------------------------------------------
  // Tables

  private synchronized GrainTable table(int index) throws IOException {
    GrainTable t = cache.get(index);
    if (t != null) {
      return t;
    }
    long sector = gd.entry(index);
    if (sector == 0) {
      return null;
    }
    long fileSize = channel.size();
    boolean zeroed = header.hasFlag(SparseExtentHeader.FLAG_ZEROED_GRAIN_GTE);
    t = readTable(sector);
    int bad = t.firstBadEntry(fileSize, grainBytes, header.overHead(), zeroed);
    if (bad >= 0) {
      String problem = "grain table " + index + " at sector " + sector + ": entry " + bad
          + " points at sector " + t.entry(bad) + ", outside the grain area of the "
          + fileSize + "-byte file";
      GrainTable other = null;
      if (rgd != null && rgd.entry(index) != 0) {
        other = readTable(rgd.entry(index));
        if (other.firstBadEntry(fileSize, grainBytes, header.overHead(), zeroed) >= 0) {
          other = null;
        }
      }
      if (other == null) {
        throw new CorruptStructureException(file, sector * 512 + bad * 4L, "grain table",
            problem);
      }
      String w = problem + "; using the redundant copy";
      LOG.warn("{}: {}", file, w);
      warnings.add(w);
      t = other;
    }
    cache.put(index, t);
    return t;
  }

  private GrainTable readTable(long sector) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(gtes * 4);
    ChannelIo.readZeroPadded(channel, sector * 512, b);
    return GrainTable.parse(file, sector * 512, b.flip(), gtes);
  }

  /** The grain table entry of grain {@code grain}: a sector, 0 or 1. */
  private long grainEntry(long grain) throws IOException {
    if (grain >= capacityGrains) {
      return GrainTable.UNALLOCATED;
    }
    GrainTable t = table((int) (grain / gtes));
    if (t == null) {
      return GrainTable.UNALLOCATED;
    }
    // Without the zeroed-grain flag an entry of 1 would be a grain at sector 1, inside the
    // metadata: the table validation rejects it (unless overHead is 0 or 1, then it is data).
    return t.entry((int) (grain % gtes));
  }

  private boolean isZeroEntry(long e) {
    return e == GrainTable.ZEROED && header.hasFlag(SparseExtentHeader.FLAG_ZEROED_GRAIN_GTE);
  }

  private Allocation.State stateOf(long e) {
    if (e == GrainTable.UNALLOCATED) {
      return Allocation.State.UNALLOCATED;
    }
    return isZeroEntry(e) ? Allocation.State.ZERO : Allocation.State.DATA;
  }

  // -----------------------------------------------------------------------------------------
  // Reading

  @Override
  public Allocation allocation(long offset) throws IOException {
    long grain = offset / grainBytes;
    Allocation.State state = stateOf(grainEntry(grain));
    long end = Math.min(size, (grain + 1) * grainBytes);
    for (int merged = 0; end < size && merged < MAX_MERGED_GRAINS; merged++) {
      grain++;
      if (stateOf(grainEntry(grain)) != state) {
        break;
      }
      end = Math.min(size, (grain + 1) * grainBytes);
    }
    return new Allocation(offset, end - offset, state);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    long pos = offset;
    while (dst.hasRemaining()) {
      long grain = pos / grainBytes;
      long within = pos - grain * grainBytes;
      long e = grainEntry(grain);
      long run = grainBytes - within;
      if (stateOf(e) == Allocation.State.DATA) {
        long expect = e + header.grainSize();
        long next = grain + 1;
        while (run < dst.remaining() && grainEntry(next) == expect) {
          run += grainBytes;
          next++;
          expect += header.grainSize();
        }
        int n = (int) Math.min(run, dst.remaining());
        ByteBuffer part = dst.slice(dst.position(), n);
        ChannelIo.readZeroPadded(channel, e * 512 + within, part);
        dst.position(dst.position() + n);
        pos += n;
      } else {
        int n = (int) Math.min(run, dst.remaining());
        ByteBuffer part = dst.slice(dst.position(), n);
        ChannelIo.fillZero(part);
        dst.position(dst.position() + n);
        pos += n;
      }
    }
  }

  // -----------------------------------------------------------------------------------------
  // Writing

  /**
   * Marks the extent as open for writing ({@code uncleanShutdown} = 1) if not done yet.
   *
   * @throws IOException on a write error
   */
  public synchronized void markDirty() throws IOException {
    if (dirtyMarked || !writable) {
      return;
    }
    if (!header.uncleanShutdown()) {
      writeHeader(header.withUncleanShutdown(true));
      channel.force(false);
      WriteSteps.step("header-dirty");
    }
    dirtyMarked = true;
  }

  private void writeHeader(SparseExtentHeader h) throws IOException {
    ChannelIo.writeFully(channel, 0, ByteBuffer.wrap(h.toBytes()));
    header = h;
  }

  @Override
  public synchronized void write(long offset, ByteBuffer src) throws IOException {
    if (!writable) {
      throw new UnsupportedFeatureException(file, "writing", "extent opened read-only");
    }
    markDirty();
    long firstGrain = offset / grainBytes;
    long lastGrain = (offset + src.remaining() - 1) / grainBytes;
    if (lastGrain >= capacityGrains) {
      throw new CorruptStructureException(file, 0, "sparse extent header",
          "capacity " + header.capacity() + " sectors is smaller than the descriptor's extent");
    }
    // In place for allocated grains; new grains are collected and written together.
    List<long[]> fresh = new ArrayList<>(); // {grain, offsetInSrc, within, length}
    int base = src.position();
    for (long g = firstGrain; g <= lastGrain; g++) {
      long gStart = g * grainBytes;
      long from = Math.max(offset, gStart);
      long to = Math.min(offset + src.remaining(), gStart + grainBytes);
      long e = grainEntry(g);
      if (stateOf(e) == Allocation.State.DATA) {
        ByteBuffer part = src.slice(base + (int) (from - offset), (int) (to - from));
        ChannelIo.writeFully(channel, e * 512 + (from - gStart), part);
        WriteSteps.step("grain-in-place");
      } else if (to - from == grainBytes && (stateOf(e) == Allocation.State.ZERO
          || zerosReadAsUnallocated) && isZero(src, base + (int) (from - offset),
              (int) grainBytes)) {
        // a whole grain of zeros where the extent already reads zeros: nothing to store
        continue;
      } else {
        fresh.add(new long[] {g, from - offset, from - gStart, to - from});
      }
    }
    if (!fresh.isEmpty()) {
      allocateGrains(fresh, src.duplicate().position(base));
    }
    src.position(src.limit());
  }

  /**
   * Declares that unallocated grains read as zeros (the disk has no parent), so writing a whole
   * grain of zeros there stores nothing.
   *
   * @param value whether unallocated grains read as zeros
   */
  public synchronized void setZerosReadAsUnallocated(boolean value) {
    zerosReadAsUnallocated = value;
  }

  private static boolean isZero(ByteBuffer b, int at, int length) {
    ByteBuffer s = b.slice(at, length).order(ByteOrder.nativeOrder());
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      if (s.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < length; i++) {
      if (s.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private void allocateGrains(List<long[]> fresh, ByteBuffer src) throws IOException {
    // Grain tables first, for grains whose table does not exist yet.
    for (long[] f : fresh) {
      int t = (int) (f[0] / gtes);
      if (gd.entry(t) == 0) {
        allocateTable(t);
      }
    }
    long bytes = fresh.size() * grainBytes;
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("write too large");
    }
    long start = nextFree;
    if ((start + bytes) / 512 > 0xffffffffL) {
      throw new UnsupportedFeatureException(file, "grain beyond 2 TiB of file offset",
          "32-bit grain table entries cannot address it");
    }
    ByteBuffer data = ByteBuffer.allocate((int) bytes);
    for (int i = 0; i < fresh.size(); i++) {
      long[] f = fresh.get(i);
      ByteBuffer part = src.slice(src.position() + (int) f[1], (int) f[3]);
      data.position((int) (i * grainBytes + f[2]));
      data.put(part);
    }
    data.clear();
    ChannelIo.writeFully(channel, start, data);
    nextFree = start + bytes;
    WriteSteps.step("grain-data");
    channel.force(false);
    WriteSteps.step("grain-data-flush");
    for (int i = 0; i < fresh.size(); i++) {
      long g = fresh.get(i)[0];
      GrainTable t = table((int) (g / gtes));
      t.set((int) (g % gtes), start / 512 + i * header.grainSize());
    }
    writeEntries(fresh, gd);
    WriteSteps.step("grain-table");
    if (rgd != null) {
      channel.force(false);
      WriteSteps.step("grain-table-flush");
      writeEntries(fresh, rgd);
      WriteSteps.step("redundant-grain-table");
    }
  }

  /** Writes the changed entries of the tables that {@code dir} names, one run per table. */
  private void writeEntries(List<long[]> fresh, GrainDirectory dir) throws IOException {
    int i = 0;
    while (i < fresh.size()) {
      int t = (int) (fresh.get(i)[0] / gtes);
      int j = i;
      while (j + 1 < fresh.size() && fresh.get(j + 1)[0] / gtes == t) {
        j++;
      }
      int first = (int) (fresh.get(i)[0] % gtes);
      int last = (int) (fresh.get(j)[0] % gtes);
      GrainTable table = table(t);
      ByteBuffer b = ByteBuffer.allocate((last - first + 1) * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int k = first; k <= last; k++) {
        b.putInt((int) table.entry(k));
      }
      ChannelIo.writeFully(channel, dir.entry(t) * 512 + first * 4L, b.flip());
      i = j + 1;
    }
  }

  private void allocateTable(int index) throws IOException {
    long start = nextFree;
    int copies = rgd != null ? 2 : 1;
    ChannelIo.writeFully(channel, start, ByteBuffer.allocate((int) (tableBytes * copies)));
    nextFree = start + tableBytes * copies;
    channel.force(false);
    WriteSteps.step("table-alloc");
    gd.set(index, start / 512);
    writeDirectoryEntry(usingRedundant ? header.rgdOffset() : header.gdOffset(), index,
        start / 512);
    if (rgd != null) {
      channel.force(false);
      rgd.set(index, (start + tableBytes) / 512);
      writeDirectoryEntry(usingRedundant ? header.gdOffset() : header.rgdOffset(), index,
          (start + tableBytes) / 512);
    }
    WriteSteps.step("directory");
    cache.put(index, GrainTable.empty(gtes));
  }

  private void writeDirectoryEntry(long dirSector, int index, long value) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, (int) value);
    ChannelIo.writeFully(channel, dirSector * 512 + index * 4L, b);
  }

  @Override
  public synchronized void flush() throws IOException {
    if (writable) {
      channel.force(false);
    }
  }

  /**
   * Clears {@code uncleanShutdown} after flushing, if this session set it.
   *
   * @throws IOException on a write error
   */
  @Override
  public synchronized void close() throws IOException {
    if (writable && dirtyMarked && channel.isOpen()) {
      channel.force(false);
      WriteSteps.step("close-flush");
      writeHeader(header.withUncleanShutdown(false));
      channel.force(false);
      WriteSteps.step("header-clean");
      dirtyMarked = false;
    }
  }

  // -----------------------------------------------------------------------------------------
  // Checking

  @Override
  public void check(CheckReport.Builder report) throws IOException {
    String name = "sparse extent " + file.getFileName();
    synchronized (this) {
      for (String w : warnings) {
        report.add(CheckReport.Severity.CORRUPTION, -1, name, w);
      }
      if (header.uncleanShutdown() && !dirtyMarked) {
        report.add(CheckReport.Severity.WARNING, 72, name,
            "uncleanShutdown is set: the extent was not closed cleanly");
      }
    }
    long fileSize = channel.size();
    boolean zeroed = header.hasFlag(SparseExtentHeader.FLAG_ZEROED_GRAIN_GTE);
    long metaEnd = header.overHead() * 512;
    long[] used = new long[64];
    int count = 0;
    for (int i = 0; i < gd.size(); i++) {
      long s = gd.entry(i);
      long rs = rgd == null ? 0 : rgd.entry(i);
      if (s == 0) {
        if (rs != 0) {
          report.add(CheckReport.Severity.WARNING, -1, name, "grain directory entry " + i
              + " is empty but the redundant entry names sector " + rs);
        }
        continue;
      }
      if (s * 512 >= metaEnd) {
        used = add(used, count++, s * 2 + 1);
      }
      if (rs * 512 >= metaEnd && rs != 0) {
        used = add(used, count++, rs * 2 + 1);
      }
      GrainTable t;
      try {
        t = readTable(s);
      } catch (VdiskException e) {
        report.add(CheckReport.Severity.CORRUPTION, s * 512, "grain table", e.getMessage());
        continue;
      }
      GrainTable rt = rs == 0 ? null : readTable(rs);
      for (int k = 0; k < gtes; k++) {
        long e = t.entry(k);
        if (rt != null && rt.entry(k) != e) {
          report.add(CheckReport.Severity.WARNING, rs * 512 + k * 4L, "redundant grain table",
              "entry " + k + " of table " + i + " is " + rt.entry(k) + ", the grain table says "
                  + e);
        }
        if (e == 0 || (e == 1 && zeroed)) {
          continue;
        }
        long grain = (long) i * gtes + k;
        if (grain >= capacityGrains) {
          report.add(CheckReport.Severity.CORRUPTION, s * 512 + k * 4L, "grain table",
              "entry for grain " + grain + " beyond the capacity is allocated");
        } else if (e * 512 >= fileSize) {
          report.add(CheckReport.Severity.CORRUPTION, s * 512 + k * 4L, "grain table",
              "grain " + grain + " points at sector " + e + ", past the end of the file");
        } else if (e * 512 < metaEnd) {
          report.add(CheckReport.Severity.CORRUPTION, s * 512 + k * 4L, "grain table",
              "grain " + grain + " at sector " + e + " overlaps the metadata (overHead "
                  + header.overHead() + ")");
        } else {
          used = add(used, count++, e * 2);
        }
      }
    }
    leaksAndOverlaps(report, name, used, count, fileSize);
  }

  private static long[] add(long[] list, int at, long value) {
    long[] l = at < list.length ? list : java.util.Arrays.copyOf(list, Math.max(16, at * 2));
    l[at] = value;
    return l;
  }

  /**
   * Sorts the grains and tables past the metadata (entries {@code sector * 2 + kind}, kind 0 a
   * grain, 1 a table), reports two that overlap as corruption and the space no grain or table
   * covers as leaked (allocated by an interrupted write, or by another tool).
   */
  private void leaksAndOverlaps(CheckReport.Builder report, String name, long[] used, int count,
      long fileSize) {
    long[] all = java.util.Arrays.copyOf(used, count);
    java.util.Arrays.sort(all);
    long metaEnd = header.overHead() * 512;
    long covered = metaEnd;
    long leaked = 0;
    long firstLeak = -1;
    for (long v : all) {
      long start = (v >>> 1) * 512;
      long length = (v & 1) == 0 ? grainBytes : tableBytes;
      if (start < covered && (v & 1) == 0 && start >= metaEnd) {
        report.add(CheckReport.Severity.CORRUPTION, start, "grain table",
            "the grain at sector " + (v >>> 1) + " overlaps another grain or table");
      } else if (start > covered) {
        leaked += start - covered;
        firstLeak = firstLeak < 0 ? covered : firstLeak;
      }
      covered = Math.max(covered, start + length);
    }
    long end = (fileSize + 511) / 512 * 512;
    if (end > covered) {
      leaked += end - covered;
      firstLeak = firstLeak < 0 ? covered : firstLeak;
    }
    if (leaked > 0) {
      report.add(CheckReport.Severity.LEAK, firstLeak, name,
          leaked + " bytes after the metadata are used by no grain or table (leaked)");
    }
  }
}
