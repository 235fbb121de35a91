package dev.vdisk.vhd;

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
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.vhd.internal.BlockAllocationTable;
import dev.vdisk.vhd.internal.BlockLayout;
import dev.vdisk.vhd.internal.DynamicDiskHeader;
import dev.vdisk.vhd.internal.FooterSearch;
import dev.vdisk.vhd.internal.HardDiskFooter;
import dev.vdisk.vhd.internal.ParentLocatorEntry;
import dev.vdisk.vhd.internal.ParentLocatorPaths;
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
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An opened VHD image (Microsoft Virtual Hard Disk Image Format Specification): a fixed, dynamic
 * or differencing disk.
 *
 * <h2>Virtual size</h2>
 * The disk's size is the footer's Current Size, as Hyper-V and libvhdi read it. QEMU instead uses
 * the CHS geometry's size for images whose creator application is not one it knows to use
 * Current Size ("win ", "qem2", "d2v ", "CTXS", "tap"), unless the geometry is the maximum
 * 65535/16/255: so for Virtual PC ("vpc "), Virtual Server ("vs  ") and old QEMU ("qemu") images
 * QEMU's size can be smaller (for example 136363130880 instead of 136365211648 bytes for Virtual
 * PC's 127 GiB sample); vdisk does not imitate that.
 *
 * <h2>Reading</h2>
 * A fixed disk's data is the file's first Current Size bytes. A dynamic or differencing disk maps
 * each block through the Block Allocation Table; each allocated block starts with a sector bitmap
 * (one bit per 512-byte sector, most significant bit first, padded to 512 bytes). A sector whose bit
 * is 0 reads from the parent in a differencing disk and as zeros in a dynamic disk, as the
 * specification says ("never been modified") and as libvhdi reads it; QEMU ignores the bitmap of
 * dynamic disks and reads the block's data, which differs only for images whose writer left data
 * under cleared bits. Unallocated blocks read as zeros (dynamic) or from the parent
 * (differencing); parent bytes past the parent's size read as zeros.
 *
 * <h2>Writing</h2>
 * Only when opened with {@link OpenOptions#readWrite()}, never for a disk in a saved state, and
 * only when the footer and header checksums match. Writes are serialised; reads may run
 * concurrently with each other. A write covers whole 4 KiB units (eight sectors, one bitmap byte;
 * whole blocks when blocks are smaller): a partial unit is completed with its current contents (the
 * parent's, for a differencing sector not yet written). Hyper-V writes in 4 KiB units too, and it
 * keeps every bitmap byte 0x00 or 0xFF, which matters because libvhdi (20210425) misreads a bitmap
 * byte in which a set bit is followed by a clear one: it takes the clear sectors as present in this
 * file (reading zeros instead of the parent's data). Bitmap bits of
 * the written sectors are set after their data is written. A new block is allocated at the end of
 * the file in this order, so that a crash leaves either the old image or the old image plus a
 * leaked block (reported by {@link VhdFormat#check}):
 * <ol>
 *   <li>the footer is written again past the new block, at the new end of the file, and flushed
 *       (the old footer, now inside the new block, still describes the same disk);
 *   <li>the block's sector bitmap (with the bits of the sectors being written) is written over the
 *       old footer, then the data; the rest of the block is the file's hole, which reads as zeros;
 *       this is flushed;
 *   <li>the BAT entry is written, making the block part of the disk.
 * </ol>
 * The footer copy at offset 0 never changes, since allocation does not change the footer's
 * contents.
 */
public final class VhdDisk implements VirtualDisk {
  private static final Logger LOG = LoggerFactory.getLogger(VhdDisk.class);

  /** The largest BAT vdisk loads into memory (16 Mi entries, 64 MiB). */
  static final long MAX_TABLE_ENTRIES = 1L << 24;
  /** Bytes of sector bitmaps kept in memory (at least 16 bitmaps). */
  private static final int BITMAP_CACHE_BYTES = 4 << 20;
  private static final int MAX_MERGED_BLOCKS = 1 << 16;
  private static final byte[] ZEROS = new byte[64 * 1024];

  private final Path path;
  private final FileChannel channel;
  private final DiskFormat format;
  private final boolean writable;
  private final HardDiskFooter footer;
  private final DynamicDiskHeader header;
  private final long headerOffset;
  private final BlockAllocationTable bat;
  private final Map<Integer, String> badBlocks;
  private final VirtualDisk parent;
  private final long size;
  private final long blockSize;
  private final int bitmapSize;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Integer, byte[]> bitmapCache =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, byte[]> eldest) {
          return size() > Math.max(16, BITMAP_CACHE_BYTES / Math.max(1, bitmapSize));
        }
      };
  private long footerOffset;
  private boolean closed;

  private VhdDisk(Path path, FileChannel channel, DiskFormat format, boolean writable,
      HardDiskFooter footer, long footerOffset, DynamicDiskHeader header, long headerOffset,
      BlockAllocationTable bat, Map<Integer, String> badBlocks, VirtualDisk parent) {
    this.path = path;
    this.channel = channel;
    this.format = format;
    this.writable = writable;
    this.footer = footer;
    this.footerOffset = footerOffset;
    this.header = header;
    this.headerOffset = headerOffset;
    this.bat = bat;
    this.badBlocks = badBlocks;
    this.parent = parent;
    this.size = footer.currentSize();
    this.blockSize = header == null ? 0 : header.blockSize();
    this.bitmapSize = header == null ? 0 : header.sectorBitmapSize();
  }

  /**
   * Opens a VHD image.
   *
   * @param file the image
   * @param options read-only or read-write; for a differencing disk, the chain opened so far
   * @return the disk
   * @throws CorruptStructureException if a structure is corrupt
   * @throws dev.vdisk.core.chain.MissingParentException if a differencing disk's parent is missing
   * @throws UnsafeToWriteException if writing is asked for a disk in a saved state
   * @throws IOException on an I/O error
   */
  public static VhdDisk open(Path file, OpenOptions options) throws IOException {
    return open(file, options, new VhdFormat());
  }

  static VhdDisk open(Path file, OpenOptions options, DiskFormat format) throws IOException {
    boolean writable = options.writable();
    FileChannel channel = writable
        ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(file, StandardOpenOption.READ);
    VirtualDisk parent = null;
    try {
      ImageLock.acquire(file, channel, writable); // released when the channel closes
      long fileSize = channel.size();
      FooterSearch.Found found = FooterSearch.find(file, channel, fileSize);
      HardDiskFooter footer = found.footer();
      if (writable && footer.savedState()) {
        throw new UnsafeToWriteException(file, UnsafeToWriteException.Reason.HIBERNATED,
            "the hard disk footer's Saved State flag is set: the virtual machine was saved, not "
                + "shut down; resume it and shut it down first");
      }
      if (!found.trailing() || !footer.checksumValid()) {
        String problem = !found.trailing()
            ? "the trailing hard disk footer is damaged; using the copy at offset 0"
            : String.format("checksum 0x%08x does not match", footer.checksum());
        if (writable) {
          throw new CorruptStructureException(file, found.offset(), "hard disk footer",
              problem + "; refusing to write (open it read-only, or repair it)");
        }
        LOG.warn("{}: hard disk footer at offset {}: {}; reading anyway", file, found.offset(),
            problem);
      }
      long footerOffset = found.trailing() ? found.offset() : fileSize;
      if (!footer.isSparse()) {
        if (footer.currentSize() > footerOffset) {
          throw new CorruptStructureException(file, found.offset(), "hard disk footer",
              "current size " + footer.currentSize() + " exceeds the " + footerOffset
                  + " bytes of disk data before the footer");
        }
        LOG.debug("opened fixed VHD {} ({} bytes, {})", file, footer.currentSize(),
            writable ? "read-write" : "read-only");
        return new VhdDisk(file, channel, format, writable, footer, footerOffset, null, -1, null,
            Map.of(), null);
      }
      long headerOffset = footer.dataOffset();
      if (headerOffset < 0 || headerOffset > fileSize - DynamicDiskHeader.SIZE) {
        throw new CorruptStructureException(file, found.offset(), "hard disk footer",
            "data offset " + Long.toUnsignedString(headerOffset)
                + " does not point to a dynamic disk header inside the file");
      }
      DynamicDiskHeader header = DynamicDiskHeader.parse(
          ChannelIo.read(channel, file, headerOffset, DynamicDiskHeader.SIZE,
              "dynamic disk header"), file, headerOffset);
      if (!header.checksumValid()) {
        if (writable) {
          throw new CorruptStructureException(file, headerOffset, "dynamic disk header",
              String.format("checksum 0x%08x does not match; refusing to write",
                  header.checksum()));
        }
        LOG.warn("{}: dynamic disk header checksum 0x{} does not match; reading anyway", file,
            Integer.toHexString(header.checksum()));
      }
      if (header.blockSize() > DynamicDiskHeader.MAX_BLOCK_SIZE) {
        throw new UnsupportedFeatureException(file, "block size " + header.blockSize(),
            "vdisk reads blocks of at most " + DynamicDiskHeader.MAX_BLOCK_SIZE + " bytes");
      }
      long needed = ceilDiv(footer.currentSize(), header.blockSize());
      if (header.maxTableEntries() < needed) {
        throw new CorruptStructureException(file, headerOffset, "dynamic disk header",
            "max table entries " + header.maxTableEntries() + " of " + header.blockSize()
                + " bytes cover less than the current size " + footer.currentSize());
      }
      if (needed > MAX_TABLE_ENTRIES) {
        throw new UnsupportedFeatureException(file, "block allocation table of " + needed
            + " entries", "vdisk loads at most " + MAX_TABLE_ENTRIES + " entries");
      }
      long tableOffset = header.tableOffset();
      if (tableOffset > fileSize - needed * 4) {
        throw new CorruptStructureException(file, headerOffset, "dynamic disk header",
            "block allocation table of " + needed + " entries at offset " + tableOffset
                + " extends past the end of the file (" + fileSize + " bytes)");
      }
      BlockAllocationTable bat = BlockAllocationTable.parse(
          ChannelIo.read(channel, file, tableOffset, (int) (needed * 4),
              "block allocation table"), (int) needed);
      List<BlockLayout.Region> metadata = metadataRegions(footer, headerOffset, header, fileSize);
      Map<Integer, String> bad = BlockLayout.badBlocks(bat, header.blockSize(),
          header.sectorBitmapSize(), footer.currentSize(), footerOffset, metadata);
      if (!bad.isEmpty()) {
        Map.Entry<Integer, String> first = bad.entrySet().iterator().next();
        if (writable) {
          throw new CorruptStructureException(file, tableOffset + 4L * first.getKey(),
              "block allocation table", bad.size() + " bad entries (block " + first.getKey()
                  + ": " + first.getValue() + "); refusing to write");
        }
        LOG.warn("{}: {} bad block allocation table entries; reading them will fail", file,
            bad.size());
      }
      if (footer.diskType() == HardDiskFooter.DIFFERENCING) {
        parent = openParent(file, channel, fileSize, headerOffset, header, options);
      }
      LOG.debug("opened {} VHD {} ({} bytes, {} blocks of {}, {})", footer.variant(), file,
          footer.currentSize(), needed, header.blockSize(), writable ? "read-write" : "read-only");
      return new VhdDisk(file, channel, format, writable, footer, footerOffset, header,
          headerOffset, bat, bad, parent);
    } catch (IOException | RuntimeException e) {
      if (parent != null) {
        try {
          parent.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      channel.close();
      throw e;
    }
  }

  /** The regions of a sparse VHD that blocks must not overlap. */
  static List<BlockLayout.Region> metadataRegions(HardDiskFooter footer, long headerOffset,
      DynamicDiskHeader header, long fileSize) {
    List<BlockLayout.Region> regions = new ArrayList<>();
    regions.add(new BlockLayout.Region(0, HardDiskFooter.SIZE, "hard disk footer copy"));
    regions.add(new BlockLayout.Region(headerOffset, headerOffset + DynamicDiskHeader.SIZE,
        "dynamic disk header"));
    long entries = Math.min(header.maxTableEntries(), fileSize / 4 + 1);
    long tableEnd = header.tableOffset() + BlockAllocationTable.sizeOnDisk(entries);
    regions.add(new BlockLayout.Region(header.tableOffset(), tableEnd, "block allocation table"));
    if (footer.diskType() == HardDiskFooter.DIFFERENCING) {
      for (ParentLocatorEntry locator : header.parentLocators()) {
        int length = locator.platformDataLength();
        long offset = locator.platformDataOffset();
        if (locator.isUsed() && length > 0 && offset >= 0 && offset <= fileSize) {
          regions.add(new BlockLayout.Region(offset, offset + length,
              locator.platformCodeText() + " parent locator data"));
        }
      }
    }
    return regions;
  }

  private static VirtualDisk openParent(Path file, FileChannel channel, long fileSize,
      long headerOffset, DynamicDiskHeader header, OpenOptions options) throws IOException {
    List<String> locators = ParentLocatorPaths.read(file, channel, fileSize, header);
    Path parentPath = Parents.locate(file, locators);
    VirtualDisk parent = Parents.open(file, parentPath, options);
    try {
      if (parent.format().name().equals("vhd")) {
        String parentId = parent.info().properties().get("uniqueId");
        String expected = header.parentUniqueId().toString();
        if (!expected.equals(parentId)) {
          throw new CorruptStructureException(file, headerOffset + 40, "dynamic disk header",
              "parent unique id " + expected + " does not match the unique id " + parentId
                  + " of the parent found at " + parentPath);
        }
      } else {
        LOG.debug("{}: parent {} is {}, not VHD; its unique id is not checked", file, parentPath,
            parent.format().name());
      }
      return parent;
    } catch (IOException | RuntimeException e) {
      parent.close();
      throw e;
    }
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
  public long size() {
    return size;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public Optional<VirtualDisk> parent() {
    return Optional.ofNullable(parent);
  }

  @Override
  public String description() {
    return path.toString();
  }

  /**
   * The hard disk footer the disk was opened with.
   *
   * @return the footer
   */
  HardDiskFooter footer() {
    return footer;
  }

  /**
   * The block size of a dynamic or differencing disk.
   *
   * @return the block size in bytes, or 0 for a fixed disk
   */
  long blockSize() {
    return blockSize;
  }

  /**
   * What the image says about itself. Properties, where they apply: {@code blockSize}, {@code
   * creatorApplication}, {@code creatorVersion}, {@code creatorHostOs}, {@code uniqueId}, {@code
   * parentUniqueId}, {@code parentName}, {@code geometry} (C/H/S), {@code originalSize}, {@code
   * savedState}.
   *
   * @return the facts
   */
  @Override
  public DiskInfo info() {
    Map<String, String> properties = new LinkedHashMap<>();
    if (header != null) {
      properties.put("blockSize", Long.toString(blockSize));
    }
    properties.put("creatorApplication", HardDiskFooter.fourCc(footer.creatorApplication()));
    properties.put("creatorVersion", footer.creatorVersionText());
    properties.put("creatorHostOs", HardDiskFooter.fourCc(footer.creatorHostOs()));
    properties.put("uniqueId", footer.uniqueId().toString());
    if (footer.diskType() == HardDiskFooter.DIFFERENCING) {
      properties.put("parentUniqueId", header.parentUniqueId().toString());
      properties.put("parentName", header.parentUnicodeName());
    }
    properties.put("geometry", footer.geometry().toString());
    properties.put("originalSize", Long.toString(footer.originalSize()));
    properties.put("savedState", Boolean.toString(footer.savedState()));
    List<ChainEntry> chain = new ArrayList<>();
    chain.add(new ChainEntry(path, format.name()));
    if (parent != null) {
      chain.addAll(parent.info().chain());
    }
    long fileSize;
    try {
      fileSize = channel.size();
    } catch (IOException e) {
      fileSize = -1;
    }
    return new DiskInfo(format.name(), footer.variant(), size, fileSize, chain, properties);
  }

  // ---------------------------------------------------------------- reading

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    BlockDevices.checkRange(this, offset, dst.remaining());
    lock.readLock().lock();
    try {
      readUnlocked(offset, dst);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void readUnlocked(long offset, ByteBuffer dst) throws IOException {
    if (header == null) {
      ChannelIo.readFully(channel, path, offset, dst, "disk data");
      return;
    }
    long position = offset;
    while (dst.hasRemaining()) {
      int index = (int) (position / blockSize);
      int inBlock = (int) (position % blockSize);
      int n = (int) Math.min(dst.remaining(), blockSize - inBlock);
      ByteBuffer part = dst.slice(dst.position(), n);
      readInBlock(index, inBlock, part);
      dst.position(dst.position() + n);
      position += n;
    }
  }

  private void readInBlock(int index, int inBlock, ByteBuffer part) throws IOException {
    long blockStart = (long) index * blockSize;
    long sector = bat.sector(index);
    if (sector < 0) {
      readAbsent(blockStart + inBlock, part);
      return;
    }
    checkBlock(index);
    byte[] bitmap = bitmap(index, sector);
    long dataStart = sector * 512 + bitmapSize;
    int position = inBlock;
    int end = inBlock + part.remaining();
    while (position < end) {
      boolean set = bit(bitmap, position / 512);
      int runEnd = Math.min(end, (position / 512 + 1) * 512);
      while (runEnd < end && bit(bitmap, runEnd / 512) == set) {
        runEnd = Math.min(end, runEnd + 512);
      }
      ByteBuffer run = part.slice(position - inBlock, runEnd - position);
      if (set) {
        ChannelIo.readFully(channel, path, dataStart + position, run, "data block");
      } else {
        readAbsent(blockStart + position, run);
      }
      position = runEnd;
    }
  }

  /** Fills {@code dst} with what this layer does not store: the parent's bytes, or zeros. */
  private void readAbsent(long offset, ByteBuffer dst) throws IOException {
    if (parent != null && offset < parent.size()) {
      int fromParent = (int) Math.min(dst.remaining(), parent.size() - offset);
      ByteBuffer part = dst.slice(dst.position(), fromParent);
      parent.read(offset, part);
      dst.position(dst.position() + fromParent);
    }
    while (dst.hasRemaining()) {
      dst.put(ZEROS, 0, Math.min(ZEROS.length, dst.remaining()));
    }
  }

  private void checkBlock(int index) throws CorruptStructureException {
    String problem = badBlocks.get(index);
    if (problem != null) {
      throw new CorruptStructureException(path, header.tableOffset() + 4L * index,
          "block allocation table", "entry for block " + index + ": " + problem);
    }
  }

  private byte[] bitmap(int index, long sector) throws IOException {
    synchronized (bitmapCache) {
      byte[] cached = bitmapCache.get(index);
      if (cached != null) {
        return cached;
      }
    }
    ByteBuffer buffer = ChannelIo.read(channel, path, sector * 512, bitmapSize, "sector bitmap");
    byte[] bitmap = buffer.array();
    synchronized (bitmapCache) {
      bitmapCache.put(index, bitmap);
    }
    return bitmap;
  }

  private static boolean bit(byte[] bitmap, int sector) {
    return (bitmap[sector >>> 3] & (0x80 >>> (sector & 7))) != 0;
  }

  private static void setBit(byte[] bitmap, int sector) {
    bitmap[sector >>> 3] |= (byte) (0x80 >>> (sector & 7));
  }

  // ---------------------------------------------------------------- allocation

  /**
   * Describes the run at {@code offset}: a fixed disk is all {@link Allocation.State#DATA}; in a
   * dynamic disk, sectors of allocated blocks whose bitmap bit is set are DATA and everything else
   * is {@link Allocation.State#ZERO}; in a differencing disk, sectors whose bit is set are DATA and
   * everything else is {@link Allocation.State#UNALLOCATED} (read from the parent). Adjacent runs
   * of the same state are merged (across at most 65536 blocks per call).
   */
  @Override
  public Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    if (header == null) {
      return new Allocation(offset, size - offset, Allocation.State.DATA);
    }
    lock.readLock().lock();
    try {
      Allocation.State state = null;
      long position = offset;
      long firstBlock = offset / blockSize;
      while (position < size && position / blockSize - firstBlock < MAX_MERGED_BLOCKS) {
        int index = (int) (position / blockSize);
        long blockStart = (long) index * blockSize;
        long blockEnd = Math.min(size, blockStart + blockSize);
        long sector = bat.sector(index);
        Allocation.State here;
        long runEnd;
        if (sector < 0) {
          here = absentState();
          runEnd = blockEnd;
        } else {
          checkBlock(index);
          byte[] bitmap = bitmap(index, sector);
          int s = (int) ((position - blockStart) / 512);
          boolean set = bit(bitmap, s);
          here = set ? Allocation.State.DATA : absentState();
          long end = blockStart + (s + 1) * 512L;
          while (end < blockEnd && bit(bitmap, (int) ((end - blockStart) / 512)) == set) {
            end += 512;
          }
          runEnd = Math.min(end, blockEnd);
        }
        if (state == null) {
          state = here;
        } else if (here != state) {
          break;
        }
        position = runEnd;
      }
      return new Allocation(offset, position - offset, state);
    } finally {
      lock.readLock().unlock();
    }
  }

  private Allocation.State absentState() {
    return parent != null || footer.diskType() == HardDiskFooter.DIFFERENCING
        ? Allocation.State.UNALLOCATED
        : Allocation.State.ZERO;
  }

  // ---------------------------------------------------------------- writing

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    lock.writeLock().lock();
    try {
      if (closed) {
        throw new IOException(path + " is closed");
      }
      if (header == null) {
        ChannelIo.writeFully(channel, offset, src);
        return;
      }
      long position = offset;
      while (src.hasRemaining()) {
        int index = (int) (position / blockSize);
        int inBlock = (int) (position % blockSize);
        int n = (int) Math.min(src.remaining(), blockSize - inBlock);
        ByteBuffer part = src.slice(src.position(), n);
        writeInBlock(index, inBlock, part);
        src.position(src.position() + n);
        position += n;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void writeInBlock(int index, int inBlock, ByteBuffer data) throws IOException {
    long blockStart = (long) index * blockSize;
    int n = data.remaining();
    // Whole 4 KiB units (8 sectors, one bitmap byte), completed with the current contents, so that
    // every bitmap byte is 0x00 or 0xFF (see the class comment on libvhdi).
    int unit = (int) Math.min(blockSize, 4096);
    int low = inBlock / unit * unit;
    int high = (int) Math.min(blockSize, ((long) inBlock + n + unit - 1) / unit * unit);
    int firstSector = low / 512;
    int endSector = high / 512;
    byte[] sectors = new byte[high - low];
    if (inBlock > low) {
      readCurrent(blockStart + low, sectors, 0, inBlock - low);
    }
    if (inBlock + n < high) {
      readCurrent(blockStart + inBlock + n, sectors, inBlock + n - low, high - inBlock - n);
    }
    data.get(sectors, inBlock - low, n);
    long sector = bat.sector(index);
    if (sector < 0) {
      allocate(index, firstSector, endSector, sectors);
      return;
    }
    checkBlock(index);
    long bitmapStart = sector * 512;
    ChannelIo.writeFully(channel, bitmapStart + bitmapSize + firstSector * 512L,
        ByteBuffer.wrap(sectors));
    byte[] bitmap = bitmap(index, sector);
    boolean changed = false;
    for (int s = firstSector; s < endSector && !changed; s++) {
      changed = !bit(bitmap, s);
    }
    if (changed) {
      byte[] updated = bitmap.clone();
      for (int s = firstSector; s < endSector; s++) {
        setBit(updated, s);
      }
      int from = firstSector >>> 3;
      int to = ((endSector - 1) >>> 3) + 1;
      ChannelIo.writeFully(channel, bitmapStart + from, ByteBuffer.wrap(updated, from, to - from));
      synchronized (bitmapCache) {
        bitmapCache.put(index, updated);
      }
    }
  }

  /** Reads current contents into {@code into}; bytes past the end of the disk stay 0. */
  private void readCurrent(long offset, byte[] into, int at, int length) throws IOException {
    int n = (int) Math.max(0, Math.min(length, size - offset));
    if (n > 0) {
      readUnlocked(offset, ByteBuffer.wrap(into, at, n));
    }
  }

  private void allocate(int index, int firstSector, int endSector, byte[] sectors)
      throws IOException {
    long start = (footerOffset + 511) / 512 * 512;
    if (start / 512 >= 0xFFFF_FFFFL) {
      throw new UnsupportedFeatureException(path, "block allocation beyond 2 TiB",
          "the block allocation table cannot address file offset " + start);
    }
    long newFooterOffset = start + bitmapSize + blockSize;
    ChannelIo.writeFully(channel, newFooterOffset, ByteBuffer.wrap(footer.toBytes()));
    channel.force(false);
    byte[] bitmap = new byte[bitmapSize];
    for (int s = firstSector; s < endSector; s++) {
      setBit(bitmap, s);
    }
    ChannelIo.writeFully(channel, start, ByteBuffer.wrap(bitmap));
    ChannelIo.writeFully(channel, start + bitmapSize + firstSector * 512L,
        ByteBuffer.wrap(sectors));
    channel.force(false);
    ByteBuffer entry = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN);
    entry.putInt(0, (int) (start / 512));
    ChannelIo.writeFully(channel, header.tableOffset() + 4L * index, entry);
    bat.set(index, start / 512);
    footerOffset = newFooterOffset;
    synchronized (bitmapCache) {
      bitmapCache.put(index, bitmap);
    }
    LOG.trace("{}: allocated block {} at file offset {}", path, index, start);
  }

  @Override
  public void flush() throws IOException {
    if (writable) {
      lock.writeLock().lock();
      try {
        if (!closed) {
          channel.force(true);
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Closes the image and its parent chain. Closing twice has no effect. */
  @Override
  public void close() throws IOException {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (writable && channel.isOpen()) {
          channel.force(true);
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
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "VhdDisk[" + path + ", " + footer.variant() + ", " + size + " bytes]";
  }

  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }
}
