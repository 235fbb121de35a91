package dev.vdisk.vhdx;

import dev.vdisk.core.CheckReport;
import dev.vdisk.core.CreateSpec;
import dev.vdisk.core.DiskFormat;
import dev.vdisk.core.OpenOptions;
import dev.vdisk.core.UnsupportedFeatureException;
import dev.vdisk.core.VirtualDisk;
import dev.vdisk.vhdx.internal.FileParameters;
import dev.vdisk.vhdx.internal.FileTypeIdentifier;
import dev.vdisk.core.util.Guids;
import dev.vdisk.vhdx.internal.ParentLocator;
import dev.vdisk.vhdx.internal.VhdxCreator;
import dev.vdisk.vhdx.internal.VhdxHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The VHDX format (MS-VHDX v1.0): Hyper-V's image format with 1 MiB-aligned regions, a metadata
 * log and differencing disks.
 *
 * <pre>{@code
 * try (VirtualDisk disk = new VhdxFormat().create(path, new CreateSpec(10L << 30, "dynamic", 0))) {
 *   disk.write(0, ByteBuffer.wrap(bootSector));
 * }
 * }</pre>
 */
public final class VhdxFormat implements DiskFormat {
  /** The default block size, as Hyper-V uses. */
  public static final long DEFAULT_BLOCK_SIZE = 32L << 20;

  /** Creates the format; used by {@link java.util.ServiceLoader}. */
  public VhdxFormat() {}

  @Override
  public String name() {
    return "vhdx";
  }

  /**
   * {@link #CERTAIN} when the file starts with {@code "vhdxfile"} and has a header with a valid
   * checksum, {@link #LIKELY} with the signature alone, else {@link #NO}.
   */
  @Override
  public int probe(Path file, FileChannel channel) throws IOException {
    ByteBuffer sig = ByteBuffer.allocate(8);
    read(channel, 0, sig);
    if (!FileTypeIdentifier.hasSignature(sig.flip())) {
      return NO;
    }
    for (long offset : new long[] {VhdxHeader.HEADER1_OFFSET, VhdxHeader.HEADER2_OFFSET}) {
      ByteBuffer h = ByteBuffer.allocate(VhdxHeader.SIZE);
      read(channel, offset, h);
      try {
        VhdxHeader.parse(h.flip(), file, offset);
        return CERTAIN;
      } catch (dev.vdisk.core.CorruptStructureException e) {
        // try the other header
      }
    }
    return LIKELY;
  }

  private static void read(FileChannel channel, long offset, ByteBuffer dst) throws IOException {
    long pos = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        break;
      }
      pos += n;
    }
  }

  @Override
  public VhdxDisk open(Path file, OpenOptions options) throws IOException {
    return VhdxDisk.open(this, file, options);
  }

  /**
   * Creates a VHDX: variant {@code "dynamic"} (the default) or {@code "fixed"}; block size from
   * the spec (default 32 MiB; a power of two from 1 MiB to 256 MiB); 512-byte logical and
   * 4096-byte physical sectors; a 1 MiB log.
   *
   * @param file where; must not exist
   * @param spec size, variant and block size
   * @return the new disk, opened for writing
   * @throws IOException if it cannot be created
   */
  @Override
  public VhdxDisk create(Path file, CreateSpec spec) throws IOException {
    String variant = spec.variant() == null ? "dynamic" : spec.variant().toLowerCase(Locale.ROOT);
    if (!variant.equals("dynamic") && !variant.equals("fixed")) {
      throw new UnsupportedFeatureException(file, "VHDX variant " + spec.variant(),
          "use \"dynamic\" or \"fixed\" (differencing disks come from createChild)");
    }
    long blockSize = spec.blockSize() == 0 ? DEFAULT_BLOCK_SIZE : spec.blockSize();
    if (blockSize < FileParameters.MIN_BLOCK_SIZE || blockSize > FileParameters.MAX_BLOCK_SIZE
        || Long.bitCount(blockSize) != 1) {
      throw new UnsupportedFeatureException(file, "VHDX block size " + blockSize,
          "must be a power of two from 1 MiB to 256 MiB");
    }
    if (spec.virtualSize() % 512 != 0 || spec.virtualSize() > VhdxDisk.MAX_VIRTUAL_SIZE) {
      throw new UnsupportedFeatureException(file, "VHDX virtual size " + spec.virtualSize(),
          "must be a multiple of 512 bytes and at most 64 TiB");
    }
    VhdxCreator.create(file, new VhdxCreator.Spec(spec.virtualSize(), blockSize, 512, 4096,
        variant.equals("fixed"), null));
    return open(file, OpenOptions.readWrite());
  }

  /**
   * Creates a differencing VHDX whose parent is {@code parent} (a VHDX): same size, block size and
   * sector sizes, with a parent locator holding {@code parent_linkage} (the parent's
   * DataWriteGuid), {@code relative_path} and {@code absolute_win32_path}.
   *
   * @param parent the parent, a VHDX
   * @param file where; must not exist
   * @return the child, opened for writing (its parent opened read-only)
   * @throws IOException if it cannot be created
   */
  @Override
  public VhdxDisk createChild(VirtualDisk parent, Path file) throws IOException {
    if (!(parent instanceof VhdxDisk p)) {
      throw new UnsupportedFeatureException(file, "VHDX child of a " + parent.format().name()
          + " image", "a VHDX differencing disk needs a VHDX parent");
    }
    Path parentAbsolute = parent.path().toAbsolutePath().normalize();
    Path childDir = file.toAbsolutePath().normalize().getParent();
    String relative = childDir.relativize(parentAbsolute).toString();
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("parent_linkage", Guids.braced(p.dataWriteGuid()));
    keys.put("relative_path", ".\\" + relative.replace('/', '\\'));
    keys.put("absolute_win32_path", parentAbsolute.toString());
    VhdxCreator.create(file, new VhdxCreator.Spec(p.size(), p.blockSize(), p.sectorSize(),
        p.physicalSectorSize(), false,
        new ParentLocator(ParentLocator.VHDX_LOCATOR_TYPE, keys)));
    return open(file, OpenOptions.readWrite());
  }

  @Override
  public CheckReport check(Path file) throws IOException {
    return VhdxChecker.check(this, file);
  }
}
