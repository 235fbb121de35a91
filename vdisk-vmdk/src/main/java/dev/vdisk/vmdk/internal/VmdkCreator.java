package dev.vdisk.vmdk.internal;

import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes new hosted VMDK images: monolithicSparse (also delta children), monolithicFlat,
 * twoGbMaxExtentSparse and twoGbMaxExtentFlat, in the layout VMware Workstation and qemu use.
 *
 * <p>A sparse extent is laid out as: header (sector 0), embedded descriptor (sectors 1 to 20, in
 * a monolithic file), redundant grain directory, redundant grain tables, grain directory, grain
 * tables, padding to a grain boundary ({@code overHead}); every grain table is allocated up
 * front, as VMware and qemu do.
 */
public final class VmdkCreator {
  /** The split size of twoGbMaxExtent variants: 2 GiB in sectors. */
  public static final long SPLIT_SECTORS = 4194304;
  /** The default grain: 128 sectors (64 KiB). */
  public static final long DEFAULT_GRAIN_SECTORS = 128;
  /** The sectors reserved for an embedded descriptor. */
  public static final long EMBEDDED_DESCRIPTOR_SECTORS = 20;
  /** Entries per grain table. */
  public static final int GTES = 512;

  private static final SecureRandom RANDOM = new SecureRandom();

  private VmdkCreator() {}

  /** The variants this creator writes. */
  public enum Variant {
    /** One sparse file with an embedded descriptor. */
    MONOLITHIC_SPARSE("monolithicSparse"),
    /** A descriptor and one flat data file. */
    MONOLITHIC_FLAT("monolithicFlat"),
    /** A descriptor and sparse files of at most 2 GiB. */
    TWO_GB_SPARSE("twoGbMaxExtentSparse"),
    /** A descriptor and flat files of at most 2 GiB. */
    TWO_GB_FLAT("twoGbMaxExtentFlat");

    private final String createType;

    Variant(String createType) {
      this.createType = createType;
    }

    /**
     * The descriptor's createType.
     *
     * @return the name
     */
    public String createType() {
      return createType;
    }
  }

  /**
   * A new random CID (never {@code ffffffff} or {@code fffffffe}).
   *
   * @return the CID
   */
  public static long randomCid() {
    long cid;
    do {
      cid = RANDOM.nextInt() & 0xffffffffL;
    } while (cid >= 0xfffffffeL);
    return cid;
  }

  /**
   * Creates an image.
   *
   * @param file the descriptor or monolithic file; must not exist (nor the extent files)
   * @param variant the variant
   * @param capacitySectors the capacity in sectors
   * @param grainSectors the grain size in sectors (sparse variants)
   * @param parentCid the parent's CID, or {@link Descriptor#NO_PARENT_CID}
   * @param parentHint the parent's file name hint, or {@code null}
   * @throws IOException if a file cannot be written
   */
  public static void create(Path file, Variant variant, long capacitySectors, long grainSectors,
      long parentCid, String parentHint) throws IOException {
    String name = file.getFileName().toString();
    String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".vmdk")
        ? name.substring(0, name.length() - 5) : name;
    Path dir = file.toAbsolutePath().getParent();
    List<ExtentDescription> extents = new ArrayList<>();
    switch (variant) {
      case MONOLITHIC_SPARSE -> extents.add(new ExtentDescription(ExtentDescription.Access.RW,
          capacitySectors, ExtentDescription.Type.SPARSE, name, 0));
      case MONOLITHIC_FLAT -> extents.add(new ExtentDescription(ExtentDescription.Access.RW,
          capacitySectors, ExtentDescription.Type.FLAT, base + "-flat.vmdk", 0));
      case TWO_GB_SPARSE, TWO_GB_FLAT -> {
        boolean sparse = variant == Variant.TWO_GB_SPARSE;
        long left = capacitySectors;
        int n = 1;
        do {
          long part = Math.min(left, SPLIT_SECTORS);
          extents.add(new ExtentDescription(ExtentDescription.Access.RW, part,
              sparse ? ExtentDescription.Type.SPARSE : ExtentDescription.Type.FLAT,
              String.format("%s-%s%03d.vmdk", base, sparse ? "s" : "f", n++), 0));
          left -= part;
        } while (left > 0);
      }
      default -> throw new IllegalArgumentException(variant.toString());
    }
    String text = descriptorText(variant.createType(), randomCid(), parentCid, parentHint,
        extents, capacitySectors);
    byte[] descriptor = text.getBytes(StandardCharsets.UTF_8);
    if (variant == Variant.MONOLITHIC_SPARSE) {
      if (descriptor.length > EMBEDDED_DESCRIPTOR_SECTORS * 512) {
        throw new IllegalArgumentException("descriptor too long for the embedded area "
            + "(parent file name hint too long?)");
      }
      writeSparse(file, capacitySectors, grainSectors, descriptor);
      return;
    }
    for (ExtentDescription e : extents) {
      if (Files.exists(dir.resolve(e.fileName()))) {
        throw new java.nio.file.FileAlreadyExistsException(dir.resolve(e.fileName()).toString());
      }
    }
    Files.write(file, descriptor, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    for (ExtentDescription e : extents) {
      Path f = dir.resolve(e.fileName());
      if (e.type() == ExtentDescription.Type.SPARSE) {
        writeSparse(f, e.sectors(), grainSectors, null);
      } else {
        Files.createFile(f);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
          raf.setLength(e.bytes());
        }
      }
    }
  }

  /**
   * The descriptor text of a new image, in the layout qemu and VMware write.
   *
   * @param createType the createType
   * @param cid the CID
   * @param parentCid the parentCID
   * @param parentHint the parentFileNameHint, or {@code null}
   * @param extents the extents
   * @param capacitySectors the capacity, for the geometry
   * @return the text
   */
  public static String descriptorText(String createType, long cid, long parentCid,
      String parentHint, List<ExtentDescription> extents, long capacitySectors) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Disk DescriptorFile\n");
    sb.append("version=1\n");
    sb.append("CID=").append(Descriptor.formatCid(cid)).append('\n');
    sb.append("parentCID=").append(Descriptor.formatCid(parentCid)).append('\n');
    sb.append("createType=\"").append(createType).append("\"\n");
    if (parentHint != null) {
      sb.append("parentFileNameHint=\"").append(parentHint).append("\"\n");
    }
    sb.append("\n# Extent description\n");
    for (ExtentDescription e : extents) {
      sb.append(e.toLine()).append('\n');
    }
    long cylinders = Math.min(capacitySectors / (16 * 63), 16383);
    sb.append("\n# The Disk Data Base\n#DDB\n\n");
    sb.append("ddb.virtualHWVersion = \"4\"\n");
    sb.append("ddb.geometry.cylinders = \"").append(cylinders).append("\"\n");
    sb.append("ddb.geometry.heads = \"16\"\n");
    sb.append("ddb.geometry.sectors = \"63\"\n");
    sb.append("ddb.adapterType = \"ide\"\n");
    return sb.toString();
  }

  /**
   * Writes a hosted sparse extent with every grain table allocated.
   *
   * @param file the file; must not exist
   * @param capacitySectors the capacity
   * @param grainSectors the grain size
   * @param descriptor the embedded descriptor, or {@code null}
   * @throws IOException on a write error
   */
  public static void writeSparse(Path file, long capacitySectors, long grainSectors,
      byte[] descriptor) throws IOException {
    long descOffset = descriptor == null ? 0 : 1;
    long descSectors = descriptor == null ? 0 : EMBEDDED_DESCRIPTOR_SECTORS;
    long perTable = GTES * grainSectors;
    long tables = (capacitySectors + perTable - 1) / perTable;
    if (tables > HostedSparseExtent.MAX_GD_ENTRIES) {
      throw new IllegalArgumentException("capacity too large");
    }
    long gdSectors = (tables * 4 + 511) / 512;
    long gtSectors = GTES * 4 / 512;
    long rgd = descOffset + descSectors == 0 ? 1 : descOffset + descSectors;
    long rgts = rgd + gdSectors;
    long gd = rgts + tables * gtSectors;
    long gts = gd + gdSectors;
    long end = gts + tables * gtSectors;
    long overHead = (end + grainSectors - 1) / grainSectors * grainSectors;
    SparseExtentHeader header = SparseExtentHeader.of(1,
        SparseExtentHeader.FLAG_VALID_NEWLINE_TEST | SparseExtentHeader.FLAG_REDUNDANT_GRAIN_TABLE,
        capacitySectors, grainSectors, descOffset, descSectors, GTES, rgd, gd, overHead,
        SparseExtentHeader.COMPRESSION_NONE);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ChannelIo.writeFully(ch, 0, ByteBuffer.wrap(header.toBytes()));
      if (descriptor != null) {
        ChannelIo.writeFully(ch, descOffset * 512, ByteBuffer.wrap(descriptor));
      }
      ChannelIo.writeFully(ch, rgd * 512, directory(tables, rgts, gtSectors));
      ChannelIo.writeFully(ch, gd * 512, directory(tables, gts, gtSectors));
      ch.truncate(overHead * 512);
      if (ch.size() < overHead * 512) {
        ChannelIo.writeFully(ch, overHead * 512 - 1, ByteBuffer.allocate(1));
      }
      ch.force(true);
    }
  }

  private static ByteBuffer directory(long tables, long first, long gtSectors) {
    ByteBuffer b = ByteBuffer.allocate((int) ((tables * 4 + 511) / 512 * 512))
        .order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < tables; i++) {
      b.putInt((int) (first + i * gtSectors));
    }
    return b.clear();
  }
}
