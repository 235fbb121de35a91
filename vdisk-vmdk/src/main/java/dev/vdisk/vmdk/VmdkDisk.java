package dev.vdisk.vmdk;

import dev.vdisk.core.Allocation;
import dev.vdisk.core.BlockDevices;
import dev.vdisk.core.ChainEntry;
import dev.vdisk.core.CheckReport;
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
import dev.vdisk.vmdk.internal.Descriptor;
import dev.vdisk.vmdk.internal.Extent;
import dev.vdisk.vmdk.internal.ExtentDescription;
import dev.vdisk.vmdk.internal.FlatExtent;
import dev.vdisk.vmdk.internal.HostedSparseExtent;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import dev.vdisk.core.util.WriteSteps;
import dev.vdisk.vmdk.internal.ZeroExtent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open VMDK image: a descriptor (standalone, or embedded in a monolithic sparse file) and its
 * extents laid end to end, optionally on top of a parent disk (a delta disk found through {@code
 * parentFileNameHint} and checked by {@code parentCID}).
 *
 * <p>Writing: the first write marks every sparse extent's {@code uncleanShutdown}, gives the
 * descriptor a new random {@code CID} (so deltas of this disk see that it changed), then writes;
 * {@link #close()} clears {@code uncleanShutdown}. An image found with {@code uncleanShutdown}
 * set reads normally; opening it for writing checks its grain tables first and refuses with
 * {@link UnsafeToWriteException} if they are damaged (leaked grains are harmless). An image with
 * changed-block tracking ({@code changeTrackPath}) is refused for writing: the tracking file would
 * go stale.
 */
public final class VmdkDisk implements VirtualDisk {
  private static final Logger LOG = LoggerFactory.getLogger(VmdkDisk.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where the descriptor lives. */
  private record DescriptorPlace(FileChannel channel, long offset, long capacity) {}

  private final VmdkFormat format;
  private final Path path;
  private final OpenOptions options;
  private final boolean writable;
  private final Descriptor descriptor;
  private final DescriptorPlace descriptorPlace;
  private final List<Extent> extents;
  private final long[] starts;
  private final long size;
  private final Map<Path, FileChannel> channels;
  private final List<String> warnings;
  private final int version;
  private VirtualDisk parent;
  private Path parentPath;
  private boolean cidMismatch;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean writeStarted;
  private boolean closed;

  private VmdkDisk(VmdkFormat format, Path path, OpenOptions options, Descriptor descriptor,
      DescriptorPlace place, List<Extent> extents, Map<Path, FileChannel> channels,
      List<String> warnings, int version) {
    this.format = format;
    this.path = path;
    this.options = options;
    this.writable = options.writable();
    this.descriptor = descriptor;
    this.descriptorPlace = place;
    this.extents = extents;
    this.channels = channels;
    this.warnings = warnings;
    this.version = version;
    this.starts = new long[extents.size() + 1];
    long at = 0;
    for (int i = 0; i < extents.size(); i++) {
      starts[i] = at;
      at += extents.get(i).size();
    }
    starts[extents.size()] = at;
    this.size = at;
  }

  // -----------------------------------------------------------------------------------------
  // Opening

  static VmdkDisk open(VmdkFormat format, Path path, OpenOptions options) throws IOException {
    Map<Path, FileChannel> channels = new LinkedHashMap<>();
    List<Extent> extents = new ArrayList<>();
    boolean ok = false;
    try {
      VmdkDisk disk = openUnchecked(format, path, options, channels, extents);
      ok = true;
      return disk;
    } finally {
      if (!ok) {
        for (Extent e : extents) {
          try {
            e.close();
          } catch (IOException ignored) {
            // already failing
          }
        }
        for (FileChannel c : channels.values()) {
          try {
            c.close();
          } catch (IOException ignored) {
            // already failing
          }
        }
      }
    }
  }

  private static FileChannel channel(Path file, boolean writable, Map<Path, FileChannel> channels)
      throws IOException {
    Path key = file.toAbsolutePath().normalize();
    FileChannel c = channels.get(key);
    if (c == null) {
      c = writable
          ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
          : FileChannel.open(file, StandardOpenOption.READ);
      channels.put(key, c);
      ImageLock.acquire(file, c, writable);
    }
    return c;
  }

  private static VmdkDisk openUnchecked(VmdkFormat format, Path path, OpenOptions options,
      Map<Path, FileChannel> channels, List<Extent> extents) throws IOException {
    boolean writable = options.writable();
    FileChannel main = channel(path, writable, channels);
    long fileSize = main.size();
    ByteBuffer first = ByteBuffer.allocate(SparseExtentHeader.SIZE);
    ChannelIo.readZeroPadded(main, 0, first);
    first.flip();
    int magic = first.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    Descriptor descriptor;
    DescriptorPlace place;
    SparseExtentHeader mainHeader = null;
    if (magic == SparseExtentHeader.MAGIC && fileSize >= SparseExtentHeader.SIZE) {
      mainHeader = SparseExtentHeader.parse(path, first);
      if (mainHeader.descriptorOffset() != 0 && mainHeader.descriptorSize() != 0) {
        long at = mainHeader.descriptorOffset() * 512;
        long bytes = mainHeader.descriptorSize() * 512;
        if (bytes > Descriptor.MAX_SIZE || at + bytes > fileSize) {
          throw new CorruptStructureException(path, 28, "sparse extent header",
              "embedded descriptor (" + bytes + " bytes at " + at + ") does not fit in the "
                  + fileSize + "-byte file or is too large");
        }
        ByteBuffer d = ByteBuffer.allocate((int) bytes);
        ChannelIo.readZeroPadded(main, at, d);
        descriptor = Descriptor.parse(path, at, d.flip());
        place = new DescriptorPlace(main, at, bytes);
      } else {
        // A sparse extent without a descriptor (such as a twoGbMaxExtentSparse part): one extent.
        descriptor = Descriptor.parse(path, -1, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
            + "parentCID=ffffffff\ncreateType=\"monolithicSparse\"\nRW " + mainHeader.capacity()
            + " SPARSE \"" + path.getFileName() + "\"\n");
        place = null;
      }
    } else if (VmdkFormat.isCowd(first) || VmdkFormat.isSeSparse(first)) {
      // An ESXi delta file opened without its descriptor: its own extent, without a parent.
      boolean cowd = VmdkFormat.isCowd(first);
      Extent e = cowd ? Streams.openCowd(path, main) : Streams.openSeSparse(path, main);
      extents.add(e);
      descriptor = Descriptor.parse(path, -1, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
          + "parentCID=ffffffff\ncreateType=\"" + (cowd ? "vmfsSparse" : "seSparse") + "\"\nRW "
          + e.size() / 512 + (cowd ? " VMFSSPARSE \"" : " SESPARSE \"") + path.getFileName()
          + "\"\n");
      return new VmdkDisk(format, path, options, descriptor, null, extents, channels,
          new ArrayList<>(), 0);
    } else {
      if (fileSize > Descriptor.MAX_SIZE) {
        throw new CorruptStructureException(path, 0, "VMDK descriptor",
            "a " + fileSize + "-byte file is too large for a descriptor");
      }
      ByteBuffer d = ByteBuffer.allocate((int) fileSize);
      ChannelIo.readZeroPadded(main, 0, d);
      descriptor = Descriptor.parse(path, 0, d.flip());
      place = new DescriptorPlace(main, 0, -1);
    }
    List<ExtentDescription> list = descriptor.extents();
    if (list.isEmpty()) {
      throw new CorruptStructureException(path, place == null ? -1 : place.offset(),
          "VMDK descriptor", "no extents");
    }
    if (writable && descriptor.get("changeTrackPath").filter(s -> !s.isBlank()).isPresent()) {
      throw new UnsafeToWriteException(path, UnsafeToWriteException.Reason.UNSUPPORTED_FEATURE,
          "changed-block tracking is enabled (changeTrackPath=" + descriptor.get("changeTrackPath")
              .get() + "); writing would make the tracking file stale: disable CBT first");
    }
    List<String> warnings = new ArrayList<>();
    Path dir = path.toAbsolutePath().getParent();
    if (mainHeader != null) {
      // A sparse file with its own header is its only extent, whatever name the embedded
      // descriptor gives it (the file may have been renamed), as qemu and VMware read it.
      list = List.of(new ExtentDescription(ExtentDescription.Access.RW, mainHeader.capacity(),
          ExtentDescription.Type.SPARSE, path.getFileName().toString(), 0));
    }
    long total = 0;
    for (ExtentDescription ed : list) {
      total += ed.bytes();
      if (total > SparseExtentHeader.MAX_CAPACITY_SECTORS * 512) {
        throw new CorruptStructureException(path, -1, "VMDK descriptor",
            "extents add up to more than " + SparseExtentHeader.MAX_CAPACITY_SECTORS + " sectors");
      }
      extents.add(openExtent(path, dir, ed, writable, channels, main, mainHeader, warnings));
    }
    int version = mainHeader == null ? 0 : mainHeader.version();
    VmdkDisk disk = new VmdkDisk(format, path, options, descriptor, place, extents, channels,
        warnings, version);
    for (Extent e : extents) {
      if (e instanceof HostedSparseExtent hs) {
        warnings.addAll(hs.warnings());
        if (hs.header().uncleanShutdown()) {
          LOG.warn("{}: uncleanShutdown is set (not closed cleanly)", hs.file());
          if (writable) {
            CheckReport.Builder b = new CheckReport.Builder(hs.file(), "vmdk", 10);
            hs.check(b);
            CheckReport r = b.build();
            if (!r.isClean()) {
              throw new UnsafeToWriteException(hs.file(), UnsafeToWriteException.Reason.DIRTY,
                  "uncleanShutdown is set and the grain tables are damaged: "
                      + r.problems().get(0).message());
            }
          }
        }
      }
    }
    try {
      disk.openParent();
    } catch (IOException | RuntimeException e) {
      disk.closeQuietly();
      throw e;
    }
    if (disk.parent == null) {
      for (Extent e : extents) {
        if (e instanceof HostedSparseExtent hs) {
          hs.setZerosReadAsUnallocated(true);
        }
      }
    }
    return disk;
  }

  private static Extent openExtent(Path path, Path dir, ExtentDescription ed, boolean writable,
      Map<Path, FileChannel> channels, FileChannel main, SparseExtentHeader mainHeader,
      List<String> warnings) throws IOException {
    boolean extWritable = writable && ed.access() == ExtentDescription.Access.RW;
    if (ed.access() == ExtentDescription.Access.NOACCESS) {
      throw new UnsupportedFeatureException(path, "NOACCESS extent",
          "the descriptor denies access to " + ed.fileName());
    }
    switch (ed.type()) {
      case ZERO:
        return new ZeroExtent(path, ed.bytes());
      case VMFSRDM:
      case VMFSRAW:
        throw new UnsupportedFeatureException(path, "VMDK extent type " + ed.type(),
            "a raw device mapping's data lives on a LUN of the ESXi host, not in an image file");
      default:
        break;
    }
    Path file = dir.resolve(ed.fileName()).normalize();
    if (!Files.exists(file)) {
      throw new CorruptStructureException(path, -1, "VMDK descriptor",
          "extent file " + ed.fileName() + " not found (looked at " + file + ")");
    }
    if (Files.isDirectory(file)) {
      throw new CorruptStructureException(path, -1, "VMDK descriptor",
          "extent file " + ed.fileName() + " is a directory");
    }
    FileChannel ch = channel(file, writable, channels);
    switch (ed.type()) {
      case FLAT:
      case VMFS:
        return new FlatExtent(file, ch, ed.offset() * 512, ed.bytes(), extWritable);
      case SPARSE: {
        ByteBuffer h = ByteBuffer.allocate(SparseExtentHeader.SIZE);
        ChannelIo.readZeroPadded(ch, 0, h);
        SparseExtentHeader header = SparseExtentHeader.parse(file, h.flip());
        if (header.hasFlag(SparseExtentHeader.FLAG_COMPRESSED_GRAINS)
            || header.hasFlag(SparseExtentHeader.FLAG_MARKERS)
            || header.gdOffset() == SparseExtentHeader.GD_AT_END) {
          return Streams.open(file, ch, header);
        }
        if (extWritable && header.version() == 3) {
          throw new UnsafeToWriteException(file,
              UnsafeToWriteException.Reason.UNSUPPORTED_FEATURE,
              "a version 3 sparse extent may carry changed-block tracking state that writing"
                  + " would make stale (qemu refuses to write it too); open it read-only");
        }
        return HostedSparseExtent.open(file, ch, header, ed.bytes(), extWritable);
      }
      case VMFSSPARSE:
        return Streams.openCowd(file, ch);
      case SESPARSE:
        return Streams.openSeSparse(file, ch);
      default:
        throw new UnsupportedFeatureException(path, "VMDK extent type " + ed.type(), "");
    }
  }

  /**
   * A disk over an extent being written from scratch (a streamOptimized writer): no descriptor
   * rewrite, no parent.
   */
  static VmdkDisk wrapNew(VmdkFormat format, Path path, String descriptorText, Extent extent,
      FileChannel channel) throws IOException {
    Map<Path, FileChannel> channels = new LinkedHashMap<>();
    channels.put(path.toAbsolutePath().normalize(), channel);
    List<Extent> extents = new ArrayList<>(List.of(extent));
    return new VmdkDisk(format, path, OpenOptions.readWrite(),
        Descriptor.parse(path, -1, descriptorText), null, extents, channels, new ArrayList<>(), 3);
  }

  private void openParent() throws IOException {
    long parentCid = descriptor.parentCid(path);
    Optional<String> hint = descriptor.parentFileNameHint();
    if (hint.isEmpty()) {
      if (parentCid != Descriptor.NO_PARENT_CID) {
        LOG.debug("{}: parentCID {} without parentFileNameHint; no parent", path,
            Descriptor.formatCid(parentCid));
      }
      return;
    }
    Path found = Parents.locate(path, List.of(hint.get()));
    VirtualDisk opened = Parents.open(path, found, options);
    parent = opened;
    parentPath = found;
    if (!(opened instanceof VmdkDisk vp)) {
      return;
    }
    long actual = vp.cid();
    if (actual != parentCid) {
      cidMismatch = true;
      if (!options.ignoreParentMismatch()) {
        throw new CidMismatchException(path, found, parentCid, actual);
      }
      String w = String.format("parentCID %08x does not match the parent's CID %08x (ignored)",
          parentCid, actual);
      LOG.warn("{}: {}", path, w);
      warnings.add(w);
    }
  }

  // -----------------------------------------------------------------------------------------
  // Facts

  /**
   * The descriptor's content ID.
   *
   * @return the CID (32 bits)
   * @throws CorruptStructureException if the descriptor has none
   */
  public long cid() throws CorruptStructureException {
    lock.readLock().lock();
    try {
      return descriptor.cid(path);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The descriptor's {@code createType}, such as {@code monolithicSparse}.
   *
   * @return the create type
   */
  public String createType() {
    return descriptor.createType();
  }

  /**
   * Whether the parent's CID did not match (only when opened with {@code
   * ignoringParentMismatch}).
   *
   * @return whether the chain link is broken
   */
  public boolean cidMismatch() {
    return cidMismatch;
  }

  /**
   * Problems found while opening: damaged directories or tables replaced by redundant copies, an
   * ignored CID mismatch.
   *
   * @return the messages
   */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  List<Extent> extents() {
    return extents;
  }

  Descriptor descriptor() {
    return descriptor;
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
    p.put("createType", descriptor.createType());
    try {
      p.put("CID", Descriptor.formatCid(descriptor.cid(path)));
      p.put("parentCID", Descriptor.formatCid(descriptor.parentCid(path)));
    } catch (CorruptStructureException e) {
      p.put("CID", "invalid");
    }
    descriptor.parentFileNameHint().ifPresent(h -> p.put("parentFileNameHint", h));
    if (parentPath != null) {
      p.put("parentPath", parentPath.toString());
    }
    p.put("extents", Integer.toString(extents.size()));
    for (Extent e : extents) {
      if (e instanceof HostedSparseExtent hs) {
        p.put("sparseVersion", Integer.toString(hs.header().version()));
        p.put("grainSize", Long.toString(hs.grainBytes()));
        p.put("uncleanShutdown", Boolean.toString(hs.header().uncleanShutdown()));
        break;
      }
    }
    descriptor.get("ddb.adapterType").ifPresent(a -> p.put("adapterType", a));
    descriptor.get("changeTrackPath").ifPresent(a -> p.put("changeTrackPath", a));
    if (!warnings.isEmpty()) {
      p.put("warnings", String.join("; ", warnings));
    }
    List<ChainEntry> chain = new ArrayList<>();
    chain.add(new ChainEntry(path, format.name()));
    if (parent != null) {
      chain.addAll(parent.info().chain());
    }
    long fileSize = 0;
    for (FileChannel c : channels.values()) {
      try {
        fileSize += c.size();
      } catch (IOException e) {
        fileSize = -1;
        break;
      }
    }
    String variant = descriptor.createType().isEmpty() ? "unknown" : descriptor.createType();
    return new DiskInfo(format.name(), variant, size, fileSize, chain, p);
  }

  @Override
  public Optional<VirtualDisk> parent() {
    return Optional.ofNullable(parent);
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
  public String description() {
    return path.toString();
  }

  @Override
  public String toString() {
    return "VmdkDisk[" + path + ", " + descriptor.createType() + ", " + size + " bytes]";
  }

  // -----------------------------------------------------------------------------------------
  // Reading

  private int extentAt(long offset) {
    int lo = 0;
    int hi = extents.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

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
    long pos = offset;
    while (dst.hasRemaining()) {
      int i = extentAt(pos);
      Extent e = extents.get(i);
      long rel = pos - starts[i];
      int n = (int) Math.min(dst.remaining(), e.size() - rel);
      if (n <= 0) {
        // zero-sized extent: skip it
        continue;
      }
      ByteBuffer part = dst.slice(dst.position(), n);
      if (parent == null) {
        e.read(rel, part);
      } else {
        readWithParent(e, rel, pos, part);
      }
      dst.position(dst.position() + n);
      pos += n;
    }
  }

  private void readWithParent(Extent e, long rel, long pos, ByteBuffer part) throws IOException {
    while (part.hasRemaining()) {
      Allocation a = e.allocation(rel);
      int n = (int) Math.min(a.length(), part.remaining());
      ByteBuffer piece = part.slice(part.position(), n);
      if (a.state() == Allocation.State.UNALLOCATED) {
        long parentSize = parent.size();
        int fromParent = (int) Math.max(0, Math.min(n, parentSize - pos));
        if (fromParent > 0) {
          parent.read(pos, piece.slice(0, fromParent));
        }
        piece.position(fromParent);
        ChannelIo.fillZero(piece);
      } else {
        e.read(rel, piece);
      }
      part.position(part.position() + n);
      rel += n;
      pos += n;
    }
  }

  @Override
  public Allocation allocation(long offset) throws IOException {
    BlockDevices.checkOffset(this, offset);
    lock.readLock().lock();
    try {
      int i = extentAt(offset);
      Allocation a = extents.get(i).allocation(offset - starts[i]);
      return new Allocation(offset, a.length(), a.state());
    } finally {
      lock.readLock().unlock();
    }
  }

  // -----------------------------------------------------------------------------------------
  // Writing

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    BlockDevices.checkWritable(this);
    BlockDevices.checkRange(this, offset, src.remaining());
    lock.writeLock().lock();
    try {
      if (closed) {
        throw new IOException(path + ": closed");
      }
      for (long at = offset; at < offset + src.remaining(); ) {
        int i = extentAt(at);
        Extent e = extents.get(i);
        if (!e.isWritable()) {
          throw new UnsafeToWriteException(e.file(), UnsafeToWriteException.Reason.READ_ONLY,
              "this extent is read-only (its access mode or type does not allow writing)");
        }
        at = starts[i + 1];
      }
      beginWrite();
      long pos = offset;
      while (src.hasRemaining()) {
        int i = extentAt(pos);
        Extent e = extents.get(i);
        long rel = pos - starts[i];
        int n = (int) Math.min(src.remaining(), e.size() - rel);
        if (n <= 0) {
          continue;
        }
        if (!e.isWritable()) {
          throw new UnsafeToWriteException(e.file(), UnsafeToWriteException.Reason.READ_ONLY,
              "this extent is read-only (its access mode or type does not allow writing)");
        }
        ByteBuffer part = src.slice(src.position(), n);
        if (parent != null && e instanceof HostedSparseExtent hs) {
          writeOverParent(hs, rel, pos, part);
        } else {
          e.write(rel, part);
        }
        src.position(src.position() + n);
        pos += n;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Writes into a delta's sparse extent; a partly written grain that is not yet stored here gets
   * the rest of its data from the current view (the parent), so the new grain is complete.
   */
  private void writeOverParent(HostedSparseExtent e, long rel, long pos, ByteBuffer part)
      throws IOException {
    long g = e.grainBytes();
    long end = rel + part.remaining();
    long alignedStart = rel / g * g;
    long alignedEnd = Math.min(e.size(), (end + g - 1) / g * g);
    boolean headNeeds = alignedStart != rel
        && e.allocation(alignedStart).state() != Allocation.State.DATA;
    // the grain holding the last byte written (alignedEnd may be the extent's unaligned end)
    boolean tailNeeds = alignedEnd != end
        && e.allocation((end - 1) / g * g).state() != Allocation.State.DATA;
    if (!headNeeds && !tailNeeds) {
      e.write(rel, part);
      return;
    }
    long diskStart = pos - (rel - alignedStart);
    ByteBuffer whole = ByteBuffer.allocate((int) (alignedEnd - alignedStart));
    readUnlocked(diskStart, whole);
    whole.position((int) (rel - alignedStart));
    whole.put(part.duplicate());
    whole.clear();
    e.write(alignedStart, whole);
  }

  private void beginWrite() throws IOException {
    if (writeStarted) {
      return;
    }
    for (Extent e : extents) {
      if (e instanceof HostedSparseExtent hs) {
        hs.markDirty();
      }
    }
    if (descriptorPlace != null) {
      long old;
      try {
        old = descriptor.cid(path);
      } catch (CorruptStructureException e) {
        old = -1; // missing or malformed: replaced by a valid one
      }
      long cid;
      do {
        cid = RANDOM.nextInt() & 0xffffffffL;
      } while (cid == Descriptor.NO_PARENT_CID || cid == 0xfffffffeL || cid == old);
      descriptor.set("CID", Descriptor.formatCid(cid), false);
      writeDescriptor();
      WriteSteps.step("descriptor-cid");
    }
    writeStarted = true;
  }

  private void writeDescriptor() throws IOException {
    byte[] bytes = descriptor.toBytes();
    FileChannel c = descriptorPlace.channel();
    if (descriptorPlace.capacity() >= 0) {
      if (bytes.length > descriptorPlace.capacity()) {
        throw new UnsupportedFeatureException(path, "descriptor growth",
            "the changed descriptor (" + bytes.length + " bytes) no longer fits the "
                + descriptorPlace.capacity() + " bytes reserved in the sparse file");
      }
      ByteBuffer b = ByteBuffer.allocate((int) descriptorPlace.capacity());
      b.put(bytes).clear();
      ChannelIo.writeFully(c, descriptorPlace.offset(), b);
    } else {
      ChannelIo.writeFully(c, 0, ByteBuffer.wrap(bytes));
      c.truncate(bytes.length);
    }
    c.force(false);
  }

  @Override
  public void flush() throws IOException {
    if (!writable) {
      return;
    }
    lock.writeLock().lock();
    try {
      for (Extent e : extents) {
        e.flush();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  // -----------------------------------------------------------------------------------------
  // Checking

  void check(CheckReport.Builder report) throws IOException {
    if (cidMismatch) {
      report.add(CheckReport.Severity.CORRUPTION, -1, "VMDK descriptor", String.format(
          "parentCID %08x does not match CID %08x of parent %s", descriptor.parentCid(path),
          ((VmdkDisk) parent).cid(), parentPath));
    }
    for (Extent e : extents) {
      e.check(report);
    }
  }

  // -----------------------------------------------------------------------------------------
  // Closing

  private void closeQuietly() {
    try {
      close();
    } catch (IOException e) {
      LOG.debug("{}: close after a failed open", path, e);
    }
  }

  /** Flushes, clears {@code uncleanShutdown} and closes the files and the parent chain. */
  @Override
  public void close() throws IOException {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      IOException failure = null;
      for (Extent e : extents) {
        try {
          e.close();
        } catch (IOException ex) {
          failure = failure == null ? ex : failure;
        }
      }
      for (FileChannel c : channels.values()) {
        try {
          c.close();
        } catch (IOException ex) {
          failure = failure == null ? ex : failure;
        }
      }
      if (parent != null) {
        try {
          parent.close();
        } catch (IOException ex) {
          failure = failure == null ? ex : failure;
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
