package dev.vdisk.vhd;

import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.vhd.internal.DiskGeometry;
import dev.vdisk.vhd.internal.DynamicDiskHeader;
import dev.vdisk.vhd.internal.HardDiskFooter;
import dev.vdisk.vhd.internal.VhdChecker;
import dev.vdisk.vhd.internal.VhdChecksum;
import dev.vdisk.vhd.internal.VhdImageBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The VHD image format (Microsoft Virtual Hard Disk Image Format Specification): fixed, dynamic
 * and differencing disks. See {@link VhdDisk} for how images are read and written.
 *
 * <p>Created images record creator application "vdsk", version 0.1, host OS "Wi2k", a random
 * unique id, and a Current Size of exactly the requested size rounded up to a multiple of 512
 * (like {@code qemu-img create -o force_size=on} and Hyper-V). The CHS geometry is the one the
 * specification's algorithm computes when that describes exactly the size, and otherwise the
 * maximum 65535/16/255, because QEMU takes the size of images from creators it does not know (all
 * but "win ", "qem2", "d2v ", "CTXS" and "tap") from the geometry unless it is the maximum.
 */
public final class VhdFormat implements DiskFormat {

  /** Creates the format; used by {@link java.util.ServiceLoader}. */
  public VhdFormat() {}

  @Override
  public String name() {
    return "vhd";
  }

  /**
   * Looks for the "conectix" cookie of a hard disk footer in the last 512 bytes, the last 511
   * bytes (old Virtual PC images), or at offset 0 (the footer copy of dynamic disks).
   *
   * @return {@link #CERTAIN} if a footer's checksum also matches, {@link #LIKELY} for the cookie
   *     alone, otherwise {@link #NO}
   */
  @Override
  public int probe(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    int best = NO;
    long[] offsets = {size - 512, size - 511, 0};
    for (long offset : offsets) {
      if (offset < 0 || size - offset < 511) {
        continue;
      }
      ByteBuffer buffer = ByteBuffer.allocate(HardDiskFooter.SIZE);
      buffer.limit((int) Math.min(HardDiskFooter.SIZE, size - offset));
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          break;
        }
      }
      buffer.clear();
      if (!HardDiskFooter.hasCookie(buffer)) {
        continue;
      }
      byte[] raw = buffer.array();
      if (VhdChecksum.compute(raw, 0, HardDiskFooter.SIZE, 64) == buffer.getInt(64)) {
        return CERTAIN;
      }
      best = LIKELY;
    }
    return best;
  }

  @Override
  public VirtualDisk open(Path file, OpenOptions options) throws IOException {
    return VhdDisk.open(file, options, this);
  }

  /**
   * Creates an empty VHD.
   *
   * @param file where to create it; must not exist
   * @param spec the size (rounded up to a multiple of 512; at most 2040 GiB), the variant ({@code
   *     "dynamic"}, the default, or {@code "fixed"}) and, for dynamic disks, the block size (a power
   *     of two from 512 bytes to 256 MiB; default 2 MiB; ignored for fixed disks)
   * @return the new disk, opened for writing
   * @throws UnsupportedFeatureException for an unknown variant, a bad block size or a size over
   *     2040 GiB
   * @throws IOException if it cannot be created
   */
  @Override
  public VirtualDisk create(Path file, CreateSpec spec) throws IOException {
    String variant = spec.variant() == null ? "dynamic" : spec.variant();
    if (!variant.equals("dynamic") && !variant.equals("fixed")) {
      throw new UnsupportedFeatureException(file, "vhd variant " + variant,
          "VHD images are 'dynamic' or 'fixed' (differencing disks come from createChild)");
    }
    if (spec.virtualSize() > VhdImageBuilder.MAX_SIZE) {
      throw new UnsupportedFeatureException(file, "disk size " + spec.virtualSize(),
          "VHD disks are at most 2040 GiB");
    }
    long size = (spec.virtualSize() + 511) / 512 * 512;
    if (variant.equals("fixed")) {
      VhdImageBuilder.writeFixed(file, size);
    } else {
      long blockSize = spec.blockSize() == 0 ? DynamicDiskHeader.DEFAULT_BLOCK_SIZE
          : spec.blockSize();
      checkBlockSize(file, blockSize);
      VhdImageBuilder.writeDynamic(file, size, blockSize);
    }
    return openCreated(file);
  }

  /**
   * Creates a differencing VHD whose parent is {@code parent}, which must be a VHD opened by this
   * format. The child records the parent's unique id, the parent file's modification time, its
   * absolute path as Parent Unicode Name (or its file name, if the path is longer than 256 UTF-16
   * units), and two parent locators: W2ku (absolute path) and W2ru (path relative to the child's
   * directory, with Windows separators). It has the parent's size, geometry and block size (2 MiB
   * for a fixed parent), and reads exactly as the parent until written.
   *
   * @param parent the parent VHD
   * @param file where to create the child; must not exist
   * @return the child, opened for writing (with its own read-only handle on the parent)
   * @throws UnsupportedFeatureException if the parent is not a VHD
   * @throws IOException if it cannot be created
   */
  @Override
  public VirtualDisk createChild(VirtualDisk parent, Path file) throws IOException {
    if (!(parent instanceof VhdDisk vhd)) {
      throw new UnsupportedFeatureException(file, "VHD differencing disk with a "
          + parent.format().name() + " parent", "the parent of a VHD must be a VHD");
    }
    HardDiskFooter footer = vhd.footer();
    long blockSize = vhd.blockSize() == 0 ? DynamicDiskHeader.DEFAULT_BLOCK_SIZE
        : vhd.blockSize();
    long timeStamp = HardDiskFooter.timeStampOf(
        Files.getLastModifiedTime(parent.path()).toInstant());
    DiskGeometry geometry = footer.geometry();
    VhdImageBuilder.writeDifferencing(file, new VhdImageBuilder.ParentFacts(footer.uniqueId(),
        footer.currentSize(), geometry, timeStamp, parent.path()), blockSize);
    return openCreated(file);
  }

  private VirtualDisk openCreated(Path file) throws IOException {
    try {
      return open(file, OpenOptions.readWrite());
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  private static void checkBlockSize(Path file, long blockSize)
      throws UnsupportedFeatureException {
    if (blockSize < 512 || blockSize > DynamicDiskHeader.MAX_BLOCK_SIZE
        || Long.bitCount(blockSize) != 1) {
      throw new UnsupportedFeatureException(file, "block size " + blockSize,
          "VHD block sizes are powers of two from 512 bytes to 256 MiB");
    }
  }

  /**
   * Checks footer and header checksums, the footer copy, the block allocation table (entries
   * past the end of the file, overlapping blocks, blocks overlapping the metadata), the block size,
   * a differencing disk's parent (a warning when it cannot be found) and leaked blocks.
   */
  @Override
  public CheckReport check(Path file) throws IOException {
    return VhdChecker.check(file, name());
  }
}
