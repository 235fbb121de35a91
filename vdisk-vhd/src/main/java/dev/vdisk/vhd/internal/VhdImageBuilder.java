package dev.vdisk.vhd.internal;

import dev.vdisk.core.util.ChannelIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes new, empty VHD files: fixed, dynamic, and differencing children. Every image it writes
 * records creator application {@link #CREATOR_APPLICATION} ("vdsk"), creator version
 * {@link #CREATOR_VERSION} (0.1), and creator host OS "Wi2k" (the value Windows and QEMU write, so
 * that other tools treat the image as a Windows-made one).
 */
public final class VhdImageBuilder {
  /** The creator application vdisk records, "vdsk". */
  public static final String CREATOR_APPLICATION = "vdsk";
  /** The creator version vdisk records: 0.1 (major in the high 16 bits). */
  public static final int CREATOR_VERSION = 0x0000_0001;
  /** The creator host OS vdisk records, "Wi2k". */
  public static final String CREATOR_HOST_OS = "Wi2k";
  /** The largest disk vdisk creates: 2040 GiB, the limit the specification gives. */
  public static final long MAX_SIZE = 2040L << 30;

  private static final long NO_OFFSET = -1L;
  private static final long HEADER_OFFSET = 512;
  private static final long TABLE_OFFSET = HEADER_OFFSET + DynamicDiskHeader.SIZE;

  /** Facts about the parent a differencing child records. */
  public record ParentFacts(UUID uniqueId, long currentSize, DiskGeometry geometry,
      long timeStamp, Path path) {}

  private VhdImageBuilder() {}

  /**
   * A footer for a new disk whose current size is {@code size} and geometry the specification's
   * CHS geometry for it.
   *
   * @param size the size in bytes, a multiple of 512
   * @param diskType the disk type
   * @param geometry the geometry
   * @return the footer
   */
  public static HardDiskFooter newFooter(long size, int diskType, DiskGeometry geometry) {
    return new HardDiskFooter(
        HardDiskFooter.FEATURE_RESERVED,
        HardDiskFooter.VERSION_1_0,
        diskType == HardDiskFooter.FIXED ? NO_OFFSET : HEADER_OFFSET,
        HardDiskFooter.timeStampOf(Instant.now()),
        HardDiskFooter.fourCc(CREATOR_APPLICATION),
        CREATOR_VERSION,
        HardDiskFooter.fourCc(CREATOR_HOST_OS),
        size,
        size,
        geometry,
        diskType,
        0,
        UUID.randomUUID(),
        false,
        true);
  }

  /**
   * The geometry vdisk records for a new disk: the specification's CHS geometry when it describes
   * exactly {@code size} bytes, otherwise the maximum geometry 65535/16/255. QEMU reads the size of
   * images from unknown creators (such as "vdsk") from the geometry unless the geometry is the
   * maximum, in which case it uses Current Size, as Hyper-V and libvhdi always do; so the maximum
   * geometry (which {@code qemu-img create -o force_size=on} and Disk2vhd write too) makes every
   * reader see exactly Current Size.
   *
   * @param size the disk size in bytes, a multiple of 512
   * @return the geometry
   */
  public static DiskGeometry geometryFor(long size) {
    DiskGeometry geometry = DiskGeometry.fromTotalSectors(size / 512);
    return geometry.sizeInBytes() == size ? geometry : new DiskGeometry(65535, 16, 255);
  }

  /**
   * Writes a fixed disk: {@code size} bytes of zeros (a hole) followed by the footer.
   *
   * @param file the new file; must not exist
   * @param size the size, a multiple of 512
   * @throws IOException if it cannot be written
   */
  public static void writeFixed(Path file, long size) throws IOException {
    HardDiskFooter footer =
        newFooter(size, HardDiskFooter.FIXED, geometryFor(size));
    write(file, channel -> writeAt(channel, size, footer.toBytes()));
  }

  /**
   * Writes an empty dynamic disk: footer copy, header, an empty block allocation table, footer.
   *
   * @param file the new file; must not exist
   * @param size the size, a multiple of 512
   * @param blockSize the block size, a power of two
   * @throws IOException if it cannot be written
   */
  public static void writeDynamic(Path file, long size, long blockSize) throws IOException {
    HardDiskFooter footer =
        newFooter(size, HardDiskFooter.DYNAMIC, geometryFor(size));
    long entries = (size + blockSize - 1) / blockSize;
    DynamicDiskHeader header = newHeader(entries, blockSize, new UUID(0, 0), 0, "",
        emptyLocators());
    write(file, channel -> writeSparse(channel, footer, header, entries, List.of()));
  }

  /**
   * Writes an empty differencing disk whose parent is a VHD, with W2ku (absolute) and, where one
   * exists, W2ru (relative, Windows separators) parent locators in UTF-16LE, each at a 512-aligned
   * offset after the block allocation table.
   *
   * @param file the new file; must not exist
   * @param parent the parent's facts
   * @param blockSize the block size, a power of two
   * @throws IOException if it cannot be written
   */
  public static void writeDifferencing(Path file, ParentFacts parent, long blockSize)
      throws IOException {
    long size = parent.currentSize();
    HardDiskFooter footer = newFooter(size, HardDiskFooter.DIFFERENCING, parent.geometry());
    long entries = (size + blockSize - 1) / blockSize;
    Path parentAbsolute = parent.path().toAbsolutePath().normalize();
    List<byte[]> data = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    codes.add(ParentLocatorEntry.W2KU);
    data.add(parentAbsolute.toString().getBytes(StandardCharsets.UTF_16LE));
    Path childDir = file.toAbsolutePath().normalize().getParent();
    if (childDir != null && childDir.getRoot() != null
        && childDir.getRoot().equals(parentAbsolute.getRoot())) {
      String relative = childDir.relativize(parentAbsolute).toString().replace('/', '\\');
      if (!relative.startsWith("..")) {
        relative = ".\\" + relative;
      }
      codes.add(ParentLocatorEntry.W2RU);
      data.add(relative.getBytes(StandardCharsets.UTF_16LE));
    }
    List<ParentLocatorEntry> locators = new ArrayList<>();
    long offset = TABLE_OFFSET + BlockAllocationTable.sizeOnDisk(entries);
    for (int i = 0; i < data.size(); i++) {
      int space = (data.get(i).length + 511) / 512 * 512;
      locators.add(new ParentLocatorEntry(codes.get(i), space, data.get(i).length, 0, offset));
      offset += space;
    }
    while (locators.size() < DynamicDiskHeader.LOCATOR_COUNT) {
      locators.add(ParentLocatorEntry.empty());
    }
    String name = parentAbsolute.toString();
    if (name.length() > 256) {
      name = parentAbsolute.getFileName().toString();
      if (name.length() > 256) {
        name = name.substring(0, 256);
      }
    }
    DynamicDiskHeader header = newHeader(entries, blockSize, parent.uniqueId(),
        parent.timeStamp(), name, locators);
    write(file, channel -> writeSparse(channel, footer, header, entries, data));
  }

  private static List<ParentLocatorEntry> emptyLocators() {
    List<ParentLocatorEntry> locators = new ArrayList<>();
    for (int i = 0; i < DynamicDiskHeader.LOCATOR_COUNT; i++) {
      locators.add(ParentLocatorEntry.empty());
    }
    return locators;
  }

  private static DynamicDiskHeader newHeader(long entries, long blockSize, UUID parentId,
      long parentTimeStamp, String parentName, List<ParentLocatorEntry> locators) {
    return new DynamicDiskHeader(NO_OFFSET, TABLE_OFFSET, DynamicDiskHeader.VERSION_1_0, entries,
        blockSize, 0, parentId, parentTimeStamp, 0, parentName, locators, true);
  }

  private static void writeSparse(FileChannel channel, HardDiskFooter footer,
      DynamicDiskHeader header, long entries, List<byte[]> locatorData) throws IOException {
    byte[] footerBytes = footer.toBytes();
    writeAt(channel, 0, footerBytes);
    writeAt(channel, HEADER_OFFSET, header.toBytes());
    ByteBuffer table = ByteBuffer.allocate((int) BlockAllocationTable.sizeOnDisk(entries));
    BlockAllocationTable.empty((int) entries).writeTo(table);
    writeAt(channel, TABLE_OFFSET, table.array());
    long end = TABLE_OFFSET + table.capacity();
    for (int i = 0; i < locatorData.size(); i++) {
      ParentLocatorEntry locator = header.parentLocators().get(i);
      byte[] padded = new byte[locator.platformDataSpace()];
      System.arraycopy(locatorData.get(i), 0, padded, 0, locatorData.get(i).length);
      writeAt(channel, locator.platformDataOffset(), padded);
      end = locator.platformDataOffset() + padded.length;
    }
    writeAt(channel, end, footerBytes);
  }

  private static void writeAt(FileChannel channel, long position, byte[] bytes)
      throws IOException {
    ChannelIo.writeFully(channel, position, ByteBuffer.wrap(bytes));
  }

  private interface Writer {
    void write(FileChannel channel) throws IOException;
  }

  private static void write(Path file, Writer writer) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      try {
        writer.write(channel);
        channel.force(true);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    }
  }
}
