package dev.vdisk.vmdk;

import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CorruptStructureException;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VdiskException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.core.util.ChannelIo;
import dev.vdisk.vmdk.internal.Descriptor;
import dev.vdisk.vmdk.internal.SparseExtentHeader;
import dev.vdisk.vmdk.internal.VmdkCreator;
import dev.vdisk.vmdk.internal.ExtentDescription;
import dev.vdisk.vmdk.internal.stream.StreamOptimizedWriter;
import dev.vdisk.core.ImageLock;
import java.nio.file.StandardOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The VMware VMDK format (Virtual Disk Format 1.1): hosted sparse and flat images (monolithic or
 * split in 2 GiB extents), ESXi flat disks, and delta disks chained by {@code CID}/{@code
 * parentCID}.
 *
 * <pre>{@code
 * try (VirtualDisk disk = new VmdkFormat().create(path,
 *     new CreateSpec(10L << 30, "twoGbMaxExtentSparse", 0))) {
 *   disk.write(0, ByteBuffer.wrap(bootSector));
 * }
 * }</pre>
 */
public final class VmdkFormat implements DiskFormat {
  /** The default grain size, 64 KiB, as VMware and qemu use. */
  public static final long DEFAULT_GRAIN_SIZE = 64 * 1024;

  private static final int COWD_MAGIC = 0x44574f43;
  private static final long SESPARSE_MAGIC = 0x00000000cafebabeL;

  /** Creates the format; used by {@link java.util.ServiceLoader}. */
  public VmdkFormat() {}

  @Override
  public String name() {
    return "vmdk";
  }

  static boolean isCowd(ByteBuffer first) {
    return first.remaining() >= 4
        && first.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(first.position()) == COWD_MAGIC;
  }

  static boolean isSeSparse(ByteBuffer first) {
    return first.remaining() >= 8 && first.duplicate().order(ByteOrder.LITTLE_ENDIAN)
        .getLong(first.position()) == SESPARSE_MAGIC;
  }

  /**
   * {@link #CERTAIN} for a valid KDMV header, a COWD header, or a text file starting with {@code
   * # Disk DescriptorFile}; {@link #LIKELY} for a KDMV magic with a bad header, a seSparse magic,
   * or text holding {@code createType=} near its start; else {@link #NO}.
   */
  @Override
  public int probe(Path file, FileChannel channel) throws IOException {
    ByteBuffer first = ByteBuffer.allocate(4096);
    int got = ChannelIo.readZeroPadded(channel, 0, first);
    first.flip();
    if (got >= 4 && first.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(0)
        == SparseExtentHeader.MAGIC) {
      try {
        SparseExtentHeader.parse(file, first);
        return CERTAIN;
      } catch (VdiskException e) {
        return LIKELY;
      }
    }
    if (got >= 4 && isCowd(first)) {
      return CERTAIN;
    }
    if (got >= 8 && isSeSparse(first)) {
      return LIKELY;
    }
    String text = new String(first.array(), 0, got, StandardCharsets.ISO_8859_1);
    if (text.stripLeading().startsWith("# Disk DescriptorFile")) {
      return CERTAIN;
    }
    if (got > 0 && text.indexOf('\0') < 0 && text.replace(" ", "").contains("createType=")) {
      return LIKELY;
    }
    return NO;
  }

  @Override
  public VmdkDisk open(Path file, OpenOptions options) throws IOException {
    return VmdkDisk.open(this, file, options);
  }

  /**
   * Creates a VMDK. Variants (the descriptor's {@code createType}): {@code monolithicSparse} (the
   * default), {@code monolithicFlat}, {@code twoGbMaxExtentSparse}, {@code twoGbMaxExtentFlat},
   * and {@code streamOptimized} (compressed, written once at increasing offsets as a conversion
   * does, and finished when the disk is closed).
   * The block size is the grain size (default 64 KiB; a power of two from 4 KiB to 1 MiB). Flat
   * data files are created sparse.
   *
   * @param file the descriptor (or the monolithic sparse file); must not exist
   * @param spec size (a multiple of 512), variant and grain size
   * @return the new disk, opened for writing
   * @throws IOException if it cannot be created
   */
  @Override
  public VmdkDisk create(Path file, CreateSpec spec) throws IOException {
    String variantName = spec.variant() == null ? "monolithicSparse" : spec.variant();
    VmdkCreator.Variant variant = null;
    for (VmdkCreator.Variant v : VmdkCreator.Variant.values()) {
      if (v.createType().equalsIgnoreCase(variantName)) {
        variant = v;
      }
    }
    if (variant == null) {
      if (variantName.equalsIgnoreCase("streamOptimized")) {
        return createStreamOptimized(file, spec);
      }
      throw new UnsupportedFeatureException(file, "VMDK variant " + variantName,
          "use monolithicSparse, monolithicFlat, twoGbMaxExtentSparse, twoGbMaxExtentFlat or "
              + "streamOptimized");
    }
    long grain = grainSize(file, spec.blockSize());
    if (spec.virtualSize() % 512 != 0
        || spec.virtualSize() / 512 > SparseExtentHeader.MAX_CAPACITY_SECTORS) {
      throw new UnsupportedFeatureException(file, "VMDK virtual size " + spec.virtualSize(),
          "must be a multiple of 512 bytes and at most "
              + SparseExtentHeader.MAX_CAPACITY_SECTORS * 512 + " bytes");
    }
    VmdkCreator.create(file, variant, spec.virtualSize() / 512, grain / 512,
        Descriptor.NO_PARENT_CID, null);
    return open(file, OpenOptions.readWrite());
  }

  /**
   * A new streamOptimized file: written once, at increasing offsets (as a conversion writes), and
   * finished (tables, footer, end-of-stream marker) by {@link VmdkDisk#close()}.
   */
  private VmdkDisk createStreamOptimized(Path file, CreateSpec spec) throws IOException {
    long grain = grainSize(file, spec.blockSize());
    if (spec.virtualSize() <= 0 || spec.virtualSize() % 512 != 0
        || spec.virtualSize() / 512 > SparseExtentHeader.MAX_CAPACITY_SECTORS) {
      throw new UnsupportedFeatureException(file, "VMDK virtual size " + spec.virtualSize(),
          "must be a positive multiple of 512 bytes");
    }
    long sectors = spec.virtualSize() / 512;
    String text = VmdkCreator.descriptorText("streamOptimized", VmdkCreator.randomCid(),
        Descriptor.NO_PARENT_CID, null, List.of(new ExtentDescription(
            ExtentDescription.Access.RW, sectors, ExtentDescription.Type.SPARSE,
            file.getFileName().toString(), 0)), sectors);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      ImageLock.acquire(file, channel, true);
      StreamOptimizedWriter writer = StreamOptimizedWriter.create(file, channel,
          spec.virtualSize(), grain, text);
      return VmdkDisk.wrapNew(this, file, text, writer, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static long grainSize(Path file, long blockSize) throws UnsupportedFeatureException {
    long grain = blockSize == 0 ? DEFAULT_GRAIN_SIZE : blockSize;
    if (grain < 4096 || grain > (1 << 20) || Long.bitCount(grain) != 1) {
      throw new UnsupportedFeatureException(file, "VMDK grain size " + grain,
          "must be a power of two from 4 KiB to 1 MiB");
    }
    return grain;
  }

  /**
   * Creates a delta disk of {@code parent} (a VMDK): a monolithicSparse file of the same size
   * whose descriptor has {@code parentCID} = the parent's CID and {@code parentFileNameHint} = the
   * parent's path relative to the child's folder.
   *
   * @param parent the parent, a VMDK
   * @param file where; must not exist
   * @return the child, opened for writing (its parent read-only)
   * @throws IOException if it cannot be created
   */
  @Override
  public VmdkDisk createChild(VirtualDisk parent, Path file) throws IOException {
    if (!(parent instanceof VmdkDisk p)) {
      throw new UnsupportedFeatureException(file, "VMDK delta of a " + parent.format().name()
          + " image", "a VMDK delta disk needs a VMDK parent");
    }
    if (p.size() % 512 != 0) {
      throw new UnsupportedFeatureException(file, "VMDK delta", "parent size not in sectors");
    }
    Path parentAbsolute = parent.path().toAbsolutePath().normalize();
    Path childDir = file.toAbsolutePath().normalize().getParent();
    String relative = childDir.relativize(parentAbsolute).toString();
    VmdkCreator.create(file, VmdkCreator.Variant.MONOLITHIC_SPARSE, p.size() / 512,
        VmdkCreator.DEFAULT_GRAIN_SECTORS, p.cid(), relative);
    return open(file, OpenOptions.readWrite());
  }

  /**
   * Checks an image: descriptor, chain CIDs, grain directories against their redundant copies,
   * grain table entries (outside the file, overlapping metadata or each other), unclean
   * shutdown.
   */
  @Override
  public CheckReport check(Path file) throws IOException {
    CheckReport.Builder report = new CheckReport.Builder(file, name(), 1000);
    try (VmdkDisk disk = open(file, OpenOptions.readOnly().ignoringParentMismatch())) {
      disk.check(report);
    } catch (CorruptStructureException e) {
      report.add(CheckReport.Severity.CORRUPTION, e.offset(), e.structure(), e.detail());
    } catch (VdiskException e) {
      // unsupported, missing parent, refused: the image cannot be checked as a whole
      report.add(CheckReport.Severity.CORRUPTION, -1, "VMDK", e.getMessage());
    }
    return report.build();
  }

  /**
   * Deletes a VMDK: for a descriptor file, first every extent file it names that lies in the
   * descriptor's folder or below it (a descriptor naming files elsewhere has those left alone,
   * with a warning), then the descriptor itself. Parents are never deleted.
   */
  @Override
  public void delete(Path file) throws IOException {
    if (!java.nio.file.Files.exists(file)) {
      return;
    }
    long size = java.nio.file.Files.size(file);
    List<ExtentDescription> extents = List.of();
    if (size <= Descriptor.MAX_SIZE) {
      byte[] bytes = java.nio.file.Files.readAllBytes(file);
      ByteBuffer first = ByteBuffer.wrap(bytes);
      int magic = bytes.length >= 4 ? first.order(ByteOrder.LITTLE_ENDIAN).getInt(0) : 0;
      if (magic != SparseExtentHeader.MAGIC && !isCowd(first) && !isSeSparse(first)) {
        try {
          extents = Descriptor.parse(file, 0, ByteBuffer.wrap(bytes)).extents();
        } catch (VdiskException e) {
          org.slf4j.LoggerFactory.getLogger(VmdkFormat.class).warn(
              "{}: not a readable descriptor, deleting only this file: {}", file, e.getMessage());
        }
      }
    }
    Path self = file.toAbsolutePath().normalize();
    Path dir = self.getParent();
    for (ExtentDescription e : extents) {
      if (e.fileName() == null) {
        continue;
      }
      Path extent = dir.resolve(e.fileName()).normalize();
      if (extent.equals(self)) {
        continue;
      }
      if (!extent.startsWith(dir)) {
        org.slf4j.LoggerFactory.getLogger(VmdkFormat.class).warn(
            "{}: extent {} lies outside the descriptor's folder; not deleted", file, extent);
        continue;
      }
      java.nio.file.Files.deleteIfExists(extent);
    }
    java.nio.file.Files.deleteIfExists(file);
  }
}
