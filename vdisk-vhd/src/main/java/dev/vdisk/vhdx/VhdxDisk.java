package dev.vdisk.vhdx;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.ChainEntry;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.DiskInfo;
import dev.vdisk.core.ImageLock;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsafeToWriteException;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.chain.Parents;
import dev.vdisk.vhdx.internal.Bat;
import dev.vdisk.vhdx.internal.BatEntry;
import dev.vdisk.vhdx.internal.FileParameters;
import dev.vdisk.vhdx.internal.FileTypeIdentifier;
import dev.vdisk.core.util.Guids;
import dev.vdisk.vhdx.internal.ImageFile;
import dev.vdisk.vhdx.internal.MetadataTable;
import dev.vdisk.vhdx.internal.MetadataTableEntry;
import dev.vdisk.vhdx.internal.ParentLocator;
import dev.vdisk.vhdx.internal.RegionTable;
import dev.vdisk.vhdx.internal.RegionTableEntry;
import dev.vdisk.vhdx.internal.VhdxHeader;
import dev.vdisk.vhdx.internal.VhdxLog;
import dev.vdisk.core.util.WriteSteps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An opened VHDX image (MS-VHDX v1.0): fixed, dynamic or differencing.
 *
 * <p>Opening chooses the current header, replays a pending log (into the file on a read-write
 * open; into an in-memory overlay on a read-only open, leaving the file untouched), then reads the
 * region table, the metadata and the BAT. Payload writes go straight to allocated blocks; every
 * metadata change (BAT entries, sector bitmaps) is written as a log entry and flushed before it is
 * applied, and headers change only through the two-header update protocol, so a crash at any
 * point leaves a file that any conforming reader recovers. Each allocating write is one log
 * transaction per block. On close, once everything is flushed, the LogGuid is cleared (as qemu
 * does), so a cleanly closed file needs no replay.
 *
 * <p>Reads are safe from several threads; writes are serialised internally.
 */
public final class VhdxDisk implements VirtualDisk {
  private static final Logger LOG = LoggerFactory.getLogger(VhdxDisk.class);
  private static final long MIB = 1 << 20;
  private static final int SECTOR = 4096;
  /** Largest log this implementation reads into memory to replay. */
  private static final long MAX_LOG_LENGTH = 64 * MIB;
  /** Largest BAT held in memory (entries). */
  private static final long MAX_BAT_ENTRIES = 1L << 26;
  /** Largest virtual size MS-VHDX allows. */
  static final long MAX_VIRTUAL_SIZE = 64L << 40;
  /** How many blocks one allocation query merges at most. */
  private static final int MAX_MERGED_BLOCKS = 1 << 16;

  private static final int KIND_DATA = 0;
  private static final int KIND_ZERO = 1;
  private static final int KIND_PARENT = 2;

  private final VhdxFormat format;
  private final Path path;
  private final FileChannel channel;
  private final ImageFile io;
  private final boolean writable;
  private final OpenOptions options;

  private volatile VhdxHeader header;
  private int headerSlot;
  private RegionTableEntry batRegion;
  private RegionTableEntry metadataRegion;
  private FileParameters parameters;
  private long virtualSize;
  private int logicalSectorSize;
  private int physicalSectorSize;
  private UUID page83;
  private ParentLocator locator;
  private Bat geometry;
  private AtomicLongArray bat;
  private final Map<Long, byte[]> bitmaps = new ConcurrentHashMap<>();
  private VirtualDisk parent;
  private Path parentPath;
  private String logState = "clean";

  private final ReentrantLock writeLock = new ReentrantLock();
  private boolean sessionStarted;
  private long nextSequence = 1;
  private long logHead;
  private boolean closed;

  private VhdxDisk(VhdxFormat format, Path path, FileChannel channel, boolean writable,
      OpenOptions options) {
    this.format = format;
    this.path = path;
    this.channel = channel;
    this.io = new ImageFile(path, channel);
    this.writable = writable;
    this.options = options;
  }

  /**
   * Opens a VHDX file.
   *
   * @param format the format object to report
   * @param path the file
   * @param options read-only or read-write
   * @return the disk
   * @throws IOException if it cannot be opened, is corrupt or uses an unsupported feature
   */
  static VhdxDisk open(VhdxFormat format, Path path, OpenOptions options) throws IOException {
    return open(format, path, options, true);
  }

  /**
   * Opens a VHDX file, optionally without opening its parent (for checks).
   *
   * @param format the format object to report
   * @param path the file
   * @param options read-only or read-write
   * @param withParent whether to open a differencing disk's parent
   * @return the disk
   * @throws IOException if it cannot be opened
   */
  static VhdxDisk open(VhdxFormat format, Path path, OpenOptions options, boolean withParent)
      throws IOException {
    boolean writable = options.writable();
    FileChannel channel = writable
        ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(path, StandardOpenOption.READ);
    VhdxDisk disk = new VhdxDisk(format, path, channel, writable, options);
    try {
      ImageLock.acquire(path, channel, writable);
      disk.load(withParent);
      return disk;
    } catch (IOException | RuntimeException | Error e) {
      try {
        if (disk.parent != null) {
          disk.parent.close();
        }
      } finally {
        channel.close();
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Opening

  private void load(boolean withParent) throws IOException {
    ByteBuffer id = ByteBuffer.allocate(FileTypeIdentifier.SIZE);
    io.read(0, id, "VHDX file type identifier");
    FileTypeIdentifier.parse(id.flip(), path);
    chooseHeader();
    replayLog();
    readRegions();
    readMetadata();
    readBat();
    if (parameters.hasParent() && withParent) {
      openParent();
    }
    LOG.debug("opened {}: {} bytes, block size {}, {} ({})", path, virtualSize,
        parameters.blockSize(), variant(), logState);
  }

  private VhdxHeader readHeader(long offset, List<String> problems) throws IOException {
    try {
      ByteBuffer b = ByteBuffer.allocate(VhdxHeader.SIZE);
      io.read(offset, b, "VHDX header");
      return VhdxHeader.parse(b.flip(), path, offset);
    } catch (CorruptStructureException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private void chooseHeader() throws IOException {
    List<String> problems = new ArrayList<>();
    VhdxHeader h1 = readHeader(VhdxHeader.HEADER1_OFFSET, problems);
    VhdxHeader h2 = readHeader(VhdxHeader.HEADER2_OFFSET, problems);
    if (h1 == null && h2 == null) {
      throw new CorruptStructureException(path, VhdxHeader.HEADER1_OFFSET, "VHDX header",
          "neither header is valid: " + String.join("; ", problems));
    }
    if (h1 != null && h2 != null && h1.sequenceNumber() == h2.sequenceNumber()
        && !h1.equals(h2)) {
      throw new CorruptStructureException(path, VhdxHeader.HEADER2_OFFSET, "VHDX header",
          "both headers have sequence number " + h1.sequenceNumber() + " but differ");
    }
    if (h2 == null || (h1 != null && Long.compareUnsigned(h1.sequenceNumber(),
        h2.sequenceNumber()) >= 0)) {
      header = h1;
      headerSlot = 0;
    } else {
      header = h2;
      headerSlot = 1;
    }
  }

  private void replayLog() throws IOException {
    VhdxHeader h = header;
    if (Guids.isZero(h.logGuid()) || h.logLength() == 0) {
      return;
    }
    if (h.logLength() > MAX_LOG_LENGTH) {
      throw new UnsupportedFeatureException(path, "VHDX log of " + h.logLength() + " bytes",
          "logs larger than " + MAX_LOG_LENGTH + " bytes are not replayed");
    }
    byte[] log = new byte[(int) h.logLength()];
    io.read(h.logOffset(), ByteBuffer.wrap(log), "VHDX log");
    Optional<VhdxLog.Sequence> found = VhdxLog.findActiveSequence(log, h.logGuid());
    if (found.isEmpty()) {
      LOG.debug("{}: LogGuid {} set but the log holds no valid entries", path, h.logGuid());
      return;
    }
    VhdxLog.Sequence sequence = found.get();
    long fileSize = channel.size();
    if (sequence.flushedFileOffset() > fileSize) {
      throw new CorruptStructureException(path, h.logOffset() + sequence.head().logOffset(),
          "VHDX log entry", "FlushedFileOffset " + sequence.flushedFileOffset()
          + " is past the end of the " + fileSize + "-byte file (the file was truncated)");
    }
    List<VhdxLog.Write> writes = new ArrayList<>();
    for (VhdxLog.Entry e : sequence.entries()) {
      writes.addAll(e.writes());
    }
    // A log may grow the file (new blocks), but not absurdly: bound it by 1 TiB past the end.
    long limit = fileSize + (1L << 40);
    for (VhdxLog.Write w : writes) {
      if (w.end() > limit) {
        throw new CorruptStructureException(path, h.logOffset() + sequence.head().logOffset(),
            "VHDX log descriptor", "writes at " + w.fileOffset() + ", far past the file's end");
      }
    }
    if (sequence.lastFileOffset() > limit) {
      throw new CorruptStructureException(path, h.logOffset() + sequence.head().logOffset(),
          "VHDX log entry", "LastFileOffset " + sequence.lastFileOffset()
          + " is far past the file's end");
    }
    if (writable) {
      LOG.info("{}: replaying {} log entries (sequence {} to {})", path,
          sequence.entries().size(), sequence.entries().get(0).header().sequenceNumber(),
          sequence.head().header().sequenceNumber());
      replayIntoFile(writes, sequence.lastFileOffset());
      logState = "replayed";
    } else {
      LOG.info("{}: opened read-only with a pending log; replaying {} entries in memory", path,
          sequence.entries().size());
      io.overlay(writes, sequence.lastFileOffset());
      logState = "replayed-in-memory";
    }
  }

  private void replayIntoFile(List<VhdxLog.Write> writes, long lastFileOffset)
      throws IOException {
    byte[] zeros = new byte[(int) MIB];
    for (VhdxLog.Write w : writes) {
      if (w.sector() != null) {
        io.write(w.fileOffset(), ByteBuffer.wrap(w.sector()));
      } else if (w.zeroLength() > 0) {
        // Zeros past the end of the file need no writing: extending the file makes them.
        long size = channel.size();
        long end = Math.min(w.end(), size);
        for (long at = w.fileOffset(); at < end; at += MIB) {
          int n = (int) Math.min(MIB, end - at);
          io.write(at, ByteBuffer.wrap(zeros, 0, n));
        }
        if (w.end() > size) {
          io.write(w.end() - 1, ByteBuffer.allocate(1));
        }
      }
    }
    io.force();
    WriteSteps.step("replay-flush");
    if (channel.size() < lastFileOffset) {
      io.write(lastFileOffset - 1, ByteBuffer.allocate(1));
      io.force();
    }
    updateHeaders(h -> h.withGuids(UUID.randomUUID(), h.dataWriteGuid(), Guids.ZERO));
  }

  private RegionTable readRegionTable(long offset, List<String> problems) throws IOException {
    try {
      ByteBuffer b = ByteBuffer.allocate(RegionTable.SIZE);
      io.read(offset, b, "VHDX region table");
      return RegionTable.parse(b.flip(), path, offset);
    } catch (CorruptStructureException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private void readRegions() throws IOException {
    List<String> problems = new ArrayList<>();
    RegionTable table = readRegionTable(RegionTable.TABLE1_OFFSET, problems);
    if (table == null) {
      table = readRegionTable(RegionTable.TABLE2_OFFSET, problems);
    }
    if (table == null) {
      throw new CorruptStructureException(path, RegionTable.TABLE1_OFFSET, "VHDX region table",
          "neither copy is valid: " + String.join("; ", problems));
    }
    if (!problems.isEmpty()) {
      LOG.warn("{}: using the second region table: {}", path, problems.get(0));
    }
    for (RegionTableEntry e : table.entries()) {
      if (e.guid().equals(RegionTableEntry.BAT)) {
        batRegion = e;
      } else if (e.guid().equals(RegionTableEntry.METADATA)) {
        metadataRegion = e;
      } else if (e.required()) {
        throw new UnsupportedFeatureException(path, "VHDX region " + e.guid(),
            "the region is marked required and is not defined by MS-VHDX v1.0");
      }
      VhdxHeader h = header;
      if (h.logLength() > 0 && e.fileOffset() < h.logOffset() + h.logLength()
          && h.logOffset() < e.end()) {
        throw new CorruptStructureException(path, RegionTable.TABLE1_OFFSET,
            "VHDX region table entry", "region " + e.guid() + " overlaps the log");
      }
    }
    if (batRegion == null || metadataRegion == null) {
      throw new CorruptStructureException(path, RegionTable.TABLE1_OFFSET, "VHDX region table",
          "the required " + (batRegion == null ? "BAT" : "metadata") + " region is missing");
    }
  }

  private ByteBuffer readItem(MetadataTableEntry e) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) e.length()).order(ByteOrder.LITTLE_ENDIAN);
    io.read(metadataRegion.fileOffset() + e.offset(), b, "VHDX metadata item " + e.itemId());
    return b.flip();
  }

  private void readMetadata() throws IOException {
    long tableOffset = metadataRegion.fileOffset();
    ByteBuffer b = ByteBuffer.allocate(MetadataTable.SIZE);
    io.read(tableOffset, b, "VHDX metadata table");
    MetadataTable table = MetadataTable.parse(b.flip(), metadataRegion.length(), path, tableOffset);
    Long size = null;
    Integer logical = null;
    Integer physical = null;
    for (MetadataTableEntry e : table.entries()) {
      long at = tableOffset + e.offset();
      UUID id = e.itemId();
      if (e.isUser()) {
        continue;
      }
      if (id.equals(MetadataTableEntry.FILE_PARAMETERS)) {
        parameters = FileParameters.parse(readItem(e), path, at);
      } else if (id.equals(MetadataTableEntry.VIRTUAL_DISK_SIZE)) {
        size = readItem(e).getLong(0);
        requireLength(e, 8, at);
      } else if (id.equals(MetadataTableEntry.LOGICAL_SECTOR_SIZE)) {
        requireLength(e, 4, at);
        logical = readItem(e).getInt(0);
      } else if (id.equals(MetadataTableEntry.PHYSICAL_SECTOR_SIZE)) {
        requireLength(e, 4, at);
        physical = readItem(e).getInt(0);
      } else if (id.equals(MetadataTableEntry.PAGE_83_DATA)) {
        requireLength(e, 16, at);
        page83 = Guids.read(readItem(e), 0);
      } else if (id.equals(MetadataTableEntry.PARENT_LOCATOR)) {
        locator = ParentLocator.parse(readItem(e), path, at);
      } else if (e.isRequired()) {
        throw new UnsupportedFeatureException(path, "VHDX metadata item " + id,
            "the item is marked required and is not defined by MS-VHDX v1.0");
      }
    }
    String what = "VHDX metadata table";
    if (parameters == null || size == null || logical == null) {
      throw new CorruptStructureException(path, tableOffset, what, "a required item is missing ("
          + (parameters == null ? "File Parameters" : size == null ? "Virtual Disk Size"
          : "Logical Sector Size") + ")");
    }
    if (logical != 512 && logical != 4096) {
      throw new CorruptStructureException(path, tableOffset, "VHDX logical sector size",
          "logical sector size " + Integer.toUnsignedString(logical) + " (must be 512 or 4096)");
    }
    if (physical == null) {
      physical = logical;
    } else if (physical != 512 && physical != 4096) {
      throw new CorruptStructureException(path, tableOffset, "VHDX physical sector size",
          "physical sector size " + Integer.toUnsignedString(physical)
          + " (must be 512 or 4096)");
    }
    if (size < 0 || size > MAX_VIRTUAL_SIZE || size % logical != 0) {
      throw new CorruptStructureException(path, tableOffset, "VHDX virtual disk size",
          "virtual disk size " + Long.toUnsignedString(size)
          + " is not a multiple of the sector size up to 64 TiB");
    }
    if (parameters.hasParent()) {
      if (locator == null) {
        throw new CorruptStructureException(path, tableOffset, what,
            "differencing disk without a parent locator");
      }
      if (!locator.locatorType().equals(ParentLocator.VHDX_LOCATOR_TYPE)) {
        throw new UnsupportedFeatureException(path, "VHDX parent locator type "
            + locator.locatorType(), "only VHDX parents are supported");
      }
    }
    virtualSize = size;
    logicalSectorSize = logical;
    physicalSectorSize = physical;
  }

  private void requireLength(MetadataTableEntry e, int length, long at)
      throws CorruptStructureException {
    if (e.length() < length) {
      throw new CorruptStructureException(path, at, "VHDX metadata item " + e.itemId(),
          "item is " + e.length() + " bytes, expected " + length);
    }
  }

  private void readBat() throws IOException {
    geometry = new Bat(parameters.blockSize(), logicalSectorSize, virtualSize,
        parameters.hasParent());
    long entries = geometry.totalEntries();
    if (entries > batRegion.length() / 8) {
      throw new CorruptStructureException(path, batRegion.fileOffset(), "VHDX BAT", entries
          + " entries do not fit in the BAT region of " + batRegion.length() + " bytes");
    }
    if (entries > MAX_BAT_ENTRIES) {
      throw new UnsupportedFeatureException(path, "VHDX BAT of " + entries + " entries",
          "too large to hold in memory");
    }
    // Whole 4 KiB sectors, so that logged BAT sectors keep any bytes after the last entry.
    long bytes = Math.min(batRegion.length(), (entries * 8 + SECTOR - 1) / SECTOR * SECTOR);
    bat = new AtomicLongArray((int) (bytes / 8));
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(bytes, MIB)).order(
        ByteOrder.LITTLE_ENDIAN);
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(chunk.capacity(), bytes - done);
      chunk.clear().limit(n);
      io.read(batRegion.fileOffset() + done, chunk, "VHDX BAT");
      chunk.flip();
      for (int i = 0; i < n / 8; i++) {
        bat.set((int) (done / 8 + i), chunk.getLong(i * 8));
      }
      done += n;
    }
  }

  private void openParent() throws IOException {
    Map<String, String> keys = locator.entries();
    List<String> locators = new ArrayList<>();
    for (String key : List.of("relative_path", "absolute_win32_path", "volume_path")) {
      if (keys.containsKey(key)) {
        locators.add(keys.get(key));
      }
    }
    Path found = Parents.locate(path, locators);
    VirtualDisk opened = Parents.open(path, found, options);
    parent = opened;
    parentPath = found;
    if (!(opened instanceof VhdxDisk vhdx)) {
      throw new CorruptStructureException(path, metadataRegion.fileOffset(),
          "VHDX parent locator", "parent " + found + " is a " + opened.format().name()
          + " image, not VHDX");
    }
    UUID linkage = Guids.parse(keys.get("parent_linkage"));
    UUID linkage2 = Guids.parse(keys.get("parent_linkage2"));
    UUID actual = vhdx.dataWriteGuid();
    if (!actual.equals(linkage) && !actual.equals(linkage2)) {
      throw new CorruptStructureException(path, metadataRegion.fileOffset(),
          "VHDX parent locator", "parent_linkage " + keys.get("parent_linkage")
          + " does not match the DataWriteGuid " + Guids.braced(actual) + " of parent " + found
          + " (the parent was changed after this child was made)");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Facts

  VhdxHeader header() {
    return header;
  }

  RegionTableEntry batRegion() {
    return batRegion;
  }

  RegionTableEntry metadataRegion() {
    return metadataRegion;
  }

  Bat geometry() {
    return geometry;
  }

  FileParameters parameters() {
    return parameters;
  }

  BatEntry batEntry(long index) {
    return BatEntry.parse(bat.get((int) index));
  }

  long fileSize() throws IOException {
    return io.size();
  }

  /**
   * The active header's DataWriteGuid, which a child's {@code parent_linkage} names.
   *
   * @return the GUID
   */
  public UUID dataWriteGuid() {
    return header.dataWriteGuid();
  }

  /**
   * The payload block size.
   *
   * @return bytes
   */
  public long blockSize() {
    return parameters.blockSize();
  }

  /**
   * The physical sector size the image declares.
   *
   * @return 512 or 4096
   */
  public int physicalSectorSize() {
    return physicalSectorSize;
  }

  /**
   * What happened to the log on open: {@code "clean"}, {@code "replayed-in-memory"} or {@code
   * "replayed"}.
   *
   * @return the state
   */
  public String logState() {
    return logState;
  }

  private String variant() {
    if (parameters.hasParent()) {
      return "differencing";
    }
    return parameters.leaveBlocksAllocated() ? "fixed" : "dynamic";
  }

  @Override
  public DiskFormat format() {
    return format;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public DiskInfo info() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("blockSize", Long.toString(parameters.blockSize()));
    p.put("logicalSectorSize", Integer.toString(logicalSectorSize));
    p.put("physicalSectorSize", Integer.toString(physicalSectorSize));
    p.put("logState", logState);
    p.put("dataWriteGuid", Guids.braced(header.dataWriteGuid()));
    if (locator != null) {
      String linkage = locator.entries().get("parent_linkage");
      if (linkage != null) {
        p.put("parentLinkage", linkage);
      }
      if (parentPath != null) {
        p.put("parentPath", parentPath.toString());
      }
    }
    List<ChainEntry> chain = new ArrayList<>();
    chain.add(new ChainEntry(path, format.name()));
    if (parent != null) {
      chain.addAll(parent.info().chain());
    }
    long fileSize;
    try {
      fileSize = io.size();
    } catch (IOException e) {
      fileSize = -1;
    }
    return new DiskInfo(format.name(), variant(), virtualSize, fileSize, chain, p);
  }

  @Override
  public Optional<VirtualDisk> parent() {
    return Optional.ofNullable(parent);
  }

  @Override
  public long size() {
    return virtualSize;
  }

  @Override
  public int sectorSize() {
    return logicalSectorSize;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public String description() {
    return path.toString();
  }

  @Override
  public String toString() {
    return "VhdxDisk[" + path + ", " + variant() + ", " + virtualSize + " bytes]";
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** A run inside one block: how it is stored and, for data, where. */
  private record Segment(long length, int kind, long fileOffset) {}

  private BatEntry payloadEntry(long block) {
    return BatEntry.parse(bat.get((int) geometry.payloadIndex(block)));
  }

  private CorruptStructureException batError(long index, String detail) {
    return new CorruptStructureException(path, batRegion.fileOffset() + index * 8,
        "VHDX BAT entry", "entry " + index + ": " + detail);
  }

  private long blockFileOffset(long block, BatEntry e) throws CorruptStructureException {
    long index = geometry.payloadIndex(block);
    if (e.fileOffsetMb() == 0 || e.fileOffsetMb() > (Long.MAX_VALUE >>> 20) - 512) {
      throw batError(index, BatEntry.payloadStateName(e.state()) + " at file offset "
          + e.fileOffset() + ", inside the header section");
    }
    return e.fileOffset();
  }

  private Segment segmentAt(long pos) throws IOException {
    long blockSize = parameters.blockSize();
    long block = pos / blockSize;
    long inBlock = pos % blockSize;
    long blockEnd = Math.min((block + 1) * blockSize, virtualSize);
    long rest = blockEnd - pos;
    BatEntry e = payloadEntry(block);
    boolean differencing = parameters.hasParent();
    switch (e.state()) {
      case BatEntry.PAYLOAD_BLOCK_FULLY_PRESENT:
        return new Segment(rest, KIND_DATA, blockFileOffset(block, e) + inBlock);
      case BatEntry.PAYLOAD_BLOCK_PARTIALLY_PRESENT: {
        long base = blockFileOffset(block, e);
        if (!differencing) {
          return new Segment(rest, KIND_DATA, base + inBlock);
        }
        byte[] bitmap = bitmap(block / geometry.chunkRatio(), false);
        long sector = inBlock / logicalSectorSize;
        long bitBase = (block % geometry.chunkRatio()) * geometry.sectorsPerBlock();
        boolean present = bit(bitmap, bitBase + sector);
        long end = sector + 1;
        long sectors = (blockEnd - block * blockSize + logicalSectorSize - 1) / logicalSectorSize;
        while (end < sectors && bit(bitmap, bitBase + end) == present) {
          end++;
        }
        long length = Math.min(end * logicalSectorSize, blockEnd - block * blockSize) - inBlock;
        return new Segment(length, present ? KIND_DATA : KIND_PARENT, base + inBlock);
      }
      case BatEntry.PAYLOAD_BLOCK_NOT_PRESENT:
        return new Segment(rest, differencing ? KIND_PARENT : KIND_ZERO, 0);
      case BatEntry.PAYLOAD_BLOCK_ZERO:
      case BatEntry.PAYLOAD_BLOCK_UNMAPPED:
      case BatEntry.PAYLOAD_BLOCK_UNDEFINED:
        return new Segment(rest, KIND_ZERO, 0);
      default:
        throw batError(geometry.payloadIndex(block), "invalid payload block state "
            + e.state());
    }
  }

  private static boolean bit(byte[] bitmap, long index) {
    return bitmap != null && (bitmap[(int) (index >>> 3)] & (1 << (index & 7))) != 0;
  }

  /** The sector bitmap block of a chunk, or null when it is not present (all clear). */
  private byte[] bitmap(long chunk, boolean forWrite) throws IOException {
    byte[] cached = bitmaps.get(chunk);
    if (cached != null) {
      return cached;
    }
    long index = geometry.bitmapIndex(chunk);
    BatEntry e = BatEntry.parse(bat.get((int) index));
    if (e.state() == BatEntry.SB_BLOCK_NOT_PRESENT) {
      if (forWrite) {
        return null;
      }
      throw batError(index, "a partially present block's sector bitmap block is not present");
    }
    if (e.state() != BatEntry.SB_BLOCK_PRESENT) {
      throw batError(index, "invalid sector bitmap block state " + e.state());
    }
    if (e.fileOffsetMb() == 0 || e.fileOffsetMb() > (Long.MAX_VALUE >>> 20) - 1) {
      throw batError(index, "sector bitmap block at file offset " + e.fileOffset());
    }
    byte[] bytes = new byte[Bat.BITMAP_BLOCK_SIZE];
    io.read(e.fileOffset(), ByteBuffer.wrap(bytes), "VHDX sector bitmap block");
    bitmaps.putIfAbsent(chunk, bytes);
    return bitmaps.get(chunk);
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BlockDevices.checkRange(this, offset, dst.remaining());
    long pos = offset;
    while (dst.hasRemaining()) {
      Segment s = segmentAt(pos);
      int n = (int) Math.min(s.length(), dst.remaining());
      ByteBuffer part = dst.slice(dst.position(), n);
      switch (s.kind()) {
        case KIND_DATA -> readPayload(s.fileOffset(), part);
        case KIND_PARENT -> readParent(pos, part);
        default -> ImageFile.fillZero(part);
      }
      dst.position(dst.position() + n);
      pos += n;
    }
  }

  private void readPayload(long fileOffset, ByteBuffer part) throws IOException {
    long size = io.size();
    if (fileOffset >= size) {
      throw new CorruptStructureException(path, fileOffset, "VHDX payload block",
          "the BAT points at " + fileOffset + ", past the end of the " + size + "-byte file");
    }
    io.readUnchecked(fileOffset, part);
  }

  private void readParent(long pos, ByteBuffer part) throws IOException {
    long parentSize = parent.size();
    if (pos >= parentSize) {
      ImageFile.fillZero(part);
      return;
    }
    int fromParent = (int) Math.min(part.remaining(), parentSize - pos);
    parent.read(pos, part.slice(part.position(), fromParent));
    ImageFile.fillZero(part.position(part.position() + fromParent));
  }

  @Override
  public Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    Segment first = segmentAt(offset);
    Allocation.State state = stateOf(first.kind());
    long end = offset + first.length();
    for (int merged = 0; end < virtualSize && merged < MAX_MERGED_BLOCKS; merged++) {
      Segment next = segmentAt(end);
      if (stateOf(next.kind()) != state) {
        break;
      }
      end += next.length();
    }
    return new Allocation(offset, end - offset, state);
  }

  private static Allocation.State stateOf(int kind) {
    return switch (kind) {
      case KIND_DATA -> Allocation.State.DATA;
      case KIND_PARENT -> Allocation.State.UNALLOCATED;
      default -> Allocation.State.ZERO;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    writeLock.lock();
    try {
      if (closed) {
        throw new IOException(path + " is closed");
      }
      long pos = offset;
      long blockSize = parameters.blockSize();
      while (src.hasRemaining()) {
        long block = pos / blockSize;
        long inBlock = pos % blockSize;
        int n = (int) Math.min(src.remaining(), blockSize - inBlock);
        ByteBuffer part = src.slice(src.position(), n);
        writeInBlock(block, inBlock, part);
        src.position(src.position() + n);
        pos += n;
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void writeInBlock(long block, long inBlock, ByteBuffer data) throws IOException {
    if (!sessionStarted) {
      beginSession();
    }
    long blockSize = parameters.blockSize();
    long start = block * blockSize + inBlock;
    if (parameters.hasParent()) {
      // Work in whole logical sectors: the sector bitmap has one bit per sector.
      long alignedStart = start - start % logicalSectorSize;
      long end = start + data.remaining();
      long alignedEnd = Math.min(virtualSize,
          (end + logicalSectorSize - 1) / logicalSectorSize * logicalSectorSize);
      if (alignedStart != start || alignedEnd != end) {
        ByteBuffer merged = ByteBuffer.allocate((int) (alignedEnd - alignedStart));
        read(alignedStart, merged);
        merged.put((int) (start - alignedStart), data, data.position(), data.remaining());
        data = merged.clear();
        inBlock = alignedStart - block * blockSize;
      }
    }
    BatEntry e = payloadEntry(block);
    long index = geometry.payloadIndex(block);
    switch (e.state()) {
      case BatEntry.PAYLOAD_BLOCK_FULLY_PRESENT -> {
        io.write(blockFileOffset(block, e) + inBlock, data);
        WriteSteps.step("data-write");
      }
      case BatEntry.PAYLOAD_BLOCK_PARTIALLY_PRESENT -> {
        io.write(blockFileOffset(block, e) + inBlock, data.duplicate());
        WriteSteps.step("data-write");
        if (parameters.hasParent()) {
          io.force();
          WriteSteps.step("data-flush");
          Map<Long, byte[]> dirty = new TreeMap<>();
          setBits(block, inBlock, data.remaining(), dirty, false);
          if (!dirty.isEmpty()) {
            commit(dirty);
          }
        }
      }
      case BatEntry.PAYLOAD_BLOCK_NOT_PRESENT, BatEntry.PAYLOAD_BLOCK_ZERO,
          BatEntry.PAYLOAD_BLOCK_UNMAPPED, BatEntry.PAYLOAD_BLOCK_UNDEFINED -> {
        boolean fromParent = parameters.hasParent()
            && e.state() == BatEntry.PAYLOAD_BLOCK_NOT_PRESENT;
        long fileOffset = allocate(blockSize);
        Map<Long, byte[]> dirty = new TreeMap<>();
        if (fromParent) {
          ensureBitmap(block / geometry.chunkRatio(), dirty);
        }
        io.write(fileOffset + inBlock, data.duplicate());
        WriteSteps.step("data-write");
        io.force();
        WriteSteps.step("data-flush");
        if (fromParent) {
          setBits(block, inBlock, data.remaining(), dirty, true);
        }
        setBatEntry(index, new BatEntry(fromParent ? BatEntry.PAYLOAD_BLOCK_PARTIALLY_PRESENT
            : BatEntry.PAYLOAD_BLOCK_FULLY_PRESENT, fileOffset >>> 20), dirty);
        commit(dirty);
      }
      default -> throw batError(index, "invalid payload block state " + e.state());
    }
  }

  /** Appends a 1 MiB-aligned, zero-filled region at the end of the file. */
  private long allocate(long length) throws IOException {
    long size = channel.size();
    long offset = (size + MIB - 1) / MIB * MIB;
    io.write(offset + length - 1, ByteBuffer.allocate(1));
    WriteSteps.step("extend");
    return offset;
  }

  private void ensureBitmap(long chunk, Map<Long, byte[]> dirty) throws IOException {
    if (bitmap(chunk, true) != null) {
      return;
    }
    long offset = allocate(Bat.BITMAP_BLOCK_SIZE);
    bitmaps.put(chunk, new byte[Bat.BITMAP_BLOCK_SIZE]);
    setBatEntry(geometry.bitmapIndex(chunk),
        new BatEntry(BatEntry.SB_BLOCK_PRESENT, offset >>> 20), dirty);
  }

  /**
   * Marks sectors present in a block's bitmap; with {@code exclusive}, clears the block's other
   * bits (a block newly allocated in a differencing disk).
   */
  private void setBits(long block, long inBlock, int length, Map<Long, byte[]> dirty,
      boolean exclusive) throws IOException {
    long chunk = block / geometry.chunkRatio();
    byte[] bitmap = bitmap(chunk, false);
    long bitBase = (block % geometry.chunkRatio()) * geometry.sectorsPerBlock();
    long first = inBlock / logicalSectorSize;
    long last = (inBlock + length - 1) / logicalSectorSize;
    long from = exclusive ? 0 : first;
    long to = exclusive ? geometry.sectorsPerBlock() - 1 : last;
    long sbOffset = BatEntry.parse(bat.get((int) geometry.bitmapIndex(chunk))).fileOffset();
    for (long s = from; s <= to; s++) {
      long bitIndex = bitBase + s;
      int byteIndex = (int) (bitIndex >>> 3);
      int mask = 1 << (bitIndex & 7);
      boolean want = s >= first && s <= last;
      boolean has = (bitmap[byteIndex] & mask) != 0;
      if (want != has) {
        bitmap[byteIndex] = (byte) (want ? bitmap[byteIndex] | mask : bitmap[byteIndex] & ~mask);
        long sectorStart = byteIndex / SECTOR * SECTOR;
        dirty.put(sbOffset + sectorStart, null);
      }
    }
    for (Map.Entry<Long, byte[]> d : dirty.entrySet()) {
      long rel = d.getKey() - sbOffset;
      if (d.getValue() == null && rel >= 0 && rel < Bat.BITMAP_BLOCK_SIZE) {
        d.setValue(java.util.Arrays.copyOfRange(bitmap, (int) rel, (int) rel + SECTOR));
      }
    }
  }

  private void setBatEntry(long index, BatEntry entry, Map<Long, byte[]> dirty) {
    bat.set((int) index, entry.toLong());
    long sectorFirst = index / (SECTOR / 8) * (SECTOR / 8);
    ByteBuffer sector = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < SECTOR / 8; i++) {
      long j = sectorFirst + i;
      sector.putLong(i * 8, j < bat.length() ? bat.get((int) j) : 0);
    }
    dirty.put(batRegion.fileOffset() + sectorFirst * 8, sector.array());
  }

  /** Sets new write GUIDs and a new LogGuid before the first change of this session. */
  private void beginSession() throws IOException {
    VhdxHeader h = header;
    if (h.logLength() < MIB) {
      throw new UnsafeToWriteException(path, UnsafeToWriteException.Reason.UNSUPPORTED_FEATURE,
          "the image has no log region, so metadata cannot be updated safely");
    }
    UUID logGuid = UUID.randomUUID();
    updateHeaders(x -> x.withGuids(UUID.randomUUID(), UUID.randomUUID(), logGuid));
    nextSequence = 1;
    logHead = 0;
    sessionStarted = true;
  }

  /**
   * Writes metadata sectors through the log: a log entry at the log head, flushed; then the
   * sectors at their places, flushed.
   */
  private void commit(Map<Long, byte[]> dirty) throws IOException {
    VhdxHeader h = header;
    List<Map.Entry<Long, byte[]>> sectors = new ArrayList<>(dirty.entrySet());
    long size = channel.size();
    long entryLength = ((64 + 32L * sectors.size() + SECTOR - 1) / SECTOR + sectors.size())
        * SECTOR;
    if (entryLength > h.logLength()) {
      throw new IOException(path + ": a metadata update of " + sectors.size()
          + " sectors does not fit in the log");
    }
    if (logHead + entryLength > h.logLength()) {
      logHead = 0;
    }
    byte[] entry = VhdxLog.buildEntry(nextSequence, logHead, h.logGuid(), size, size, sectors);
    io.write(h.logOffset() + logHead, ByteBuffer.wrap(entry));
    WriteSteps.step("log-write");
    io.force();
    WriteSteps.step("log-flush");
    for (Map.Entry<Long, byte[]> s : sectors) {
      io.write(s.getKey(), ByteBuffer.wrap(s.getValue()));
      WriteSteps.step("apply-sector");
    }
    io.force();
    WriteSteps.step("apply-flush");
    nextSequence++;
    logHead = (logHead + entryLength) % h.logLength();
  }

  /** The header update protocol: write the non-current header, flush, then the other, flush. */
  private void updateHeaders(UnaryOperator<VhdxHeader> change) throws IOException {
    for (int round = 0; round < 2; round++) {
      VhdxHeader current = header;
      VhdxHeader next = (round == 0 ? change.apply(current) : current)
          .withSequenceNumber(current.sequenceNumber() + 1);
      int slot = 1 - headerSlot;
      long offset = slot == 0 ? VhdxHeader.HEADER1_OFFSET : VhdxHeader.HEADER2_OFFSET;
      io.write(offset, ByteBuffer.wrap(next.toBytes()));
      WriteSteps.step("header-write");
      io.force();
      WriteSteps.step("header-flush");
      header = next;
      headerSlot = slot;
    }
  }

  @Override
  public void flush() throws IOException {
    if (writable) {
      writeLock.lock();
      try {
        io.force();
      } finally {
        writeLock.unlock();
      }
    }
  }

  @Override
  public void close() throws IOException {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (writable && sessionStarted) {
          io.force();
          updateHeaders(h -> h.withGuids(h.fileWriteGuid(), h.dataWriteGuid(), Guids.ZERO));
        }
      } finally {
        try {
          channel.close();
        } finally {
          if (parent != null) {
            parent.close();
          }
        }
      }
    } finally {
      writeLock.unlock();
    }
  }
}
